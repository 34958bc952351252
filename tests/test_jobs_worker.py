"""Integration with a real Redis broker and a real Celery worker process (PostgreSQL only: the
worker must share the test database, which pytest-django keeps in memory on SQLite)."""

from __future__ import annotations

import datetime as dt
import hashlib
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
from django.db import connection, transaction
from django.utils import timezone
from kombu import pools

from claims.jobs import webhooks
from claims.jobs.archiving import request_archive
from claims.models import Claim, EventType, WebhookDelivery, WebhookSubscription
from claims.record import effects
from claims.record.effects import ClaimBefore
from claimtracker.celery import app as celery_app
from sources.models import Document
from tests.factories import ClaimFactory, DocumentFactory

# No serialized_rollback anywhere in the suite: restoring the migrated rows clashed with content
# types a flush's post_migrate had made again under new ids, whichever transactional test ran
# first in a process. A transactional test starts from whatever the last flush left; the roles a
# test needs are made again by UserFactory (tests/factories.py).
pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]
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
    # One Redis database per xdist worker (gw0 → 11, gw1 → 12), none shared with anything else.
    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    return f"redis://127.0.0.1:6379/{11 + index}"


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

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [*CELERY, "-n", f"test-{uuid.uuid4().hex[:8]}@%h"],
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
def start_worker(web, archive_storage, tmp_path) -> Iterator[Callable[[], Worker]]:
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

    def start() -> Worker:
        workers.append(Worker(env, tmp_path / "worker.log"))
        return workers[-1]

    use_broker(broker)
    yield start
    use_broker(None)
    for worker in workers:
        worker.stop()
    redis.Redis.from_url(broker).flushdb()


def status_of(document: Document) -> str:
    return Document.objects.values_list("archive_status", flat=True).get(pk=document.pk)


def test_a_saved_document_is_archived_by_the_worker_with_the_right_hash(start_worker, web):
    start_worker()
    document = DocumentFactory(url=web.url("/page.html"))
    with transaction.atomic():
        request_archive(item=document)
    wait_for(lambda: status_of(document) == "archived", "the archive")
    document.refresh_from_db()
    assert document.archive_sha256 == hashlib.sha256(web.PAGE_HTML.encode()).hexdigest()
    assert document.archive_size == len(web.PAGE_HTML.encode())


def test_a_worker_killed_mid_archive_leaves_one_copy_and_one_archived_row(
    start_worker, web, archive_storage
):
    first = start_worker()
    document = DocumentFactory(url=web.url("/slow/1"))
    with transaction.atomic():
        request_archive(item=document)
    wait_for(lambda: len(web.recorder.requests) == 1, "the worker to start fetching")
    first.kill()
    assert status_of(document) == "pending"
    start_worker()
    # Redis hands the unacknowledged message out again once its visibility timeout has passed.
    wait_for(lambda: status_of(document) == "archived", "the archive after the kill", 40)
    assert Document.objects.filter(archive_status="archived").count() == 1
    assert [p.name for p in archive_storage.rglob("*") if p.is_file()] == [
        hashlib.sha256(b"slow words").hexdigest()
    ]
    time.sleep(1)  # a second run, were there one, would have had time to store a second copy
    assert len([p for p in archive_storage.rglob("*") if p.is_file()]) == 1


def test_a_subscriber_failing_three_times_gets_the_event_once_through_the_worker(start_worker, web):
    start_worker()
    WebhookSubscription.objects.create(
        name="tool", url=web.url("/hook-flaky/3"), events=[EventType.CLAIM_PUBLISHED]
    )
    claim = ClaimFactory(status="draft")
    with transaction.atomic():
        claim.status = Claim.Status.PUBLISHED
        claim.save()
        effects.record_claim_events(claim=claim, before=ClaimBefore(status="draft"))
    delivered = WebhookDelivery.objects.filter(status="delivered")
    wait_for(delivered.exists, "the delivery after three failures")
    assert len(web.recorder.requests) == 4
    assert WebhookDelivery.objects.get().attempts == 4


def test_the_outbox_holds_nothing_back_when_the_broker_was_down_at_commit(start_worker, web):
    WebhookSubscription.objects.create(
        name="tool", url=web.url("/hook"), events=[EventType.CLAIM_PUBLISHED]
    )
    use_broker("redis://127.0.0.1:1/0")  # nothing listens there: the broker is down
    claim = ClaimFactory(status="draft")
    with transaction.atomic():
        claim.status = Claim.Status.PUBLISHED
        claim.save()
        effects.record_claim_events(claim=claim, before=ClaimBefore(status="draft"))
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending"
    use_broker(redis_url())  # the broker is back
    start_worker()
    WebhookDelivery.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert webhooks.sweep_outbox() == 1
    wait_for(lambda: WebhookDelivery.objects.filter(status="delivered").exists(), "delivery")
    assert len(web.recorder.requests) == 1
