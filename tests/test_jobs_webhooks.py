"""Webhooks: events written with the change, signed, delivered with retries, logged."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from claims.jobs import webhooks
from claims.ledger import tree
from claims.models import Claim, EventType, OutboxEvent, WebhookDelivery, WebhookSubscription
from claims.record import effects
from claims.record.effects import ClaimBefore
from claimtracker.celery import app as celery_app
from tests.factories import ClaimFactory, FigureFactory, ResponseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_content_types() -> None:
    """A transactional test in the same process may have emptied and refilled the content types
    under new ids; admin log entries must not use ids cached before that."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


ALL_EVENTS = list(EventType.values)


def subscribe(url: str, events: list[str] = ALL_EVENTS) -> WebhookSubscription:
    return WebhookSubscription.objects.create(name="tool", url=url, events=events, secret="s3cret")


def publish(claim: Claim, capture) -> None:
    before = effects.snapshot(claim)
    with capture(execute=True), transaction.atomic():
        claim.status = Claim.Status.PUBLISHED
        claim.save()
        effects.record_claim_events(claim=claim, before=before)


def test_the_signature_verifies_with_the_subscribers_secret(
    web, django_capture_on_commit_callbacks
):
    subscribe(web.url("/hook"), [EventType.CLAIM_PUBLISHED])
    publish(ClaimFactory(status="draft"), django_capture_on_commit_callbacks)
    (request,) = web.recorder.requests
    headers, body = request["headers"], request["body"]
    event_id, stamp = headers["X-Claimtracker-Event-Id"], headers["X-Claimtracker-Timestamp"]
    expected = hmac.new(b"s3cret", f"{event_id}.{stamp}.".encode() + body, hashlib.sha256)
    assert hmac.compare_digest(
        headers["X-Claimtracker-Signature"], "sha256=" + expected.hexdigest()
    )
    wrong = hmac.new(b"other", f"{event_id}.{stamp}.".encode() + body, hashlib.sha256)
    assert headers["X-Claimtracker-Signature"] != "sha256=" + wrong.hexdigest()
    document = json.loads(body)
    assert document["id"] == event_id
    assert document["type"] == "claim.published"
    assert headers["X-Claimtracker-Event"] == "claim.published"
    assert abs(int(stamp) - timezone.now().timestamp()) < 60


def test_a_subscriber_answering_500_three_times_then_200_gets_the_event_once(
    web, django_capture_on_commit_callbacks
):
    subscribe(web.url("/hook-flaky/3"), [EventType.CLAIM_PUBLISHED])
    publish(ClaimFactory(status="draft"), django_capture_on_commit_callbacks)
    assert len(web.recorder.requests) == 4
    assert {r["headers"]["X-Claimtracker-Event-Id"] for r in web.recorder.requests} == {
        str(OutboxEvent.objects.get().uid)
    }
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert (delivery.attempts, delivery.last_status_code) == (4, 200)


def test_a_subscriber_that_never_recovers_is_given_up_on(
    web, django_capture_on_commit_callbacks, settings
):
    subscribe(web.url("/status/502"), [EventType.CLAIM_PUBLISHED])
    publish(ClaimFactory(status="draft"), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempts == settings.JOBS_MAX_RETRIES + 1
    assert "502" in delivery.last_error


def test_a_target_on_a_refused_address_is_blocked_without_a_connection(
    web, django_capture_on_commit_callbacks, settings
):
    settings.ARCHIVE_ALLOWED_NETWORKS = []
    subscribe(web.url("/hook"), [EventType.CLAIM_PUBLISHED])
    publish(ClaimFactory(status="draft"), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.BLOCKED
    assert "loopback" in delivery.last_error
    assert web.recorder.connections == 0


def test_the_event_is_written_in_the_transaction_of_the_change():
    subscribe("https://hooks.example.org/in")
    claim = ClaimFactory(status="draft")

    @transaction.atomic
    def publish_then_fail() -> None:
        claim.status = Claim.Status.PUBLISHED
        claim.save()
        effects.record_claim_events(claim=claim, before=ClaimBefore(status="draft"))
        raise RuntimeError("the save failed after the event was written")

    with pytest.raises(RuntimeError):
        publish_then_fail()
    assert not OutboxEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_withdrawal_answers_and_figure_changes_each_make_their_event():
    subscribe("https://hooks.example.org/in")
    allegation = ClaimFactory()
    answer = ClaimFactory(status="draft")
    ResponseFactory(claim=answer, answers=allegation)
    effects.record_claim_events(claim=answer, before=ClaimBefore(status=None))  # a draft: nothing
    assert not OutboxEvent.objects.exists()
    answer.status = Claim.Status.PUBLISHED
    effects.record_claim_events(claim=answer, before=ClaimBefore(status="draft"))
    figure = FigureFactory(claim=allegation, low=10, high=10)
    before = effects.snapshot(allegation)
    figure.low = figure.high = 12
    figure.save()
    effects.record_claim_events(claim=allegation, before=before)
    allegation.status, allegation.withdrawal_reason = Claim.Status.WITHDRAWN, "wrong source"
    effects.record_claim_events(claim=allegation, before=ClaimBefore(status="published"))
    kinds = list(OutboxEvent.objects.order_by("id").values_list("event_type", flat=True))
    assert kinds == [
        "claim.published",
        "response.published",
        "figures.changed",
        "claim.withdrawn",
    ]
    changed = OutboxEvent.objects.get(event_type="figures.changed").payload
    assert (changed["previous"][0]["low"], changed["figures"][0]["low"]) == (10, 12)


def test_an_answer_to_a_draft_is_announced_only_when_the_draft_is_published():
    subscribe("https://hooks.example.org/in")
    draft = ClaimFactory(status="draft", summary="Unpublished words.")
    answer = ClaimFactory(status="published")
    ResponseFactory(claim=answer, answers=draft)
    effects.record_claim_events(claim=answer, before=ClaimBefore(status="draft"))
    assert list(OutboxEvent.objects.values_list("event_type", flat=True)) == ["claim.published"]
    assert "Unpublished words." not in json.dumps(list(OutboxEvent.objects.values("payload")))

    draft.status = Claim.Status.PUBLISHED
    effects.record_claim_events(claim=draft, before=ClaimBefore(status="draft"))

    kinds = list(OutboxEvent.objects.order_by("id").values_list("event_type", flat=True))
    assert kinds == ["claim.published", "claim.published", "response.published"]
    link = OutboxEvent.objects.get(event_type="response.published").payload
    assert (link["answering"]["id"], link["answered"]["id"]) == (answer.pk, draft.pk)


def test_deliveries_lost_while_the_broker_was_down_are_sent_by_the_sweep(
    web, django_capture_on_commit_callbacks, settings
):
    """With no broker answering at commit time, the outbox keeps the delivery; the sweep
    queues it once the broker is back (here: in-process again)."""
    subscribe(web.url("/hook"), [EventType.CLAIM_PUBLISHED])
    celery_app.conf.update(task_always_eager=False, broker_url="redis://127.0.0.1:1/0")
    try:
        publish(ClaimFactory(status="draft"), django_capture_on_commit_callbacks)
    finally:
        celery_app.conf.update(task_always_eager=True, broker_url=None)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert web.recorder.requests == []
    WebhookDelivery.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert webhooks.sweep_outbox() == 1
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert len(web.recorder.requests) == 1
    assert webhooks.sweep_outbox() == 0


def test_publishing_in_the_admin_records_the_event(admin_client):
    subscribe("https://hooks.example.org/in", [EventType.CLAIM_PUBLISHED])
    claim = ClaimFactory(status="draft")
    form = {
        "speaker": claim.speaker_id,
        "kind": "other",
        "summary": claim.summary,
        "quote_language": "en",
        "made_on": "2017-09-26",
        "made_precision": "day",
        "status": "published",
        "read_version": claim.version,
    }
    for prefix in [
        "claim_targets",
        "figures",
        "attributions",
        "responses_made",
        "responses_received",
        "evidence",
    ]:
        form.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    answer = admin_client.post(reverse("admin:claims_claim_change", args=[claim.pk]), form)
    assert answer.status_code == 302
    event = OutboxEvent.objects.get()
    assert event.event_type == "claim.published"
    assert event.payload["claim"]["uid"] == str(claim.uid)
    assert event.deliveries.get().status == WebhookDelivery.Status.PENDING


def test_the_delivery_log_shows_in_the_admin(web, admin_client, django_capture_on_commit_callbacks):
    subscription = subscribe(web.url("/hook-flaky/1"), [EventType.CLAIM_PUBLISHED])
    publish(ClaimFactory(status="draft"), django_capture_on_commit_callbacks)
    page = admin_client.get(
        reverse("admin:claims_webhooksubscription_change", args=[subscription.pk])
    )
    assert page.status_code == 200
    assert b"delivery log" in page.content.lower()
    assert b"delivered" in page.content


def test_tools_subscribe_through_the_api_and_read_the_log(api_client):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    api_client.force_authenticate(admin)
    created = api_client.post(
        "/api/v1/webhooks/",
        {"name": "tool", "url": "https://hooks.example.org/in", "events": ["claim.published"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert len(created.json()["secret"]) > 20
    subscription = WebhookSubscription.objects.get()
    assert subscription.secret == created.json()["secret"]
    listed = api_client.get("/api/v1/webhooks/").json()
    assert "secret" not in listed["results"][0]
    bad = api_client.post(
        "/api/v1/webhooks/",
        {"name": "x", "url": "https://hooks.example.org/in", "events": ["claim.eaten"]},
        format="json",
    )
    assert bad.status_code == 400
    log = api_client.get(f"/api/v1/webhooks/{subscription.pk}/deliveries/")
    assert log.status_code == 200


def test_anonymous_users_cannot_read_subscriptions(api_client):
    subscribe("https://hooks.example.org/in")
    assert api_client.get("/api/v1/webhooks/").status_code in (401, 403)


def test_a_delivery_names_the_ledger_head_it_was_sent_at(web, django_capture_on_commit_callbacks):
    subscribe(web.url("/hook"), [EventType.CLAIM_PUBLISHED])
    publish(ClaimFactory(status="draft"), django_capture_on_commit_callbacks)
    (request,) = web.recorder.requests
    size, root = request["headers"]["X-Claimtracker-Ledger-Head"].split(" ")
    assert int(size) == tree.size()
    assert root == tree.root(int(size)).hex()
