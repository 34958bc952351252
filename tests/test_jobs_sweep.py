"""The stuck-job sweep: imports, archives and deliveries waiting or running past their deadline
are queued again or ended with a reason, and /healthz?full=1 counts them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from claims.exchange.jobs import start_import
from claims.jobs import sweep
from claims.models import EventType, ImportJob, OutboxEvent, WebhookDelivery, WebhookSubscription
from sources.models import Actor, Document
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db
ACTOR = b'{"type":"actor","slug":"mod","name":"Ministry of Defence","kind":"state_body"}\n'


def ago(minutes: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


@pytest.fixture
def lost_import(archive_storage, editor) -> ImportJob:
    """An upload whose message never reached a worker (the broker was down at commit)."""
    job = start_import(upload=SimpleUploadedFile("a.jsonl", ACTOR), user=editor)
    ImportJob.objects.filter(pk=job.pk).update(queued_at=ago(20), created_at=ago(20))
    return job


def test_an_import_queued_past_its_deadline_is_queued_again_and_imported(lost_import):
    assert sweep.stuck_counts()["imports"] == 1
    # No broker in tests: the task queued again runs in-process.
    assert sweep.sweep()["imports_requeued"] == 1
    lost_import.refresh_from_db()
    assert lost_import.status == "done"
    assert Actor.objects.count() == 1
    assert sweep.stuck_counts()["imports"] == 0


def test_an_import_queued_recently_is_left_alone(archive_storage, editor):
    start_import(upload=SimpleUploadedFile("a.jsonl", ACTOR), user=editor)
    assert sweep.stuck_counts()["imports"] == 0
    assert sweep.sweep()["imports_requeued"] == 0


def test_an_import_no_worker_took_for_long_ends_failed_saying_so(lost_import, settings):
    ImportJob.objects.filter(pk=lost_import.pk).update(created_at=ago(24 * 60))
    assert sweep.sweep()["imports_failed"] == 1
    lost_import.refresh_from_db()
    assert lost_import.status == "failed"
    assert "no worker started the import within 45 minutes" in lost_import.message
    assert lost_import.finished_at is not None


def test_an_import_whose_worker_died_is_run_again_from_the_start(lost_import):
    ImportJob.objects.filter(pk=lost_import.pk).update(
        status="importing", started_at=ago(20), attempts=1
    )
    assert sweep.stuck_counts()["imports"] == 1
    assert sweep.sweep()["imports_requeued"] == 1
    lost_import.refresh_from_db()
    assert lost_import.status == "done"
    assert lost_import.attempts == 2
    assert Actor.objects.count() == 1


def test_an_import_interrupted_every_time_ends_failed_after_its_tries(lost_import, settings):
    ImportJob.objects.filter(pk=lost_import.pk).update(
        status="validating", started_at=ago(20), attempts=settings.JOBS_STUCK_MAX_ATTEMPTS
    )
    assert sweep.sweep()["imports_failed"] == 1
    lost_import.refresh_from_db()
    assert lost_import.status == "failed"
    assert "interrupted 3 times" in lost_import.message
    assert not Actor.objects.exists()


def test_a_running_import_within_its_deadline_is_left_to_its_worker(lost_import):
    ImportJob.objects.filter(pk=lost_import.pk).update(status="importing", started_at=ago(1))
    assert sweep.sweep() == {
        "imports_requeued": 0,
        "imports_failed": 0,
        "archives_requeued": 0,
        "deliveries_requeued": 0,
    }
    assert ImportJob.objects.get().status == "importing"


def test_an_archive_pending_past_its_retries_is_counted_and_queued_again(
    web, no_outside_dns, archive_storage, django_capture_on_commit_callbacks
):
    document = DocumentFactory(url=web.url("/text"))
    Document.objects.filter(pk=document.pk).update(
        archive_status="pending", updated_at=ago(24 * 60)
    )
    assert sweep.stuck_counts()["archives"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep.sweep()["archives_requeued"] == 1
    assert Document.objects.get(pk=document.pk).archive_status == "archived"
    assert sweep.stuck_counts()["archives"] == 0


def test_a_delivery_pending_past_its_retries_is_counted_and_queued_again(web, no_outside_dns):
    subscription = WebhookSubscription.objects.create(
        name="tool", url=web.url("/hook"), events=[EventType.CLAIM_PUBLISHED]
    )
    event = OutboxEvent.objects.create(event_type=EventType.CLAIM_PUBLISHED, payload={})
    delivery = WebhookDelivery.objects.create(event=event, subscription=subscription)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=ago(24 * 60))
    assert sweep.stuck_counts()["deliveries"] == 1
    assert sweep.sweep()["deliveries_requeued"] == 1
    assert WebhookDelivery.objects.get().status == "delivered"


def test_the_full_health_answer_counts_stuck_jobs_without_failing(
    client, lost_import, django_assert_max_num_queries
):
    answer = client.get("/healthz", {"full": "1"})
    assert answer.status_code == 200
    stuck = answer.json()["extra"]["stuck_jobs"]
    assert stuck["ok"] is False
    assert stuck["detail"] == "stuck past their deadline: 1 imports, 0 archives, 0 deliveries"
    assert client.get("/healthz").json()["status"] == "ok"


def test_counting_stuck_jobs_takes_one_query_per_kind(lost_import, django_assert_num_queries):
    # imports; documents' archives; evidence's archives; deliveries
    with django_assert_num_queries(4):
        assert sweep.stuck_counts() == {"imports": 1, "archives": 0, "deliveries": 0}


def test_the_sweep_is_on_the_beat_schedule_and_imported_by_workers(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-stuck-jobs"]
    assert entry["task"] == "claims.jobs.sweep.sweep_stuck_jobs"
    assert entry["schedule"] == settings.JOBS_SWEEP_SECONDS
    assert "claims.jobs.sweep" in settings.CELERY_IMPORTS
    assert sweep.IMPORT_TASK == "claims.exchange.jobs.run_import"
