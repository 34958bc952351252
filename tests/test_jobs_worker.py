"""Integration with a real Redis broker and a real Celery worker process (PostgreSQL only: the
worker must share the test database, which pytest-django keeps in memory on SQLite)."""

from __future__ import annotations

import hashlib

import pytest
from django.db import transaction

from claims.jobs.archiving import request_archive
from claims.models import Claim, EventType, WebhookDelivery, WebhookSubscription
from claims.record import effects
from claims.record.effects import ClaimBefore
from sources.models import Document
from tests.factories import ClaimFactory, DocumentFactory
from tests.workers import wait_for

# No serialized_rollback anywhere in the suite: restoring the migrated rows clashed with content
# types a flush's post_migrate had made again under new ids, whichever transactional test ran
# first in a process. A transactional test starts from whatever the last flush left; the roles a
# test needs are made again by UserFactory (tests/factories.py).
pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


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
