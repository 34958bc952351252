"""/healthz: the short answer for load balancers, and ``?full=1`` for operators.

Each check is a probe returning an ``Outcome``; the configured ones decide 200 or 503 and are
kept cheap (one query each, one broker or cache round trip, one small file written and deleted).
``?full=1`` adds each check's timing and detail, and runs ``EXTRA_CHECKS`` too. Streaming
replicas (DATABASE_REPLICA_URLS) are shown with their lag and whether reads go to them; they never
fail the probe, since reads fall back to the primary.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from claims.jobs.heartbeat import last_heartbeats
from claims.jobs.sweep import stuck_counts
from claimtracker import logs, replicas
from claimtracker.celery import app


@dataclass(frozen=True)
class Outcome:
    ok: bool
    detail: str = ""


Probe = Callable[[], Outcome]


def database() -> Outcome:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return Outcome(cursor.fetchone() == (1,), connection.vendor)


def broker() -> Outcome:
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        return Outcome(True, conn.transport_cls)


def shared_cache() -> Outcome:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    try:
        return Outcome(cache.get(key) == "ok", "set, read and deleted a key")
    finally:
        cache.delete(key)


def storage() -> Outcome:
    """Through Django's storage API, as archiving writes: a copy workers cannot write is lost."""
    name = default_storage.save(f"healthz/probe-{uuid.uuid4().hex}", ContentFile(b"ok"))
    default_storage.delete(name)
    return Outcome(True, f"wrote and deleted a file with {type(storages['default']).__name__}")


def worker() -> Outcome:
    """Beat sends the heartbeat to each queue and a worker consuming it runs it
    (claims.jobs.heartbeat): every queue of HEALTH_WORKER_QUEUES must have had one lately."""
    limit = settings.HEALTH_WORKER_MINUTES
    now = timezone.now()
    late, said = [], []
    for queue, heartbeat in last_heartbeats(settings.HEALTH_WORKER_QUEUES).items():
        if heartbeat is None:
            late.append(queue)
            said.append(f"{queue}: no worker has run its heartbeat yet")
            continue
        age = (now - heartbeat.beat_at).total_seconds()
        said.append(f"{queue}: {age:.0f} s ago from {heartbeat.worker or 'a worker'}")
        if age > limit * 60:
            late.append(queue)
    if late:
        return Outcome(
            False, f"no heartbeat within {limit} min on {', '.join(late)}; " + "; ".join(said)
        )
    return Outcome(True, "last heartbeats: " + "; ".join(said))


def required_checks() -> dict[str, Probe]:
    """What must answer for this process to take traffic, given how it is configured."""
    checks: dict[str, Probe] = {"database": database, "storage": storage}
    if settings.CELERY_BROKER_URL:
        checks |= {"broker": broker, "worker": worker}
    if settings.CACHE_URL:
        checks["cache"] = shared_cache
    return checks


def stuck_jobs() -> Outcome:
    """Jobs past their deadline (claims.jobs.sweep): the sweep queues them again or ends them,
    so a count that stays above 0 means no worker is getting through the work."""
    counts = stuck_counts()
    detail = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    return Outcome(not any(counts.values()), f"stuck past their deadline: {detail}")


# Shown with ?full=1 only and never deciding the status: counts and ages an operator wants to
# see. Add a probe here.
EXTRA_CHECKS: dict[str, Probe] = {"stuck_jobs": stuck_jobs}


def replica_lags(*, full: bool) -> dict[str, dict]:
    """Each replica as the router sees it in this process (measured at most once a second)."""
    shown: dict[str, dict] = {}
    for alias in replicas.replica_aliases():
        lag = replicas.lag_of(alias)
        seconds = None if lag.seconds is None else round(lag.seconds, 3)
        shown[alias] = {"in_use": lag.usable, "lag_seconds": seconds}
        if full:
            shown[alias] |= {"detail": lag.detail, "limit": settings.REPLICA_MAX_LAG_SECONDS}
    return shown


def _run(probe: Probe) -> tuple[Outcome, float]:
    started = time.perf_counter()
    try:
        outcome = probe()
    except Exception as error:  # a probe's failure is its answer, whatever the backend raised
        outcome = Outcome(False, logs.redact(f"{type(error).__name__}: {error}"))
    return outcome, round((time.perf_counter() - started) * 1000, 1)


def _full(results: dict[str, tuple[Outcome, float]]) -> dict[str, dict]:
    return {
        name: {"ok": outcome.ok, "ms": ms, "detail": outcome.detail}
        for name, (outcome, ms) in results.items()
    }


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    results = {name: _run(probe) for name, probe in required_checks().items()}
    failing = [name for name, (outcome, _) in results.items() if not outcome.ok]
    body: dict[str, object] = {"status": "failing" if failing else "ok"}
    if request.GET.get("full") == "1":
        body["checks"] = _full(results)
        body["extra"] = _full({name: _run(probe) for name, probe in EXTRA_CHECKS.items()})
    else:
        body["checks"] = {name: outcome.ok for name, (outcome, _) in results.items()}
    if failing:
        body["failing"] = failing
    if lags := replica_lags(full=request.GET.get("full") == "1"):
        body["replicas"] = lags
    return JsonResponse(body, status=503 if failing else 200)


# Included by claimtracker/urls.py by its dotted name (the project package imports no app).
urlpatterns = [path("", healthz, name="healthz")]
