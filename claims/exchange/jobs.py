"""Import jobs: an uploaded dataset kept as a file, then validated and imported by a worker,
with progress on the job row for the admin's progress page and the API.

Every job ends ``done``, ``invalid`` (a bad file or bad rows: nothing written) or ``failed``
(the import itself broke: nothing written), always with the reason in words its uploader can
act on; a traceback goes to the log only. A job is taken by one run at a time (a conditional
UPDATE claims it), and its end is written in the transaction of its rows, so a task run twice,
or again after its worker died, imports the file once.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any, BinaryIO

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from claims.exchange import files
from claims.exchange.dataset import Outcome
from claims.exchange.importer import import_rows
from claims.exchange.package_reader import read_stream
from claims.models import ImportJob
from claimtracker.logs import current_request_id

logger = logging.getLogger(__name__)
Status = ImportJob.Status
RUNNING = (Status.VALIDATING, Status.IMPORTING)


def start_import(*, upload: Any, user: Any = None) -> ImportJob:
    """Keep an uploaded file and import it in the background once this transaction commits.

    The doors check the file first (claims.exchange.files); the job checks it again.
    """
    with transaction.atomic():
        job = ImportJob(original_name=getattr(upload, "name", "")[:255], created_by=user)
        job.file.save(f"{uuid.uuid4()}-{job.original_name}"[:200], upload, save=False)
        job.full_clean()
        job.save()
        transaction.on_commit(lambda: queue_import(job.pk), robust=True)
    return job


def queue_import(job_id: int) -> bool:
    """Hand a job to the broker; when the broker is down the job stays queued for the sweep."""
    try:
        run_import.delay(job_id)
    except Exception:  # the broker's errors vary by transport; none may break the upload
        logger.warning("Could not queue import %s; the stuck-job sweep will", job_id)
        return False
    return True


def claim(job: ImportJob) -> bool:
    """Take ``job`` for this run: a queued job, or one whose last run is surely dead.

    A run lives at most CELERY_TASK_TIME_LIMIT (the hard limit kills it), and Redis hands a
    dead worker's message out again only after its longer visibility timeout; so a job
    "running" for longer than the limit has no live run, and a second message for a job that
    is running (or finished) finds nothing to claim.
    """
    now = timezone.now()
    lease = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    taken = ImportJob.objects.filter(
        models.Q(status=Status.QUEUED) | models.Q(status__in=RUNNING, started_at__lt=lease),
        pk=job.pk,
    ).update(
        status=Status.VALIDATING,
        started_at=now,
        attempts=models.F("attempts") + 1,
        processed_rows=0,
    )
    if taken:
        job.refresh_from_db()
    return bool(taken)


def run_import_job(*, job: ImportJob) -> str:
    """Validate and import an uploaded file, recording progress on the job as it goes; return
    the job's status. Whatever goes wrong, the job ends with a reason."""
    if job.is_finished:
        return job.status
    if not claim(job):  # another run has it, or has finished it
        job.refresh_from_db(fields=["status"])
        return job.status
    try:
        return _import(job)
    except SoftTimeLimitExceeded:
        logger.warning("Import %s stopped at the time limit", job.pk)
        return _end(
            job,
            Status.FAILED,
            message=f"the import took longer than {settings.CELERY_TASK_SOFT_TIME_LIMIT} s "
            "(CELERY_TASK_SOFT_TIME_LIMIT) and was stopped; nothing was written. Split the file, "
            "or ask an operator to raise the limit.",
        )
    except Exception:
        logger.exception("Import %s failed", job.pk)
        return _end(
            job,
            Status.FAILED,
            message="the import stopped on an unexpected error and nothing was written; the "
            f"error is logged under request id {current_request_id() or '-'}. Upload the file "
            "again, or report it with that id.",
        )


def _import(job: ImportJob) -> str:
    # The stored file is read again for each pass (checked, parsed, validated, written), a line
    # at a time, never held whole (claims.exchange.dataset.DatasetFile). Its underlying Python
    # file, not Django's File, whose lines also end at a lone "\r".
    with job.file.open("rb") as stored:
        return _import_stream(job, stored.file)


def _import_stream(job: ImportJob, stream: BinaryIO) -> str:
    try:
        rows, errors = read_stream(stream, name=job.original_name)
    except files.UnreadableFile as refusal:
        return _end(job, Status.INVALID, message=refusal.message)
    _progress(job, total_rows=len(rows) + len(errors))
    if errors:
        return _end(job, Status.INVALID, errors=errors, message=_bad_rows(errors))
    every = max(1, len(rows) // 50)  # about fifty progress writes, whatever the file size

    def validated(done: int, total: int) -> None:
        if done == total:  # validation is over; the rows are written in one transaction next
            _progress(job, status=Status.IMPORTING, processed_rows=0)
        elif done % every == 0:
            _progress(job, processed_rows=done)

    def written(outcome: Outcome) -> None:  # in the rows' transaction: both commit, or neither
        _end(job, Status.DONE, created=dict(outcome.created))

    outcome = import_rows(rows, validated=validated, by=job.created_by, written=written)
    if outcome.errors:
        return _end(job, Status.INVALID, errors=outcome.errors, message=_bad_rows(outcome.errors))
    return job.status


def _bad_rows(errors: list[dict[str, Any]]) -> str:
    return f"{len(errors)} bad rows (each listed with its line); nothing was written"


def _progress(job: ImportJob, **values: Any) -> None:
    for name, value in values.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**values)


def _end(job: ImportJob, status: str, **values: Any) -> str:
    _progress(
        job, status=status, finished_at=timezone.now(), processed_rows=job.total_rows, **values
    )
    return status


@shared_task
def run_import(job_id: int) -> str | None:
    """Validate an uploaded dataset whole, then import it in one transaction."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return None
    return run_import_job(job=job)
