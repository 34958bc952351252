"""Writes of claims: versioned saves, the editorial moves, answers and evidence."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from claims.jobs import archiving, webhooks
from claims.jobs.quotes import request_quote_check
from claims.ledger.history import history_of
from claims.models import Claim, Evidence, Response


@transaction.atomic
def link_response(*, claim: Claim, answers: Claim, kind: str, note: str = "") -> Response:
    """Record that ``claim`` answers ``answers``; validates every rule before writing.

    When the answering claim is already published the link is public at once, so subscribed
    tools hear of it; a draft's links are announced when it is published (record_claim_changes).
    """
    response = Response(claim=claim, answers=answers, kind=kind, note=note)
    response.full_clean()
    response.save()
    webhooks.record_response_published(response=response)  # only once both are published
    return response


@transaction.atomic
def save_evidence(*, values: dict[str, Any], evidence: Evidence | None = None) -> Evidence:
    """Create evidence from ``values``, or change ``evidence``; a new or changed URL is
    archived once this transaction commits."""
    evidence = Evidence() if evidence is None else evidence
    is_new = evidence.pk is None
    url = evidence.url
    for name, value in values.items():
        setattr(evidence, name, value)
    evidence.full_clean()
    # Only the fields written: an archive task finishing meanwhile keeps what it recorded.
    evidence.save(update_fields=None if is_new else list(values))
    if evidence.url != url:
        archiving.request_archive(item=evidence)
    return evidence


# --- editing without lost updates ---------------------------------------------------------------


class StaleVersion(Exception):
    """A save based on a version of a claim that someone else has since changed."""

    def __init__(self, claim: Claim, read_version: int, changes: list[tuple[str, object, object]]):
        self.claim = claim
        self.read_version = read_version
        self.current_version = claim.version
        self.changes = changes
        super().__init__(self.message)

    @property
    def message(self) -> str:
        fields = ", ".join(column for column, _, _ in self.changes) or "its fields"
        return (
            f"This claim was changed by someone else after you opened it (you read version "
            f"{self.read_version}, it is now version {self.current_version}; changed: {fields}). "
            "Nothing of yours was saved: review their changes, then make yours again."
        )


def changes_since(claim: Claim, read_version: int) -> list[tuple[str, object, object]]:
    """(column, value at ``read_version``, value now) for every column changed since then."""
    then: dict | None = None
    for record in history_of(claim):
        if record.before.get("version") == read_version:
            then = record.before
            break
    if then is None:
        return []
    now = history_of(claim).last().after
    skip = {"version", "updated_at"}
    return [(c, then.get(c), v) for c, v in now.items() if c not in skip and then.get(c) != v]


@transaction.atomic
def save_claim(*, claim: Claim, read_version: int) -> Claim:
    """Validate and save ``claim`` only if it is still at ``read_version``; else StaleVersion.

    One conditional UPDATE does the check and the write, so of several concurrent saves from the
    same version exactly one applies: the others find the version moved on and change nothing.
    """
    claim.full_clean()
    values = {
        f.attname: getattr(claim, f.attname)
        for f in Claim._meta.local_concrete_fields
        if not f.primary_key
    }
    values |= {"version": read_version + 1, "updated_at": timezone.now()}
    if not Claim.objects.filter(pk=claim.pk, version=read_version).update(**values):
        current = Claim.objects.get(pk=claim.pk)
        raise StaleVersion(current, read_version, changes_since(current, read_version))
    claim.version, claim.updated_at = values["version"], values["updated_at"]
    return claim


@transaction.atomic
def edit_claim(*, claim: Claim, values: dict[str, Any], read_version: int) -> Claim:
    """Apply ``values`` to ``claim`` in one versioned save (StaleVersion if it moved on) and
    queue what the change calls for, in the same transaction.

    Publishing or withdrawing records the webhook events (and publishing announces the answers
    the claim already made); a changed quote is checked again. The quote is the only input of
    that check this write can change: the chain is edited elsewhere, and a document whose text
    or archive changes re-checks its claims itself.
    """
    before = webhooks.snapshot(claim)
    quote = claim.quote
    for name, value in values.items():
        setattr(claim, name, value)
    save_claim(claim=claim, read_version=read_version)
    webhooks.record_claim_changes(claim=claim, **before)
    if claim.quote != quote:
        request_quote_check(claim=claim)
    return claim


# --- editorial workflow: draft -> published -> withdrawn ------------------------------------------

# (from, to) moves an edit of a claim may make; a published claim never goes back to draft.
ALLOWED_STATUS_MOVES = {
    ("draft", "draft"),
    ("draft", "published"),
    ("published", "published"),
    ("published", "withdrawn"),
    ("withdrawn", "withdrawn"),
}

_ALLOWED = {
    Claim.Status.PUBLISHED: {Claim.Status.DRAFT},
    Claim.Status.WITHDRAWN: {Claim.Status.PUBLISHED},
}


def _move(claim: Claim, to: str, read_version: int | None, reason: str = "") -> Claim:
    if claim.status not in _ALLOWED[to]:
        raise ValidationError(
            {"status": f"A {claim.get_status_display()} claim cannot be {Claim.Status(to).label}."}
        )
    claim.status = to
    if reason:
        claim.withdrawal_reason = reason
    if read_version is None:
        read_version = claim.version
    before = webhooks.snapshot(claim)
    save_claim(claim=claim, read_version=read_version)
    # Tools subscribed to "claim published" / "claim withdrawn" hear of it from the outbox.
    webhooks.record_claim_changes(claim=claim, **before)
    return claim


@transaction.atomic
def publish_claim(*, claim: Claim, read_version: int | None = None) -> Claim:
    """Make a draft public. The caller has checked the claims.publish_claim permission."""
    return _move(claim, Claim.Status.PUBLISHED, read_version)


@transaction.atomic
def withdraw_claim(*, claim: Claim, reason: str, read_version: int | None = None) -> Claim:
    """Withdraw a published claim: it stays readable at its URL with the reason shown."""
    if not reason.strip():
        raise ValidationError({"withdrawal_reason": "Give the reason a claim is withdrawn."})
    return _move(claim, Claim.Status.WITHDRAWN, read_version, reason.strip())
