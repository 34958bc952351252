"""Periodic clean-up of what the application keeps only for a while."""

from __future__ import annotations

from celery import shared_task

from claims.models import IdempotencyKey


def purge_expired_keys() -> int:
    """Delete the answers kept for Idempotency-Keys older than IDEMPOTENCY_TTL; return how many.

    Requests already ignore an expired key, so this only keeps the table small.
    """
    deleted, _ = IdempotencyKey.objects.expired().delete()
    return deleted


@shared_task
def purge_idempotency_keys() -> int:
    """Celery beat, hourly."""
    return purge_expired_keys()
