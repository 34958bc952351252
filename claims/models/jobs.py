"""Background work that leaves a record: webhook subscriptions, the event outbox, deliveries, and
dataset imports with their progress."""

from __future__ import annotations

import base64
import binascii
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


class EventType(models.TextChoices):
    CLAIM_PUBLISHED = "claim.published", "claim published"
    RESPONSE_PUBLISHED = "response.published", "response published (allegation ↔ answer link)"
    CLAIM_WITHDRAWN = "claim.withdrawn", "claim withdrawn"
    FIGURES_CHANGED = "figures.changed", "casualty figures changed"


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


def _is_base64(text: str) -> bool:
    try:
        return bool(base64.b64decode(text, validate=True))
    except binascii.Error:
        return False


class WebhookSubscription(models.Model):
    """A tool that wants to hear of changes: where to POST, which events, and the shared secret."""

    name = models.CharField(max_length=100, help_text="Which tool this is, for the delivery log.")
    url = models.URLField("target URL", max_length=2000)
    secret = models.CharField(
        max_length=200,
        default=new_webhook_secret,
        help_text="Shared with the subscriber; it signs every delivery (HMAC-SHA256).",
    )
    events = models.JSONField(default=list, help_text="Event types to deliver.")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = sorted(set(self.events or []) - set(EventType.values))
        if not isinstance(self.events, list) or not self.events:
            raise ValidationError({"events": "Choose at least one event type."})
        if unknown:
            raise ValidationError({"events": f"Unknown event types: {', '.join(unknown)}."})
        standard = (self.secret or "").removeprefix(self.STANDARD_PREFIX)
        if self.secret.startswith(self.STANDARD_PREFIX) and not _is_base64(standard):
            raise ValidationError({"secret": "After whsec_, give the key in base64."})

    def wants(self, event_type: str) -> bool:
        return self.is_active and event_type in self.events

    # The Standard Webhooks form of a secret: "whsec_" and the base64 of the key's bytes.
    STANDARD_PREFIX = "whsec_"

    @property
    def signing_key(self) -> bytes:
        """The HMAC key of both signatures: a secret given in the ``whsec_`` form is its
        decoded bytes, any other secret its own UTF-8 bytes."""
        if self.secret.startswith(self.STANDARD_PREFIX):
            try:
                return base64.b64decode(
                    self.secret.removeprefix(self.STANDARD_PREFIX), validate=True
                )
            except binascii.Error:
                pass
        return self.secret.encode()

    @property
    def standard_secret(self) -> str:
        """The secret as Standard Webhooks libraries take it (``whsec_<base64>``)."""
        return self.STANDARD_PREFIX + base64.b64encode(self.signing_key).decode()


class OutboxEvent(models.Model):
    """A change others should hear about, written in the same transaction as the change itself,
    so an event exists exactly when the change committed, whatever the broker was doing."""

    uid = models.UUIDField("event id", default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(max_length=30, choices=EventType.choices)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.uid}"


class WebhookDelivery(models.Model):
    """One event for one subscriber: its attempts so far and the last answer (the delivery log)."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        DELIVERED = "delivered", "delivered"
        FAILED = "failed", "failed (gave up)"
        BLOCKED = "blocked", "blocked (target refused)"

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "subscription"], name="webhook_delivery_once_per_subscriber"
            ),
        ]
        indexes = [
            # The outbox sweep: pending deliveries, oldest first.
            models.Index(
                fields=["created_at"],
                name="webhook_delivery_pending_idx",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription}"


class ImportJob(models.Model):
    """An uploaded dataset file being validated and imported, with progress for the import page."""

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        VALIDATING = "validating", "validating"
        IMPORTING = "importing", "importing"
        DONE = "done", "imported"
        INVALID = "invalid", "rejected: nothing written"
        FAILED = "failed", "failed: nothing written"

    FINISHED = (Status.DONE, Status.INVALID, Status.FAILED)

    file = models.FileField(upload_to="imports/")
    original_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    # [{"line": 3, "reason": "..."}] for every bad row.
    errors = models.JSONField(default=list, blank=True)
    # Why the whole file was refused or the import stopped (not UTF-8, empty, interrupted…),
    # in words its uploader can act on; a bad row's reason is in ``errors``.
    message = models.TextField(blank=True)
    created = models.JSONField("rows added", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the job was last handed to the broker, and when a worker last took it: the sweep
    # (claims.jobs.sweep) finds jobs waiting or running past their deadline by these.
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # Runs begun: a worker that dies mid-import leaves its job to be run again, a few times.
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep: unfinished imports, oldest first.
            models.Index(
                fields=["queued_at"],
                name="import_job_unfinished_idx",
                condition=Q(status__in=["queued", "validating", "importing"]),
            ),
        ]

    def __str__(self) -> str:
        return f"Import of {self.original_name or self.file.name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.total_rows:
            return 0
        # Validation is the first half of the work, writing the second.
        half = 50 * self.processed_rows // self.total_rows
        return half + (50 if self.status == self.Status.IMPORTING else 0)
