"""A real Celery worker for tests: a `celery worker` process on Redis against the test database
(PostgreSQL only), started on demand by the ``start_worker`` fixture, which conftest exposes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from kombu import pools

from claimtracker.celery import app as celery_app

BASE_DIR = Path(django_settings.BASE_DIR)
CELERY = [
    sys.executable,
    "-m",
    "celery",
    "-A",
    "claimtracker",
    "worker",
    "-P",
    "solo",
    "-l",
    "INFO",
]
CELERY += ["--without-gossip", "--without-mingle", "--without-heartbeat"]


def redis_url() -> str:
    # One Redis database per xdist worker (gw0 → 11, gw1 → 12), none shared with anything else;
    # TEST_REDIS_FIRST_DB moves them, for two checkouts testing side by side on one Redis.
    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    first = int(os.environ.get("TEST_REDIS_FIRST_DB", "11"))
    return f"redis://127.0.0.1:6379/{first + index}"


def database_url() -> str:
    if connection.vendor != "postgresql":
        pytest.fail("worker tests need PostgreSQL; on SQLite deselect them with -m 'not worker'")
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def use_broker(url: str | None) -> None:
    """Point this process's Celery app at ``url`` (None: in-process again), dropping old links."""
    celery_app.conf.update(task_always_eager=url is None, broker_url=url)
    pools.reset()  # kombu keeps connection pools per URL in a registry of its own
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


class Worker:
    """A `celery worker` process with the test's database, broker, storage and allowed server."""

    def __init__(self, env: dict[str, str], log: Path, queues: str | None = None) -> None:
        self.log = log
        self.name = f"test-{uuid.uuid4().hex[:8]}"
        only = ["-Q", queues] if queues else []
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [*CELERY, "-n", f"{self.name}@%h", *only],
                cwd=BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so a kill takes all of it
            )
        wait_for(lambda: b" ready." in log.read_bytes(), "the worker to start", seconds=30)

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, no chance to clean up."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(check: Callable[[], bool], what: str, seconds: float = 30) -> None:
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def start_worker(web, archive_storage, tmp_path) -> Iterator[Callable[..., Worker]]:
    """Start workers on demand; every one still running is stopped after the test."""
    broker = redis_url()
    redis.Redis.from_url(broker).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker,
        "SECRET_KEY": "worker-test-only",
        "DEBUG": "false",
        "MEDIA_ROOT": str(archive_storage),
        "ARCHIVE_ALLOWED_NETWORKS": "127.0.0.1/32",
        "ARCHIVE_ALLOWED_PORTS": f"80,443,{web.port}",
        # Short limits so a killed worker's message comes back within seconds.
        "CELERY_VISIBILITY_TIMEOUT": "6",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_TASK_TIME_LIMIT": "5",
        "CELERY_TASK_SOFT_TIME_LIMIT": "4",
        "ARCHIVE_DEADLINE": "3",
        "WEBHOOK_DEADLINE": "3",
        "JOBS_RETRY_BACKOFF": "1",
        "JOBS_RETRY_BACKOFF_MAX": "2",
    }
    workers: list[Worker] = []

    def start(*, queues: str | None = None, **changes: str) -> Worker:
        """A worker with the environment above, ``changes`` overriding it; ``queues``
        (comma-separated) for one started with -Q, which consumes those alone."""
        workers.append(Worker({**env, **changes}, tmp_path / "worker.log", queues))
        return workers[-1]

    use_broker(broker)
    yield start
    use_broker(None)
    for worker in workers:
        worker.stop()
    redis.Redis.from_url(broker).flushdb()
