"""Webhooks: events written to the outbox with the change, then signed and delivered by Celery.

Every subscriber gets the same JSON body for an event, with headers

    X-Claimtracker-Event: claim.published
    X-Claimtracker-Event-Id: <uuid, the same on every retry>
    X-Claimtracker-Timestamp: <unix seconds of this attempt>
    X-Claimtracker-Signature: sha256=<hex HMAC-SHA256 of "<id>.<timestamp>." + body, keyed by
                              the subscription's secret>

A subscriber verifies the signature with ``signature()`` (or its own twenty lines), rejects old
timestamps, and ignores an event id it has already seen: delivery is at least once.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Iterable

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from claims.jobs import fetching
from claims.jobs.base import RetryingTask
from claims.models import Claim, EventType, OutboxEvent, Response, WebhookDelivery
from claims.models import WebhookSubscription as Subscription

logger = logging.getLogger(__name__)
# A delivery still pending this long after its event was written was lost on the way to the
# broker (or the broker lost it): the outbox sweep queues it again.
SWEEP_AFTER = dt.timedelta(minutes=2)


def signature(*, secret: str, event_id: str, timestamp: str, body: bytes) -> str:
    signed = f"{event_id}.{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def claim_payload(claim: Claim) -> dict:
    """What subscribers learn about a claim: enough to fetch it, and what changed."""
    return {
        "claim": {
            "id": claim.pk,
            "uid": str(claim.uid),
            "url": claim.get_absolute_url(),
            "speaker": claim.speaker.slug,
            "kind": claim.kind,
            "status": claim.status,
            "summary": claim.summary,
            "made_on": claim.made_on.isoformat() if claim.made_on else None,
            "made_precision": claim.made_precision,
            "incident": claim.incident.slug if claim.incident_id else None,
        }
    }


def figures_of(claim: Claim) -> list[dict]:
    return [
        {
            "category": f.category,
            "outcome": f.outcome,
            "low": f.low,
            "high": f.high,
            "qualifier": f.qualifier,
            "as_stated": f.as_stated,
        }
        for f in claim.figures.order_by("id")
    ]


@transaction.atomic
def active_subscriptions() -> list[Subscription]:
    return list(Subscription.objects.filter(is_active=True))


def record_event(
    *, event_type: str, payload: dict, active: list[Subscription] | None = None
) -> OutboxEvent | None:
    """Write an event and one pending delivery per interested subscriber, in the caller's
    transaction; the deliveries are queued only once it commits. ``active``: the active
    subscriptions, when the caller records several events (read once, not once per event)."""
    active = active_subscriptions() if active is None else active
    subscribers = [s for s in active if s.wants(event_type)]
    event = OutboxEvent.objects.create(event_type=event_type, payload=payload)
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(event=event, subscription=s) for s in subscribers]
    )
    ids = [d.pk for d in deliveries if d.pk is not None]
    if not ids:  # SQLite before 3.35 returns no ids from bulk_create
        ids = list(event.deliveries.values_list("pk", flat=True))
    transaction.on_commit(lambda: queue_deliveries(ids), robust=True)
    return event


def queue_deliveries(delivery_ids: Iterable[int]) -> int:
    """Hand deliveries to the broker; any it cannot take stay pending for the outbox sweep."""
    queued = 0
    for delivery_id in delivery_ids:
        try:
            deliver_webhook.delay(delivery_id)
            queued += 1
        except Exception:  # the broker is down: the row stays pending, the sweep retries
            logger.warning("Could not queue webhook delivery %s; the sweep will", delivery_id)
    return queued


@transaction.atomic
def record_claim_changes(
    *,
    claim: Claim,
    previous_status: str | None,
    previous_figures: list[dict] | None = None,
    previous_response_ids: Iterable[int] = (),
) -> list[OutboxEvent]:
    """Record the events one save of a claim (with its figures and answers) gave rise to.

    ``previous_*`` describe the claim before the save (status None for a new claim); call this
    in the transaction that saved it, after the related rows were saved.
    """
    events: list[OutboxEvent | None] = []
    subscribed = functools.cache(active_subscriptions)  # read at the first event, if any
    status = claim.status
    published = Claim.Status.PUBLISHED
    if status == published and previous_status != published:
        events.append(
            record_event(
                event_type=EventType.CLAIM_PUBLISHED,
                payload=claim_payload(claim),
                active=subscribed(),
            )
        )
    if status == Claim.Status.WITHDRAWN and previous_status != Claim.Status.WITHDRAWN:
        payload = {**claim_payload(claim), "reason": claim.withdrawal_reason}
        events.append(
            record_event(event_type=EventType.CLAIM_WITHDRAWN, payload=payload, active=subscribed())
        )
    if status == published:
        already = set(previous_response_ids) if previous_status == published else set()
        for response in claim.responses_made.select_related("answers__speaker"):
            if response.pk not in already:
                events.append(record_response_published(response=response, active=subscribed))
        if previous_status != published:
            # Links to this claim from published answers become public with it.
            for response in claim.responses_received.select_related("claim__speaker"):
                events.append(record_response_published(response=response, active=subscribed))
        figures = figures_of(claim)
        if (
            previous_figures is not None
            and previous_status == published
            and figures != previous_figures
        ):
            payload = {**claim_payload(claim), "figures": figures, "previous": previous_figures}
            events.append(
                record_event(
                    event_type=EventType.FIGURES_CHANGED, payload=payload, active=subscribed()
                )
            )
    return [e for e in events if e is not None]


def record_response_published(
    *, response: Response, active: Callable[[], list[Subscription]] = active_subscriptions
) -> OutboxEvent | None:
    """The allegation ↔ answer link became public: both claims are now published.

    Nothing is recorded while either side is a draft or withdrawn, so an unpublished claim's
    words never reach a subscriber; the event follows when the second of the two is published.
    """
    published = Claim.Status.PUBLISHED
    if response.claim.status != published or response.answers.status != published:
        return None
    payload = {
        "response": {"id": response.pk, "kind": response.kind, "note": response.note},
        "answering": claim_payload(response.claim)["claim"],
        "answered": claim_payload(response.answers)["claim"],
    }
    return record_event(event_type=EventType.RESPONSE_PUBLISHED, payload=payload, active=active())


def snapshot(claim: Claim | None) -> dict:
    """The state ``record_claim_changes`` compares against; take it before saving."""
    if claim is None or claim.pk is None:
        return {"previous_status": None, "previous_figures": [], "previous_response_ids": []}
    stored = Claim.objects.filter(pk=claim.pk).values_list("status", flat=True)
    return {
        "previous_status": stored.first(),
        "previous_figures": figures_of(claim),
        "previous_response_ids": list(claim.responses_made.values_list("pk", flat=True)),
    }


def body_of(event: OutboxEvent) -> bytes:
    document = {
        "id": str(event.uid),
        "type": event.event_type,
        "created_at": event.created_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def deliver(*, delivery: WebhookDelivery) -> str:
    """POST one delivery, signed; record the attempt. Raises fetching.Unavailable to be retried.

    Safe to run twice: a delivered (or blocked) delivery is not sent again.
    """
    if delivery.status != WebhookDelivery.Status.PENDING:
        return delivery.status
    event, subscription = delivery.event, delivery.subscription
    body = body_of(event)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Claimtracker-Event": event.event_type,
        "X-Claimtracker-Event-Id": str(event.uid),
        "X-Claimtracker-Timestamp": timestamp,
        "X-Claimtracker-Signature": signature(
            secret=subscription.secret, event_id=str(event.uid), timestamp=timestamp, body=body
        ),
    }
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    try:
        answer = fetching.fetch(
            subscription.url,
            method="POST",
            body=body,
            headers=headers,
            max_bytes=64 * 1024,
            deadline=settings.WEBHOOK_DEADLINE,
            # A redirect would re-send the signed body somewhere the subscriber did not name.
            follow_redirects=False,
        )
    except fetching.Blocked as error:
        return _finish(delivery, WebhookDelivery.Status.BLOCKED, error=error.reason)
    except fetching.FetchError as error:
        delivery.last_error = error.reason
        delivery.last_status_code = _status_in(error.reason)
        delivery.save()
        raise fetching.Unavailable(error.reason) from None
    if answer.status >= 300:
        delivery.last_status_code = answer.status
        delivery.save()
        raise fetching.Unavailable(f"the subscriber answered {answer.status}")
    delivery.last_status_code = answer.status
    delivery.delivered_at = timezone.now()
    return _finish(delivery, WebhookDelivery.Status.DELIVERED)


def _status_in(reason: str) -> int | None:
    words = reason.split()
    return int(words[-1]) if words and words[-1].isdigit() else None


def _finish(delivery: WebhookDelivery, status: str, error: str = "") -> str:
    delivery.status = status
    delivery.last_error = error
    delivery.save()
    return status


def give_up(*, delivery_id: int, reason: str) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, last_error=f"gave up after retries: {reason}"
    )


@shared_task
def sweep_outbox() -> int:
    """Queue deliveries that have waited too long: their first queueing was lost (Celery beat,
    every minute).

    Deliveries with a recent attempt are left alone, since their retry waits in the broker.
    """
    cutoff = timezone.now() - SWEEP_AFTER
    last_retry_due = cutoff - dt.timedelta(seconds=settings.JOBS_RETRY_BACKOFF_MAX)
    stuck = WebhookDelivery.objects.filter(
        Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=last_retry_due),
        status=WebhookDelivery.Status.PENDING,
        created_at__lt=cutoff,
    )
    return queue_deliveries(list(stuck.order_by("created_at").values_list("pk", flat=True)[:1000]))


class DeliveryTask(RetryingTask):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        if isinstance(exc, fetching.Unavailable) and args:
            give_up(delivery_id=args[0], reason=exc.reason)


@shared_task(base=DeliveryTask)
def deliver_webhook(delivery_id: int) -> str | None:
    """POST one event to one subscriber, signed; retried with backoff until it answers 2xx."""
    delivery = (
        WebhookDelivery.objects.select_related("event", "subscription")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        return None
    return deliver(delivery=delivery)
