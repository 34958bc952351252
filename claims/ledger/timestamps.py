"""RFC 3161 time-stamp tokens: what each one stamps, and checking a token against those bytes.

A token is kept only as the authority gave it (the DER TimeStampResponse); whether it is good is
decided here, by ``rfc3161-client``: its signature must chain to the CA in TSA_CA_FILE and its
message imprint must be the hash of the stamped bytes — a signed head's signed text, or an
archived copy's bytes. Requests are made by a worker (claims/jobs/timestamps.py). The pages
say of every archived copy whether it is stamped, in words (``with_stamps``).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from django.conf import settings
from django.core.files.storage import default_storage
from rfc3161_client import VerificationError, VerifierBuilder, decode_timestamp_response

from claims.ledger import heads
from claims.models import Evidence
from claims.models.ledger import SignedHead, TrustedTimestamp
from sources.models import Document

HEAD = "head"
ARCHIVES: dict[str, type[Document] | type[Evidence]] = {
    Document._meta.db_table: Document,
    Evidence._meta.db_table: Evidence,
}


class StampInvalid(Exception):
    """A token that does not prove what it should."""


def enabled() -> bool:
    return bool(settings.TSA_URL)


def message_for(subject: str, subject_id: int) -> bytes | None:
    """The bytes a stamp of this subject covers, or None when the subject is gone."""
    if subject == HEAD:
        head = SignedHead.objects.filter(pk=subject_id).first()
        return heads.signed_text(head.size, head.root_hash, head.timestamp) if head else None
    model = ARCHIVES.get(subject)
    item = model.objects.filter(pk=subject_id).first() if model else None
    name = item.archive_file.name if item is not None else ""
    if not name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as stored:
        return stored.read()


@lru_cache(maxsize=4)
def _root(path: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(Path(path).read_bytes())
    except (OSError, ValueError) as error:
        raise StampInvalid(f"TSA_CA_FILE {path!r} is not a PEM certificate: {error}") from None


def check(token: bytes, message: bytes) -> str:
    """The token's time (UTC, ISO) when it stamps ``message`` and chains to TSA_CA_FILE."""
    if not settings.TSA_CA_FILE:
        raise StampInvalid("TSA_CA_FILE is not set: no token can be verified")
    try:
        response = decode_timestamp_response(token)
        verifier = VerifierBuilder().add_root_certificate(_root(settings.TSA_CA_FILE)).build()
        verifier.verify_message(response, message)
    except (VerificationError, ValueError) as error:
        raise StampInvalid(f"the token does not verify: {error}") from None
    return response.tst_info.gen_time.isoformat()


def problems() -> Iterator[str]:
    """Every good stamp verified again against the bytes it stamped (verify_integrity)."""
    for stamp in TrustedTimestamp.objects.filter(status=TrustedTimestamp.Status.GOOD).iterator():
        name = f"the time-stamp #{stamp.pk} of {stamp.subject} {stamp.subject_id}"
        message = message_for(stamp.subject, stamp.subject_id)
        if message is None:
            yield f"{name}: what it stamped is gone"
            continue
        try:
            check(bytes(stamp.token), message)
        except StampInvalid as error:
            yield f"{name} no longer holds: {error}"


NOT_CONFIGURED = "Not time-stamped: this server has no time-stamping authority (TSA_URL) configured"


def _authority() -> str:
    return urlsplit(settings.TSA_URL).hostname or settings.TSA_URL


def _words(stamp: TrustedTimestamp | None) -> str:
    if stamp is None:
        return f"Not time-stamped yet: the request to {_authority()} has not been answered"
    if stamp.status == TrustedTimestamp.Status.GOOD:
        return f"Time-stamped by {_authority()} on {stamp.gen_time[:10]}"
    return f"The time-stamp failed verification on {stamp.created_at:%Y-%m-%d}"


def with_stamps(pairs: list[tuple[Any, Evidence]] | list[Document]) -> Any:
    """Set ``stamp_words`` on every archived copy among ``pairs`` (claim, evidence pairs or
    documents): its trusted time-stamp's status in words, for the pages. One query for all of
    them, none when no authority is configured; the latest stamp of each copy counts."""
    items = [p[1] if isinstance(p, tuple) else p for p in pairs]
    archived = [i for i in items if i.archive_sha256]
    if not archived:
        return pairs
    if not enabled():
        for item in archived:
            item.stamp_words = NOT_CONFIGURED  # type: ignore[union-attr]
        return pairs
    subject = archived[0]._meta.db_table
    stamps = TrustedTimestamp.objects.filter(
        subject=subject, subject_id__in=[i.pk for i in archived]
    ).defer("token")
    latest = {s.subject_id: s for s in stamps.order_by("id")}
    for item in archived:
        item.stamp_words = _words(latest.get(item.pk))  # type: ignore[union-attr]
    return pairs
