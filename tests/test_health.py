"""/healthz: the database, the broker, the shared cache, the archive storage and the workers'
heartbeat; a short answer for load balancers and every check's timing with ?full=1."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import redis
from django.test import Client
from django.utils import timezone

from claims.jobs import heartbeat
from claims.models import WorkerHeartbeat
from claims.pages import health
from claimtracker.celery import app as celery_app

pytestmark = pytest.mark.django_db

# Redis database 14 is this file's own (the worker tests use 11 and up, per xdist worker).
REDIS = "redis://127.0.0.1:6379/14"


@pytest.fixture
def broker(settings) -> Iterator[str]:
    """The real Redis as broker, for this process's Celery app too."""
    settings.CELERY_BROKER_URL = REDIS
    celery_app.conf.broker_url = REDIS
    yield REDIS
    celery_app.conf.broker_url = None


@pytest.fixture
def shared_cache(settings) -> str:
    settings.CACHE_URL = "redis://127.0.0.1:6379/14"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    return settings.CACHE_URL


def test_healthy_without_a_broker_checks_the_database_and_storage(
    client: Client, settings, archive_storage
) -> None:
    settings.CELERY_BROKER_URL = None
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True, "storage": True}}


def test_the_storage_probe_leaves_no_file_behind(client: Client, archive_storage) -> None:
    assert client.get("/healthz").status_code == 200
    probes = archive_storage / "healthz"
    assert not probes.exists() or list(probes.iterdir()) == []


def test_with_a_broker_and_a_fresh_heartbeat_every_check_passes(
    client: Client, broker, archive_storage
) -> None:
    heartbeat.record_heartbeat(worker="celery@test")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {
        "database": True,
        "storage": True,
        "broker": True,
        "worker": True,
    }


def test_a_broker_with_no_heartbeat_yet_fails_naming_the_worker(
    client: Client, broker, archive_storage
) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert not WorkerHeartbeat.objects.exists()


def test_a_heartbeat_older_than_the_limit_fails_the_probe(
    client: Client, broker, archive_storage, settings
) -> None:
    settings.HEALTH_WORKER_MINUTES = 5
    WorkerHeartbeat.objects.create(
        name=heartbeat.NAME,
        beat_at=timezone.now() - dt.timedelta(minutes=6),
        worker="celery@gone",
    )
    response = client.get("/healthz?full=1")
    assert response.status_code == 503
    worker = response.json()["checks"]["worker"]
    assert worker["ok"] is False
    assert "celery@gone" in worker["detail"]
    assert "limit 5 min" in worker["detail"]


def test_the_heartbeat_task_writes_one_row_however_often_it_runs(settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    heartbeat.heartbeat.delay()
    heartbeat.heartbeat.delay()
    assert WorkerHeartbeat.objects.count() == 1
    assert timezone.now() - heartbeat.last_heartbeat().beat_at < dt.timedelta(seconds=30)


def test_the_heartbeat_is_scheduled_and_imported_by_workers(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]
    assert entry["task"] == heartbeat.heartbeat.name
    assert entry["schedule"] == settings.HEALTH_HEARTBEAT_SECONDS
    assert "claims.jobs.heartbeat" in settings.CELERY_IMPORTS


def test_unreachable_broker_fails_the_probe_naming_it(
    client: Client, settings, archive_storage
) -> None:
    # Port 9 (discard) has nothing listening on this machine.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    celery_app.conf.broker_url = settings.CELERY_BROKER_URL
    heartbeat.record_heartbeat(worker="celery@test")
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf.broker_url = None
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] is False
    assert response.json()["failing"] == ["broker"]


def test_the_shared_cache_is_checked_when_configured(
    client: Client, shared_cache, archive_storage
) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["cache"] is True
    assert redis.Redis.from_url(shared_cache).keys("*healthz:*") == []


def test_an_unreachable_cache_fails_the_probe(client: Client, settings, archive_storage) -> None:
    settings.CACHE_URL = "redis://127.0.0.1:9/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = client.get("/healthz?full=1")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]
    assert "ConnectionError" in response.json()["checks"]["cache"]["detail"]


def test_storage_that_cannot_be_written_fails_the_probe(client: Client, settings, tmp_path) -> None:
    # A file where the archive folder should be: nothing can be stored under it.
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.MEDIA_ROOT = str(blocked)
    response = client.get("/healthz?full=1")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]
    assert response.json()["checks"]["storage"]["ok"] is False


def test_full_answer_gives_every_check_its_timing_and_detail(
    client: Client, broker, shared_cache, archive_storage
) -> None:
    heartbeat.record_heartbeat(worker="celery@test")
    body = client.get("/healthz?full=1").json()
    assert set(body["checks"]) == {"database", "storage", "broker", "worker", "cache"}
    for check in body["checks"].values():
        assert check["ok"] is True
        assert isinstance(check["ms"], float)
        assert check["detail"]
    assert "celery@test" in body["checks"]["worker"]["detail"]
    assert set(body["extra"]) == {"stuck_jobs"}  # claims.jobs.sweep's count
    assert body["extra"]["stuck_jobs"]["ok"] is True


def test_extra_checks_show_in_the_full_answer_only_and_never_fail_it(
    client: Client, archive_storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        health.EXTRA_CHECKS, "stuck_jobs", lambda: health.Outcome(False, "3 stuck jobs")
    )
    short = client.get("/healthz")
    full = client.get("/healthz?full=1")
    assert (short.status_code, full.status_code) == (200, 200)
    assert "stuck_jobs" not in short.json()["checks"]
    assert full.json()["extra"]["stuck_jobs"]["detail"] == "3 stuck jobs"


def test_the_probe_is_never_cached_and_answers_head(client: Client, archive_storage) -> None:
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
