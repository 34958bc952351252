"""Answers to API writes kept under the client's Idempotency-Key, so that a retried write answers
what the first one answered instead of writing again (claims.api.idempotency)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKeyQuerySet(models.QuerySet):
    def expired(self, now: dt.datetime | None = None) -> IdempotencyKeyQuerySet:
        """Keys older than IDEMPOTENCY_TTL: ignored by requests, deleted by the hourly purge."""
        return self.filter(created_at__lt=(now or timezone.now()) - settings.IDEMPOTENCY_TTL)


class IdempotencyKey(models.Model):
    """One key a user sent with a write, what the write was, and the answer it got.

    Stored in the same transaction as the write itself: a write that committed always has its
    key, however its answer was lost on the way back.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.TextField(help_text="The path and query string the key was first sent to.")
    body_sha256 = models.CharField("SHA-256 of the body", max_length=64)
    status_code = models.PositiveSmallIntegerField()
    # Only the headers a client reads back from a write: Content-Type, ETag, Location.
    headers = models.JSONField(default=dict)
    body = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = IdempotencyKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Keys are the client's, so one per user; also what keeps two racing first
            # requests with one key from both writing (the second's insert fails, it rolls back).
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user"),
        ]
        indexes = [
            # Serves the purge: DELETE … WHERE created_at < now - TTL.
            models.Index(fields=["created_at"], name="idempotency_key_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.method} {self.path} → {self.status_code})"

    @property
    def is_expired(self) -> bool:
        return self.created_at < timezone.now() - settings.IDEMPOTENCY_TTL
