"""Asking the time-stamping authority (TSA_URL) to stamp signed heads and archived copies.

A task takes a subject and its id, asks for a token over the subject's bytes and keeps it: as
GOOD only when it verifies (claims/ledger/timestamps.py), otherwise as FAILED with the reason.
An authority that does not answer is retried with backoff. With no TSA_URL nothing is queued.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request

from celery import shared_task
from django.conf import settings
from django.db import transaction
from rfc3161_client import TimestampRequestBuilder

from claims.jobs import fetching
from claims.jobs.base import RetryingTask
from claims.ledger import heads, timestamps
from claims.models.ledger import TrustedTimestamp

Status = TrustedTimestamp.Status


def _ask(message: bytes) -> bytes:
    query = (
        TimestampRequestBuilder().data(message).nonce(nonce=True).cert_request(cert_request=True)
    )
    request = urllib.request.Request(
        settings.TSA_URL,
        data=query.build().as_bytes(),
        headers={"Content-Type": "application/timestamp-query"},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.ARCHIVE_DEADLINE) as answer:
            return answer.read()
    except (urllib.error.URLError, OSError) as error:
        raise fetching.Unavailable(f"the time-stamping authority did not answer: {error}") from None


def stamp_subject(subject: str, subject_id: int) -> TrustedTimestamp | None:
    """Ask for, check and keep a token over the subject's bytes; None when there is nothing to
    stamp (no authority, the subject gone, or a good stamp of these very bytes kept already)."""
    message = timestamps.message_for(subject, subject_id)
    if not timestamps.enabled() or message is None:
        return None
    digest = hashlib.sha256(message).hexdigest()
    kept = TrustedTimestamp.objects.filter(
        subject=subject, subject_id=subject_id, message_sha256=digest, status=Status.GOOD
    )
    if kept.exists():
        return None
    token = _ask(message)
    try:
        gen_time, status, problem = timestamps.check(token, message), Status.GOOD, ""
    except timestamps.StampInvalid as error:
        gen_time, status, problem = "", Status.FAILED, str(error)
    return TrustedTimestamp.objects.create(
        subject=subject,
        subject_id=subject_id,
        message_sha256=digest,
        token=token,
        status=status,
        problem=problem,
        gen_time=gen_time,
    )


@shared_task(base=RetryingTask)
def stamp(subject: str, subject_id: int) -> str | None:
    """Stamp one signed head or archived copy (safe to run twice: a good stamp is kept once)."""
    kept = stamp_subject(subject, subject_id)
    return kept.status if kept else None


def request_stamp(subject: str, subject_id: int) -> None:
    """Queue a stamp once the current transaction commits, when an authority is set."""
    if timestamps.enabled():
        transaction.on_commit(lambda: stamp.delay(subject, subject_id))


@shared_task
def stamp_latest_head() -> str | None:
    """Sign the tree's head if it grew, and stamp it (Celery beat)."""
    if not timestamps.enabled():
        return None
    try:
        head = heads.latest()
    except heads.NoSigningKey:
        return None
    return stamp(timestamps.HEAD, head.pk)
