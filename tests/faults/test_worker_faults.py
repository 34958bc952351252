"""Faults around background work, with a real Redis broker and real Celery worker processes on
PostgreSQL: a worker killed in the middle of a task, the broker down when work is queued, jobs
left stuck until the sweep finds them, and imports racing to create the same actor.

Each test says what must hold afterwards: exactly one result, nothing lost, every job ended.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from claims.exchange.jobs import run_import_job, start_import
from claims.jobs import webhooks
from claims.jobs.archiving import request_archive
from claims.jobs.sweep import stuck_counts, sweep_imports
from claims.models import Claim, EventType, ImportJob, WebhookDelivery, WebhookSubscription
from claims.record import effects
from claims.record.effects import ClaimBefore
from sources.models import Actor, Alias, Document
from tests.factories import ClaimFactory, DocumentFactory
from tests.workers import redis_url, use_broker, wait_for

pytestmark = [
    pytest.mark.faults,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]
DOWN = "redis://127.0.0.1:1/0"  # nothing listens there: the broker is down


def actors(count: int, prefix: str = "body") -> bytes:
    return "".join(
        f'{{"type":"actor","slug":"{prefix}-{n}","name":"Public body {prefix} {n}",'
        '"kind":"state_body"}\n'
        for n in range(count)
    ).encode()


def status_of(job: ImportJob) -> str:
    return ImportJob.objects.values_list("status", flat=True).get(pk=job.pk)


def archive_status(document: Document) -> str:
    return Document.objects.values_list("archive_status", flat=True).get(pk=document.pk)


def test_a_worker_killed_mid_archive_leaves_one_copy_and_one_archived_row(
    start_worker, web, archive_storage
):
    first = start_worker()
    document = DocumentFactory(url=web.url("/slow/1"))
    with transaction.atomic():
        request_archive(item=document)
    wait_for(lambda: len(web.recorder.requests) == 1, "the worker to start fetching")
    first.kill()
    assert archive_status(document) == "pending"
    start_worker()
    # Redis hands the unacknowledged message out again once its visibility timeout has passed.
    wait_for(lambda: archive_status(document) == "archived", "the archive after the kill", 40)
    assert Document.objects.filter(archive_status="archived").count() == 1
    files = [p for p in archive_storage.rglob("*") if p.is_file()]
    # One raw copy, and one WARC of the capture beside it under archive/warc/.
    assert [p.name for p in files if "warc" not in p.parts] == [
        hashlib.sha256(b"slow words").hexdigest()
    ]
    time.sleep(1)  # a second run, were there one, would have had time to store a second copy
    assert len([p for p in files if "warc" in p.parts]) == 1
    assert len([p for p in archive_storage.rglob("*") if p.is_file()]) == 2  # copy and WARC


def test_the_outbox_holds_nothing_back_when_the_broker_was_down_at_commit(start_worker, web):
    WebhookSubscription.objects.create(
        name="tool", url=web.url("/hook"), events=[EventType.CLAIM_PUBLISHED]
    )
    use_broker(DOWN)
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


def test_a_worker_killed_mid_import_leaves_the_file_imported_once(start_worker, editor):
    # Long enough limits that the import finishes in one run; the dead run is found by the sweep.
    limits = {"CELERY_TASK_TIME_LIMIT": "120", "CELERY_TASK_SOFT_TIME_LIMIT": "110"}
    limits["CELERY_VISIBILITY_TIMEOUT"] = "600"
    first = start_worker(**limits)
    job = start_import(upload=SimpleUploadedFile("many.jsonl", actors(2000)), user=editor)
    wait_for(lambda: status_of(job) == "importing", "the worker to start writing", 60)
    first.kill()
    # The rows were written in one transaction, which died with the worker's connection.
    wait_for(lambda: not Actor.objects.exists(), "the dead run's transaction to end", 10)
    assert status_of(job) == "importing"
    ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - dt.timedelta(hours=1))
    assert stuck_counts()["imports"] == 1

    start_worker(**limits)
    assert sweep_imports() == {"requeued": 1, "failed": 0}
    wait_for(lambda: status_of(job) == "done", "the import run again", 120)
    job.refresh_from_db()
    assert job.attempts == 2
    assert job.created == {"actors": 2000}
    assert Actor.objects.count() == 2000
    assert stuck_counts()["imports"] == 0


def test_an_upload_while_the_broker_is_down_is_kept_and_imported_once_the_sweep_requeues_it(
    start_worker, api_client, editor, settings
):
    use_broker(DOWN)
    api_client.force_authenticate(editor)
    file = SimpleUploadedFile("few.jsonl", actors(3), "application/x-ndjson")
    answer = api_client.post("/api/v1/imports/", {"file": file}, format="multipart")
    assert answer.status_code == 202, answer.content
    job = ImportJob.objects.get(pk=answer.json()["id"])
    assert job.status == "queued"

    use_broker(redis_url())  # the broker is back, and a worker with it
    start_worker()
    time.sleep(2)
    assert status_of(job) == "queued"  # nothing was ever sent: only the sweep can find it
    late = timezone.now() - dt.timedelta(minutes=settings.JOBS_STUCK_QUEUED_MINUTES + 1)
    ImportJob.objects.filter(pk=job.pk).update(queued_at=late)
    assert sweep_imports() == {"requeued": 1, "failed": 0}
    wait_for(lambda: status_of(job) == "done", "the import the sweep queued again")
    assert Actor.objects.count() == 3
    assert sweep_imports() == {"requeued": 0, "failed": 0}


def test_an_import_no_worker_ever_takes_ends_failed_saying_so(settings, editor):
    use_broker(DOWN)
    try:
        job = start_import(upload=SimpleUploadedFile("few.jsonl", actors(1)), user=editor)
        waited = settings.JOBS_STUCK_QUEUED_MINUTES * settings.JOBS_STUCK_MAX_ATTEMPTS + 1
        long_ago = timezone.now() - dt.timedelta(minutes=waited)
        ImportJob.objects.filter(pk=job.pk).update(created_at=long_ago, queued_at=long_ago)
        assert sweep_imports() == {"requeued": 0, "failed": 1}
    finally:
        use_broker(None)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message.startswith("no worker started the import within")
    assert not Actor.objects.exists()


SHARED = (
    '{"type":"actor","slug":"shared-ministry","name":"Shared Ministry","kind":"state_body",'
    '"aliases":[["The Ministry","en"]]}\n'
)


@pytest.mark.parametrize("runs", [8])
def test_simultaneous_imports_creating_the_same_actor_all_end_and_make_it_once(editor, runs):
    use_broker(DOWN)  # the jobs stay queued, for the threads below to run all at once
    try:
        jobs = [
            start_import(
                upload=SimpleUploadedFile(f"{n}.jsonl", SHARED.encode() + actors(20, f"own{n}")),
                user=editor,
            )
            for n in range(runs)
        ]
    finally:
        use_broker(None)
    start = threading.Barrier(runs)
    ended: dict[int, str] = {}

    def run(job: ImportJob) -> None:
        try:
            start.wait(timeout=30)
            ended[job.pk] = run_import_job(job=job)
        finally:
            connection.close()  # each thread's own connection

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(ended.values()) == ["done"] * runs
    assert Actor.objects.filter(slug="shared-ministry").count() == 1
    assert Alias.objects.filter(actor__slug="shared-ministry").count() == 1
    assert Actor.objects.count() == 1 + 20 * runs
    assert not ImportJob.objects.exclude(status="done").exists()
