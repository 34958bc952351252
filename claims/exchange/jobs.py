"""Import jobs: an uploaded dataset kept as a file, then validated and imported by a worker,
with progress on the job row for the admin's progress page and the API."""

from __future__ import annotations

import uuid
from typing import Any

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from claims.exchange.dataset import read_rows
from claims.exchange.importer import import_rows
from claims.models import ImportJob


def start_import(*, upload: Any, user: Any = None) -> ImportJob:
    """Keep an uploaded file and import it in the background once this transaction commits."""
    with transaction.atomic():
        job = ImportJob(original_name=getattr(upload, "name", "")[:255], created_by=user)
        job.file.save(f"{uuid.uuid4()}-{job.original_name}"[:200], upload, save=False)
        job.full_clean()
        job.save()
        transaction.on_commit(lambda: run_import.delay(job.pk), robust=True)
    return job


def run_import_job(*, job: ImportJob) -> str:
    """Validate and import an uploaded file, recording progress on the job as it goes.

    Safe to run twice: a finished job is left alone, and a job cut short (its worker died) runs
    again from the start, since nothing of it was written.
    """
    if job.is_finished:
        return job.status
    with job.file.open("rb") as stored:
        text = stored.read().decode("utf-8-sig")
    rows, errors = read_rows(text, name=job.original_name)
    _progress(job, status=ImportJob.Status.VALIDATING, total_rows=len(rows) + len(errors))
    if errors:
        return _finish(job, ImportJob.Status.INVALID, errors=errors)
    every = max(1, len(rows) // 50)  # about fifty progress writes, whatever the file size

    def validated(done: int, total: int) -> None:
        if done == total:  # validation is over; the rows are written in one transaction next
            _progress(job, status=ImportJob.Status.IMPORTING, processed_rows=0)
        elif done % every == 0:
            _progress(job, processed_rows=done)

    outcome = import_rows(rows, validated=validated, by=job.created_by)
    if outcome.errors:
        return _finish(job, ImportJob.Status.INVALID, errors=outcome.errors)
    return _finish(job, ImportJob.Status.DONE, created=dict(outcome.created))


def _progress(job: ImportJob, **values: Any) -> None:
    for name, value in values.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**values)


def _finish(job: ImportJob, status: str, **values: Any) -> str:
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
