"""What every fetching task shares: retries with backoff for answers that may come later."""

from __future__ import annotations

from celery import Task
from django.conf import settings

from claims.jobs import fetching


class RetryingTask(Task):
    """Retries fetches that may work later (timeouts, 5xx) with exponential backoff and jitter."""

    autoretry_for = (fetching.Unavailable,)
    retry_backoff = settings.JOBS_RETRY_BACKOFF
    retry_backoff_max = settings.JOBS_RETRY_BACKOFF_MAX
    retry_jitter = True
    max_retries = settings.JOBS_MAX_RETRIES
