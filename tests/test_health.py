"""/healthz: the database, the broker, the shared cache, the archive storage and the workers'
heartbeat; a short answer for load balancers and every check's timing with ?full=1."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings
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


def every_queue_beats(worker: str = "celery@test") -> None:
    for queue in settings.HEALTH_WORKER_QUEUES:
        heartbeat.record_heartbeat(queue=queue, worker=worker)


def test_with_a_broker_and_a_fresh_heartbeat_every_check_passes(
    client: Client, broker, archive_storage
) -> None:
    every_queue_beats()
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
    every_queue_beats()
    WorkerHeartbeat.objects.filter(name="archive").update(
        beat_at=timezone.now() - dt.timedelta(minutes=6), worker="celery@gone"
    )
    response = client.get("/healthz?full=1")
    assert response.status_code == 503
    worker = response.json()["checks"]["worker"]
    assert worker["ok"] is False
    assert "no heartbeat within 5 min on archive;" in worker["detail"]
    assert "archive: 360 s ago from celery@gone" in worker["detail"]


def test_one_queue_without_a_worker_fails_the_probe_naming_that_queue(
    client: Client, broker, archive_storage, settings
) -> None:
    # Workers consume "default" and "archive" but none was started with -Q imports.
    every_queue_beats()
    WorkerHeartbeat.objects.filter(name="imports").delete()
    worker = client.get("/healthz?full=1").json()["checks"]["worker"]
    assert worker["ok"] is False
    assert worker["detail"].startswith("no heartbeat within 5 min on imports;")
    assert "imports: no worker has run its heartbeat yet" in worker["detail"]


def test_queues_left_out_of_health_worker_queues_are_not_watched(
    client: Client, broker, archive_storage, settings
) -> None:
    settings.HEALTH_WORKER_QUEUES = ["default", "archive"]
    heartbeat.record_heartbeat(queue="default", worker="celery@a")
    heartbeat.record_heartbeat(queue="archive", worker="celery@b")
    assert client.get("/healthz").status_code == 200


def test_the_heartbeat_task_writes_one_row_per_queue_however_often_it_runs(settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    heartbeat.heartbeat.delay(queue="archive")
    heartbeat.heartbeat.delay(queue="archive")
    heartbeat.heartbeat.delay(queue="default")
    assert sorted(WorkerHeartbeat.objects.values_list("name", flat=True)) == [
        "archive",
        "default",
    ]
    beats = heartbeat.last_heartbeats(["archive", "quotes"])
    assert timezone.now() - beats["archive"].beat_at < dt.timedelta(seconds=30)
    assert beats["quotes"] is None


def test_beat_sends_a_heartbeat_to_each_queue_and_workers_import_it(settings) -> None:
    entries = {
        name: entry
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if entry["task"] == heartbeat.heartbeat.name
    }
    assert sorted(entries) == sorted(f"worker-heartbeat-{q}" for q in settings.JOBS_QUEUES)
    for name, entry in entries.items():
        queue = name.removeprefix("worker-heartbeat-")
        assert entry["kwargs"] == {"queue": queue}
        assert entry["options"]["queue"] == queue
        assert entry["schedule"] == settings.HEALTH_HEARTBEAT_SECONDS
        # The queue given when sending wins over the task's route to "default".
        route = celery_app.amqp.router.route(dict(entry["options"]), entry["task"])
        assert route["queue"].name == queue
    assert "claims.jobs.heartbeat" in settings.CELERY_IMPORTS


def test_unreachable_broker_fails_the_probe_naming_it(
    client: Client, settings, archive_storage
) -> None:
    # Port 9 (discard) has nothing listening on this machine.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    celery_app.conf.broker_url = settings.CELERY_BROKER_URL
    every_queue_beats()
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
    every_queue_beats()
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
