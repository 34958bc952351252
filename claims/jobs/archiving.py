"""Archiving what documents and evidence link to: the exact bytes, stored once per SHA-256.

Documents and evidence share the same archive fields (``archive_*``); the services here work on
either. Requesting an archive marks the row pending and queues its task after commit; the task
fetches through the forgery-safe client and records what it got, or why it got nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from typing import Any

from billiard.einfo import ExceptionInfo
from celery import shared_task
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

from claims.jobs import fetching
from claims.jobs.base import RetryingTask
from claims.jobs.quotes import request_quote_checks
from claims.jobs.timestamps import request_stamp
from claims.jobs.warc import store_warc
from claims.ledger.verify import Archivable, archivable_models, hash_of_stored
from claims.models import Evidence
from sources.models import ArchiveCheck, Document

logger = logging.getLogger(__name__)
Status = Document.ArchiveStatus


def storage_name(sha256: str) -> str:
    """Where bytes with this hash live: the same bytes always get the same single name."""
    return f"archive/sha256/{sha256[:2]}/{sha256}"


def store_bytes(data: bytes) -> tuple[str, str]:
    """Store ``data`` unless it is already stored; return its SHA-256 and storage name."""
    sha256 = hashlib.sha256(data).hexdigest()
    name = storage_name(sha256)
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(data))
        if saved != name:
            # Another worker stored the same bytes between our check and our save; the storage
            # then picked a fresh name. Keep the first copy only.
            default_storage.delete(saved)
    return sha256, name


def _enqueue(queue: Callable[[], object], what: str) -> None:
    """Queue a task; when the broker is down the row stays pending and the beat sweep retries."""
    try:
        queue()
    except Exception:  # the broker's errors vary by transport; none may break the request
        logger.exception("Could not queue %s; the periodic retry will pick it up", what)


def request_archive(*, item: Archivable) -> None:
    """Mark ``item`` (a Document or Evidence) pending and archive its URL once this commits.

    Call it from the service or admin hook that saved a new or changed URL; without a URL the
    archive state is cleared.
    """
    if not item.url:
        type(item).objects.filter(pk=item.pk).update(archive_status=Status.NONE, archive_error="")
        return
    type(item).objects.filter(pk=item.pk).update(
        archive_status=Status.PENDING, archive_error="", archive_attempts=0
    )
    item.archive_status = Status.PENDING
    task = archive_document if isinstance(item, Document) else archive_evidence
    # The id, not the row: an import queues an archive per document in one transaction, and a
    # closure over each row (a document with its text) would hold them all until it commits.
    pk, what = item.pk, f"the archive of {item._meta.verbose_name} {item.pk}"
    transaction.on_commit(lambda: _enqueue(lambda: task.delay(pk), what), robust=True)


def archive_item(*, item: Archivable) -> str:
    """Fetch ``item.url`` and record the result on the row; return the new archive status.

    Safe to run twice: a row already archived from the same URL is left alone. Raises
    ``fetching.Unavailable`` for the task to retry; records blocked and failed fetches.
    """
    if item.archive_status == Status.ARCHIVED and item.archive_sha256:
        return item.archive_status
    if not item.url:
        return item.archive_status
    model = type(item)
    model.objects.filter(pk=item.pk).update(
        archive_attempts=models.F("archive_attempts") + 1, archive_status=Status.PENDING
    )
    try:
        fetched = fetching.fetch(item.url)
    except fetching.Blocked as error:
        return _record_failure(item, Status.BLOCKED, error.reason)
    except fetching.Failed as error:
        return _record_failure(item, Status.FAILED, error.reason)
    except fetching.Unavailable as error:
        model.objects.filter(pk=item.pk).update(archive_error=error.reason)
        raise
    sha256, name = store_bytes(fetched.body)
    store_warc(item, fetched, sha256)
    with transaction.atomic():
        # The URL may have changed while we fetched; then this copy belongs to no one.
        updated = model.objects.filter(pk=item.pk, url=item.url).update(
            archive_file=name,
            archive_sha256=sha256,
            archive_size=len(fetched.body),
            archive_content_type=fetched.content_type,
            archive_final_url=fetched.final_url,
            archive_http_status=fetched.status,
            archived_at=fetched.fetched_at,
            archive_verified_at=fetched.fetched_at,
            archive_status=Status.ARCHIVED,
            archive_error="",
        )
        if updated and isinstance(item, Document):
            request_quote_checks(document=item)
        if updated:
            request_stamp(item._meta.db_table, item.pk)
    return Status.ARCHIVED


def record_gave_up(*, item: Archivable, reason: str) -> None:
    """The task ran out of retries: the archive failed, with the last reason."""
    _record_failure(item, Status.FAILED, f"gave up after retries: {reason}")


def _record_failure(item: Archivable, status: str, reason: str) -> str:
    type(item).objects.filter(pk=item.pk, url=item.url).update(
        archive_status=status, archive_error=reason[:2000]
    )
    logger.info("Archive of %s %s: %s", item.url, status, reason)
    return status


def rehash_archives(
    *, dry_run: bool = False, progress: Callable[[int, int], None] | None = None
) -> ArchiveCheck:
    """Re-hash every archived file; flag those whose bytes no longer match (or are gone).

    With ``dry_run`` nothing is flagged or recorded; the returned check (unsaved) has the counts.
    """
    check = ArchiveCheck(job=ArchiveCheck.Job.VERIFY)
    statuses = [Status.ARCHIVED, Status.MISMATCH]
    total = sum(m.objects.filter(archive_status__in=statuses).count() for m in archivable_models())
    for model in archivable_models():
        rows = model.objects.filter(archive_status__in=statuses).order_by("pk")
        for item in rows.only("pk", "archive_file", "archive_sha256").iterator():
            check.checked += 1
            status, reason = _verify(item, check)
            if not dry_run:
                changes: dict[str, Any] = {"archive_status": status, "archive_error": reason}
                if status == Status.ARCHIVED:
                    changes["archive_verified_at"] = timezone.now()
                model.objects.filter(pk=item.pk).update(**changes)
            if progress:
                progress(check.checked, total)
    check.finished_at = timezone.now()
    if not dry_run:
        check.save()
    return check


def _verify(item: Archivable, check: ArchiveCheck) -> tuple[str, str]:
    actual = hash_of_stored(item.archive_file.name)
    if actual == item.archive_sha256:
        check.intact += 1
        return Status.ARCHIVED, ""
    if actual is None:
        check.missing += 1
        return Status.MISMATCH, "the stored copy is missing"
    check.mismatched += 1
    return Status.MISMATCH, f"the stored copy now hashes to {actual}"


def requeue_failed_archives() -> ArchiveCheck:
    """Queue again every archive that failed or was left pending (e.g. the broker was down).

    Blocked URLs are not retried: the address they point to will not become safe by waiting.
    """
    check = ArchiveCheck.objects.create(job=ArchiveCheck.Job.RETRY)
    stale = timezone.now() - dt.timedelta(minutes=10)
    for model in archivable_models():
        rows = model.objects.exclude(url="").filter(
            models.Q(archive_status=Status.FAILED)
            | (models.Q(archive_status=Status.PENDING) & updated_before(model, stale))
        )
        for item in rows.only("pk", "url"):
            check.queued += 1
            request_archive(item=item)
    check.finished_at = timezone.now()
    check.save()
    return check


def updated_before(model: type[models.Model], moment: dt.datetime) -> models.Q:
    """Pending rows nobody touched lately; evidence has no timestamp, so all of it counts."""
    if any(f.name == "updated_at" for f in model._meta.get_fields()):
        return models.Q(updated_at__lt=moment)
    return models.Q()


# --- tasks --------------------------------------------------------------------------------------


class ArchiveTask(RetryingTask):
    """When retries run out, the row says the archive failed and why."""

    model: type[Archivable]

    def on_failure(
        self,
        exc: Exception,
        task_id: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        einfo: ExceptionInfo,
    ) -> None:
        if isinstance(exc, fetching.Unavailable) and args:
            item = self.model.objects.filter(pk=args[0]).first()
            if item is not None:
                record_gave_up(item=item, reason=exc.reason)


@shared_task(base=ArchiveTask, model=Document)
def archive_document(document_id: int) -> str | None:
    """Fetch and store what a document's URL points to."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None:  # deleted since it was queued
        return None
    return archive_item(item=document)


@shared_task(base=ArchiveTask, model=Evidence)
def archive_evidence(evidence_id: int) -> str | None:
    """Fetch and store what an evidence item's URL points to."""
    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is None:  # deleted since it was queued
        return None
    return archive_item(item=evidence)


@shared_task
def verify_archives() -> dict[str, int]:
    """Re-hash every archived file and flag those whose bytes changed (Celery beat, daily)."""
    check = rehash_archives()
    return {"checked": check.checked, "mismatched": check.mismatched, "missing": check.missing}


@shared_task
def retry_failed_archives() -> int:
    """Queue failed and stuck archives again (Celery beat, hourly)."""
    return requeue_failed_archives().queued
