"""Webhooks: events written to the outbox with the change, then signed and delivered by Celery.

Every subscriber gets the same JSON body for an event, with headers

    X-Claimtracker-Event: claim.published
    X-Claimtracker-Event-Id: <uuid, the same on every retry>
    X-Claimtracker-Timestamp: <unix seconds of this attempt>
    X-Claimtracker-Signature: sha256=<hex HMAC-SHA256 of "<id>.<timestamp>." + body, keyed by
                              the subscription's secret>
    X-Claimtracker-Ledger-Head: <tree size> <root hash>: the history's Merkle tree as the
                              delivery was sent (check it against GET /api/v1/ledger/head/)

and, beside them, the three headers of the Standard Webhooks specification, so a receiver can
use any of its libraries:

    webhook-id: <the event's uuid, the same on every retry>
    webhook-timestamp: <unix seconds of this attempt>
    webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>." + body>

keyed by the subscription's secret in the specification's ``whsec_<base64>`` form
(``WebhookSubscription.standard_secret``, returned with the secret when a subscription is
made: the base64 of the secret's own bytes, unless the secret was given in that form).

A subscriber verifies the signature with ``signature()`` (or its own twenty lines), rejects old
timestamps, and ignores an event id it has already seen: delivery is at least once.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterable
from typing import Any

from billiard.einfo import ExceptionInfo
from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from claims.jobs import fetching
from claims.jobs.base import RetryingTask
from claims.ledger import tree
from claims.models import OutboxEvent, WebhookDelivery
from claims.models import WebhookSubscription as Subscription
from claimtracker.numbers import plain_int

logger = logging.getLogger(__name__)
# A delivery still pending this long after its event was written was lost on the way to the
# broker (or the broker lost it): the outbox sweep queues it again.
SWEEP_AFTER = dt.timedelta(minutes=2)


def signature(*, secret: str, event_id: str, timestamp: str, body: bytes) -> str:
    signed = f"{event_id}.{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def standard_signature(*, key: bytes, event_id: str, timestamp: str, body: bytes) -> str:
    """The Standard Webhooks ``webhook-signature`` value: version 1, base64 of the HMAC."""
    signed = f"{event_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(*, subscription: Subscription, event: OutboxEvent, body: bytes) -> dict:
    """Both sets of signature headers for one attempt, over one timestamp."""
    event_id, timestamp = str(event.uid), str(int(time.time()))
    return {
        "X-Claimtracker-Event": event.event_type,
        "X-Claimtracker-Event-Id": event_id,
        "X-Claimtracker-Timestamp": timestamp,
        "X-Claimtracker-Signature": signature(
            secret=subscription.secret, event_id=event_id, timestamp=timestamp, body=body
        ),
        "webhook-id": event_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": standard_signature(
            key=subscription.signing_key, event_id=event_id, timestamp=timestamp, body=body
        ),
    }


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
    if subscribers and not ids:  # SQLite before 3.35 returns no ids from bulk_create
        ids = list(event.deliveries.values_list("pk", flat=True))
    if ids:  # nothing to queue for no subscriber: an import records an event a claim
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
    headers = {
        "Content-Type": "application/json",
        **signed_headers(subscription=subscription, event=event, body=body),
        "X-Claimtracker-Ledger-Head": tree.head_label(),
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
    return plain_int(words[-1]) if words else None


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
    def on_failure(
        self,
        exc: Exception,
        task_id: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        einfo: ExceptionInfo,
    ) -> None:
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
