"""Reads on streaming replicas: where each request reads, the router that follows it, and lag.

``DATABASE_REPLICA_URLS`` adds ``replica_1``, ``replica_2``… to DATABASES. The middleware picks,
when a request starts, whether it may read from a replica: only safe requests (GET, HEAD,
OPTIONS) without a session cookie, outside ``REPLICA_PRIMARY_PATHS`` (the admin, the ledger's
exact heads and proofs), whose API token has not written in the last ``REPLICA_STICKY_SECONDS``
(read-your-writes, kept in the shared cache), and only from a replica whose measured lag is
within ``REPLICA_MAX_LAG_SECONDS``. Everything else reads the primary. The router sends a read to
the request's replica, unless a write (which always goes to the primary) has happened since: from
the first write on, the rest of the request reads the primary too. Outside a request (commands,
workers, the shell) every read goes to the primary.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponseBase

logger = logging.getLogger(__name__)

PREFIX = "replica_"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STICKY_KEY = "replica-sticky:"


def replica_aliases() -> list[str]:
    """The configured replicas' aliases, in order (none when DATABASE_REPLICA_URLS is unset)."""
    return [alias for alias in settings.DATABASES if alias.startswith(PREFIX)]


def check_shared_cache(**kwargs: object) -> list[checks.CheckMessage]:
    """Replicas without CACHE_URL: each web process notes its own writes only, so a token that
    wrote through one process may read a lagging replica through the next (read-your-writes)."""
    if not replica_aliases() or settings.CACHE_URL:
        return []
    return [
        checks.Warning(
            "DATABASE_REPLICA_URLS is set but CACHE_URL is not: after a write, a token reads the "
            "primary only in the web process that took the write, and may read a replica that "
            "has not caught up through any other.",
            hint="Set CACHE_URL to a Redis every web process shares (README, Scale-out); one "
            "web process alone needs none.",
            id="claimtracker.W001",
        )
    ]


# --- Lag ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lag:
    """One measurement of a replica: ``seconds`` behind the primary, or why it could not say."""

    alias: str
    seconds: float | None
    detail: str
    measured_at: float  # time.monotonic()

    @property
    def usable(self) -> bool:
        return self.seconds is not None and self.seconds <= settings.REPLICA_MAX_LAG_SECONDS


_measured: dict[str, Lag] = {}
_measuring = threading.Lock()

# Caught up when it has replayed everything the primary had written before we asked; otherwise
# as far behind as its last replayed commit is old. (A replica that stopped receiving looks
# caught up by its own receive and replay positions; the primary's position shows it is not.)
_LAG_SQL = """
SELECT pg_is_in_recovery(),
       coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false),
       extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8
"""
_REPLAYED_SQL = "SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false)"
# WAL the primary wrote a moment before we asked is usually replayed within milliseconds; the
# last commit's age would then overstate the lag (on a quiet primary, by the time since its last
# commit). So a replica not caught up at once is asked again, a few times, this far apart.
_CATCH_UP_TRIES, _CATCH_UP_PAUSE = 5, 0.01


def measure(alias: str) -> Lag:
    """Ask the primary for its WAL position, then the replica how far it has replayed."""
    started = time.monotonic()
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            (primary_lsn,) = cursor.fetchone()
    except DatabaseError as error:
        return Lag(alias, None, f"the primary did not answer: {type(error).__name__}", started)
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(_LAG_SQL, [primary_lsn])
            in_recovery, caught_up, behind = cursor.fetchone()
            for _ in range(_CATCH_UP_TRIES if in_recovery and not caught_up else 0):
                time.sleep(_CATCH_UP_PAUSE)
                cursor.execute(_REPLAYED_SQL, [primary_lsn])
                if cursor.fetchone()[0]:
                    seconds = time.monotonic() - started
                    return Lag(alias, seconds, "replayed what the primary had written", started)
    except DatabaseError as error:
        close(alias)  # the next measurement connects afresh
        return Lag(alias, None, f"not answering: {type(error).__name__}", started)
    if not in_recovery:
        return Lag(alias, None, "not in recovery: not a replica (promoted?)", started)
    if caught_up:
        return Lag(alias, 0.0, "replayed everything the primary had written", started)
    if behind is None:
        return Lag(alias, None, "has replayed no transaction yet", started)
    return Lag(
        alias, max(float(behind), 0.0), "replaying; the lag is its last commit's age", started
    )


def lag_of(alias: str) -> Lag:
    """The replica's lag, measured at most once per REPLICA_LAG_CHECK_SECONDS in this process."""
    known = _measured.get(alias)
    if known and time.monotonic() - known.measured_at < settings.REPLICA_LAG_CHECK_SECONDS:
        return known
    with _measuring:  # one thread measures; the others wait for its answer
        known = _measured.get(alias)
        if known and time.monotonic() - known.measured_at < settings.REPLICA_LAG_CHECK_SECONDS:
            return known
        _measured[alias] = measure(alias)
        return _measured[alias]


def close(alias: str) -> None:
    with contextlib.suppress(DatabaseError):  # closing a broken connection may fail too
        connections[alias].close()


def mark_down(alias: str, reason: str) -> None:
    """A replica failed mid-request: skip it until the next measurement."""
    _measured[alias] = Lag(alias, None, reason, time.monotonic())


def forget_lags() -> None:
    _measured.clear()


def usable_replicas() -> list[str]:
    return [alias for alias in replica_aliases() if lag_of(alias).usable]


# --- Where a request reads ----------------------------------------------------------------------


@dataclass
class Reads:
    """Where the current request reads: ``replica`` (an alias) or None for the primary."""

    replica: str | None = None
    wrote: bool = False


_reads: contextvars.ContextVar[Reads | None] = contextvars.ContextVar("reads", default=None)


def reading_from() -> str:
    """The alias the current request reads from now (the primary outside a request)."""
    reads = _reads.get()
    return reads.replica if reads and reads.replica else DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Reads where the request's Reads says; writes, migrations and transactions on the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        reads = _reads.get()
        if reads is None or reads.replica is None:
            return None  # the primary
        # Inside a transaction on the primary a read must see what the transaction wrote.
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return reads.replica

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        reads = _reads.get()
        if reads is not None:
            reads.wrote, reads.replica = True, None  # the rest of the request reads the primary
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # every replica holds the primary's rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def _credential(request: HttpRequest) -> str | None:
    """What names the client across requests for read-your-writes: its API token."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    return hashlib.sha256(header.encode()).hexdigest() if header else None


def _may_use_replica(request: HttpRequest) -> bool:
    if request.method not in SAFE_METHODS:
        return False
    # Signed-in users (editors, reviewers, the admin) always read the primary: their pages are
    # where they check what they have just written.
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    if any(request.path.startswith(prefix) for prefix in settings.REPLICA_PRIMARY_PATHS):
        return False
    credential = _credential(request)
    if credential is None:
        return True
    try:
        return not cache.get(STICKY_KEY + credential)
    except Exception:  # a cache that does not answer cannot vouch: read the primary
        logger.warning("replica reads: the cache did not answer; reading the primary")
        return False


def choose_replica(request: HttpRequest) -> str | None:
    if not replica_aliases() or not _may_use_replica(request):
        return None
    usable = usable_replicas()
    return random.choice(usable) if usable else None


def _remember_write(request: HttpRequest) -> None:
    credential = _credential(request)
    if credential is None:
        return
    try:
        cache.set(STICKY_KEY + credential, 1, timeout=settings.REPLICA_STICKY_SECONDS)
    except Exception:  # the write is done; only read-your-writes for this token is weakened
        logger.warning("replica reads: could not remember a write in the cache")


class ReplicaReadsMiddleware:
    """Decides where each request reads, remembers writes, and retries a read-only request on
    the primary when its replica fails under it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        reads = Reads(replica=choose_replica(request))
        token = _reads.set(reads)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if reads.wrote or request.method not in SAFE_METHODS:
            _remember_write(request)
        return response

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponseBase | None:
        reads = _reads.get()
        failed = reads.replica if reads else None
        match = request.resolver_match
        if not failed or reads is None or reads.wrote or match is None:
            return None
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # Nothing was written (a write would have moved the request to the primary), so the
        # view may run again from the start.
        logger.warning("replica %s failed mid-request (%s); reading the primary", failed, exception)
        mark_down(failed, f"failed mid-request: {type(exception).__name__}")
        close(failed)
        reads.replica = None
        response = match.func(request, *match.args, **match.kwargs)
        render = getattr(response, "render", None)
        return render() if callable(render) else response
