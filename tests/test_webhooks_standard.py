"""Standard Webhooks: every delivery carries webhook-id, webhook-timestamp and a v1 signature that
the specification's own verifier accepts, beside the claimtracker headers."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from claims.models import Claim, EventType, OutboxEvent, WebhookSubscription
from claims.record import effects
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def publish(claim: Claim, capture) -> None:
    before = effects.snapshot(claim)
    with capture(execute=True), transaction.atomic():
        claim.status = Claim.Status.PUBLISHED
        claim.save()
        effects.record_claim_events(claim=claim, before=before)


def subscribe(url: str, secret: str = "s3cret") -> WebhookSubscription:
    return WebhookSubscription.objects.create(
        name="tool", url=url, events=[EventType.CLAIM_PUBLISHED], secret=secret
    )


def test_a_delivery_verifies_with_the_standard_webhooks_library(
    web, django_capture_on_commit_callbacks
):
    subscription = subscribe(web.url("/hook"))
    publish(ClaimFactory(status="draft"), django_capture_on_commit_callbacks)
    (request,) = web.recorder.requests
    headers, body = dict(request["headers"]), request["body"]
    document = Webhook(subscription.standard_secret).verify(body, headers)
    assert document["type"] == "claim.published"
    assert headers["webhook-id"] == str(OutboxEvent.objects.get().uid) == document["id"]
    assert headers["webhook-timestamp"] == headers["X-Claimtracker-Timestamp"]
    assert headers["X-Claimtracker-Signature"].startswith("sha256=")  # today's headers stay


def test_a_delivery_does_not_verify_with_another_key_or_a_changed_body(
    web, django_capture_on_commit_callbacks
):
    subscription = subscribe(web.url("/hook"))
    publish(ClaimFactory(status="draft"), django_capture_on_commit_callbacks)
    (request,) = web.recorder.requests
    headers, body = dict(request["headers"]), request["body"]
    other = WebhookSubscription(secret="not-the-secret").standard_secret
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(subscription.standard_secret).verify(body.replace(b"claim", b"clam"), headers)


def test_the_webhook_id_is_the_same_on_every_retry(web, django_capture_on_commit_callbacks):
    subscription = subscribe(web.url("/hook-flaky/2"))
    publish(ClaimFactory(status="draft"), django_capture_on_commit_callbacks)
    assert len(web.recorder.requests) == 3
    assert {r["headers"]["webhook-id"] for r in web.recorder.requests} == {
        str(OutboxEvent.objects.get().uid)
    }
    last = web.recorder.requests[-1]
    Webhook(subscription.standard_secret).verify(last["body"], dict(last["headers"]))


def test_a_secret_given_in_the_whsec_form_signs_with_its_decoded_key(
    web, django_capture_on_commit_callbacks
):
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    subscribe(web.url("/hook"), secret=secret)
    publish(ClaimFactory(status="draft"), django_capture_on_commit_callbacks)
    (request,) = web.recorder.requests
    assert Webhook(secret).verify(request["body"], dict(request["headers"]))["id"]


def test_the_api_returns_the_standard_secret_once_and_refuses_a_broken_one(api_client):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    api_client.force_authenticate(admin)
    hook = {"name": "tool", "url": "https://hooks.example.org/in", "events": ["claim.published"]}
    created = api_client.post("/api/v1/webhooks/", hook, format="json")
    assert created.status_code == 201, created.json()
    subscription = WebhookSubscription.objects.get()
    assert created.json()["standard_secret"] == subscription.standard_secret
    assert created.json()["standard_secret"].startswith("whsec_")
    listed = api_client.get("/api/v1/webhooks/").json()["results"][0]
    assert "standard_secret" not in listed
    broken = api_client.post("/api/v1/webhooks/", {**hook, "secret": "whsec_***"}, format="json")
    assert broken.status_code == 400
    assert "whsec_" in str(broken.json())  # the message names the form it expects
