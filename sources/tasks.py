"""Tasks of the sources app: archiving documents and the periodic archive checks."""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings

from sources import archiving, fetching
from sources.models import Document


class RetryingTask(Task):
    """Retries fetches that may work later (timeouts, 5xx) with exponential backoff and jitter."""

    autoretry_for = (fetching.Unavailable,)
    retry_backoff = settings.JOBS_RETRY_BACKOFF
    retry_backoff_max = settings.JOBS_RETRY_BACKOFF_MAX
    retry_jitter = True
    max_retries = settings.JOBS_MAX_RETRIES


class ArchiveTask(RetryingTask):
    """When retries run out, the row says the archive failed and why."""

    model: str = ""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        if isinstance(exc, fetching.Unavailable) and args:
            from django.apps import apps

            item = apps.get_model(self.model).objects.filter(pk=args[0]).first()
            if item is not None:
                archiving.record_gave_up(item=item, reason=exc.reason)


@shared_task(base=ArchiveTask, model="sources.Document")
def archive_document(document_id: int) -> str | None:
    """Fetch and store what a document's URL points to."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None:  # deleted since it was queued
        return None
    return archiving.archive(item=document)


@shared_task
def verify_archives() -> dict[str, int]:
    """Re-hash every archived file and flag those whose bytes changed (Celery beat, daily)."""
    check = archiving.verify_archives()
    return {"checked": check.checked, "mismatched": check.mismatched, "missing": check.missing}


@shared_task
def retry_failed_archives() -> int:
    """Queue failed and stuck archives again (Celery beat, hourly)."""
    return archiving.retry_failed_archives().queued
