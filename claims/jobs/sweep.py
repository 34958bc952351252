"""The stuck-job sweep: background work waiting or running past its deadline is queued again
or ended, so nothing stays "queued" or "importing" forever (Celery beat, every
JOBS_SWEEP_SECONDS; counted on ``/healthz?full=1``).

- Imports queued past JOBS_STUCK_QUEUED_MINUTES lost their message (the broker was down at
  upload, or lost it): queued again. Imports running past JOBS_STUCK_RUNNING_MINUTES lost their
  worker (a live run never lasts past CELERY_TASK_TIME_LIMIT): run again from the start, since
  an import writes all its rows in one transaction. A job tried JOBS_STUCK_MAX_ATTEMPTS times,
  or waiting that many deadlines, ends ``failed`` with the reason.
- Archives and webhook deliveries pending past the queued deadline plus their whole retry
  window are queued again: their tasks are safe to run twice (an archived row and a delivered
  delivery are left alone).

Imports are queued by task name: the exchange package that holds the task sits above this one.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import current_app, shared_task
from django.conf import settings
from django.db import models
from django.utils import timezone

from claims.jobs.archiving import request_archive
from claims.jobs.webhooks import queue_deliveries
from claims.models import Evidence, ImportJob, WebhookDelivery
from sources.models import Document

logger = logging.getLogger(__name__)
IMPORT_TASK = "claims.exchange.jobs.run_import"
RUNNING = [ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING]
PENDING = Document.ArchiveStatus.PENDING


def queued_deadline() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.JOBS_STUCK_QUEUED_MINUTES)


def running_deadline() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.JOBS_STUCK_RUNNING_MINUTES)


def retried_deadline() -> dt.datetime:
    """Before this, work with retries (archives, deliveries) has used up its whole retry
    window: the exponential backoff summed over JOBS_MAX_RETRIES, after the queued deadline."""
    window = sum(
        min(settings.JOBS_RETRY_BACKOFF * 2**n, settings.JOBS_RETRY_BACKOFF_MAX)
        for n in range(settings.JOBS_MAX_RETRIES)
    )
    return queued_deadline() - dt.timedelta(seconds=window)


def stuck_imports() -> models.QuerySet[ImportJob]:
    return ImportJob.objects.filter(
        models.Q(status=ImportJob.Status.QUEUED, queued_at__lt=queued_deadline())
        | models.Q(status__in=RUNNING, started_at__lt=running_deadline())
    )


def stuck_documents() -> models.QuerySet[Document]:
    return Document.objects.exclude(url="").filter(
        archive_status=PENDING, updated_at__lt=retried_deadline()
    )


def stuck_evidence() -> models.QuerySet[Evidence]:
    # Evidence has no timestamp of its own; its claim is saved with it.
    return Evidence.objects.exclude(url="").filter(
        archive_status=PENDING, claim__updated_at__lt=retried_deadline()
    )


def stuck_deliveries() -> models.QuerySet[WebhookDelivery]:
    deadline = retried_deadline()
    return WebhookDelivery.objects.filter(
        models.Q(last_attempt_at__isnull=True) | models.Q(last_attempt_at__lt=deadline),
        status=WebhookDelivery.Status.PENDING,
        created_at__lt=deadline,
    )


def stuck_counts() -> dict[str, int]:
    """How many jobs of each kind are past their deadline now (one COUNT each)."""
    return {
        "imports": stuck_imports().count(),
        "archives": stuck_documents().count() + stuck_evidence().count(),
        "deliveries": stuck_deliveries().count(),
    }


def sweep_imports() -> dict[str, int]:
    """Queue stuck imports again, or end those that have had their tries; return the counts."""
    done = {"requeued": 0, "failed": 0}
    now = timezone.now()
    patience = dt.timedelta(
        minutes=settings.JOBS_STUCK_QUEUED_MINUTES * settings.JOBS_STUCK_MAX_ATTEMPTS
    )
    for job in stuck_imports().order_by("queued_at")[:1000]:
        # Each change is conditional on the state we saw, so a worker taking the job meanwhile
        # keeps it.
        same = ImportJob.objects.filter(pk=job.pk, status=job.status, started_at=job.started_at)
        reason = _give_up_reason(job, now - patience)
        if reason:
            done["failed"] += same.update(
                status=ImportJob.Status.FAILED, finished_at=now, message=reason
            )
            continue
        if same.update(status=ImportJob.Status.QUEUED, queued_at=now):
            done["requeued"] += 1
            _send(job.pk)
    return done


def _give_up_reason(job: ImportJob, waited_since: dt.datetime) -> str:
    if job.status in RUNNING and job.attempts >= settings.JOBS_STUCK_MAX_ATTEMPTS:
        return (
            f"the import was interrupted {job.attempts} times (its worker stopped before it "
            "finished); nothing was written. Upload the file again, or split it if it is large."
        )
    if job.status == ImportJob.Status.QUEUED and job.created_at < waited_since:
        minutes = settings.JOBS_STUCK_QUEUED_MINUTES * settings.JOBS_STUCK_MAX_ATTEMPTS
        return (
            f"no worker started the import within {minutes} minutes; nothing was written. "
            "Upload the file again once the workers run (an operator sees them on /healthz)."
        )
    return ""


def _send(job_id: int) -> None:
    # The registered task when this process has it (so that without a broker it runs
    # in-process), else a message by name for the workers.
    task = current_app.tasks.get(IMPORT_TASK)
    try:
        if task is not None:
            task.delay(job_id)
        else:
            current_app.send_task(IMPORT_TASK, args=[job_id])
    except Exception:  # the broker is still down: the next sweep tries again
        logger.warning("Could not queue import %s again; the next sweep will", job_id)


def sweep_archives() -> int:
    count = 0
    for rows in (stuck_documents(), stuck_evidence()):
        for item in rows.only("pk", "url")[:1000]:
            request_archive(item=item)
            count += 1
    return count


def sweep_deliveries() -> int:
    ids = list(stuck_deliveries().order_by("created_at").values_list("pk", flat=True)[:1000])
    return queue_deliveries(ids)


def sweep() -> dict[str, int]:
    """One pass over every kind of job; returns what it did, for the log."""
    imports = sweep_imports()
    done = {
        "imports_requeued": imports["requeued"],
        "imports_failed": imports["failed"],
        "archives_requeued": sweep_archives(),
        "deliveries_requeued": sweep_deliveries(),
    }
    if any(done.values()):
        logger.warning("Stuck-job sweep: %s", done)
    return done


@shared_task
def sweep_stuck_jobs() -> dict[str, int]:
    """Celery beat, every JOBS_SWEEP_SECONDS."""
    return sweep()
