"""What follows a change to the record: the only place that queues work.

Every service of the write path ends with exactly one ``after_*`` call. Archives, quote checks and
webhook deliveries run once the change's transaction commits (``request_*`` helpers beside each
task); webhook events are written to the outbox inside it, so they exist exactly when the change
does. Nothing here writes the record itself.
"""

from __future__ import annotations

import functools
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.urls import reverse

from claims.jobs.archiving import request_archive
from claims.jobs.quotes import request_quote_check, request_quote_checks, request_quote_checks_of
from claims.jobs.webhooks import active_subscriptions, record_event
from claims.models import (
    Assessment,
    Claim,
    EventType,
    Evidence,
    Incident,
    OutboxEvent,
    Response,
    WebhookSubscription,
)
from sources.models import Actor, Document

Published = Claim.Status.PUBLISHED
# A claim's page in the analyst pages' own URL map, which the project's includes at its root:
# the same path as ``claim.get_absolute_url()``. Resolving the project's whole map instead
# imports every door, the editor assistant and its spaCy among them (some 110 MB), into every
# process that writes a published claim: an import, a worker, a command.
PAGES_URLS = "claims.pages.urls"
# The ids of the claims whose quotes the writes inside ``gathered()`` asked to check.
_gathered: ContextVar[array[int] | None] = ContextVar("gathered_quote_checks", default=None)
GATHERED_BATCH = 1000


# --- what subscribers are told ------------------------------------------------------------------


def claim_payload(claim: Claim) -> dict:
    """What subscribers learn about a claim: enough to fetch it, and what changed."""
    return {
        "claim": {
            "id": claim.pk,
            "uid": str(claim.uid),
            "url": reverse("claim-detail", kwargs={"pk": claim.pk}, urlconf=PAGES_URLS),
            "speaker": claim.speaker.slug,
            "kind": claim.kind,
            "status": claim.status,
            "summary": claim.summary,
            "made_on": claim.made_on.isoformat() if claim.made_on else None,
            "made_precision": claim.made_precision,
            "incident": claim.incident.slug if claim.incident is not None else None,
        }
    }


def figures_of(claim: Claim) -> list[dict]:
    return [
        {
            "category": f.category,
            "outcome": f.outcome,
            "low": f.low,
            "high": f.high,
            "qualifier": f.qualifier,
            "as_stated": f.as_stated,
        }
        for f in claim.figures.order_by("id")
    ]


@dataclass
class ClaimBefore:
    """A statement as it was before a write: what ``after_statement_saved`` compares against."""

    status: str | None = None
    figures: list[dict] = field(default_factory=list)
    response_ids: list[int] = field(default_factory=list)
    quote: str = ""
    source_document_id: int | None = None


def snapshot(claim: Claim | None) -> ClaimBefore:
    """Take it before writing; a new claim's snapshot is empty."""
    if claim is None or claim.pk is None:
        return ClaimBefore()
    stored = Claim.objects.filter(pk=claim.pk).values_list("status", "quote").first()
    if stored is None:
        return ClaimBefore()
    return ClaimBefore(
        status=stored[0],
        figures=figures_of(claim),
        response_ids=list(claim.responses_made.values_list("pk", flat=True)),
        quote=stored[1],
        source_document_id=_source_document_id(claim),
    )


def _source_document_id(claim: Claim) -> int | None:
    """The document of the last hop that has one: what the quote is checked against."""
    return (
        claim.attributions.exclude(document=None)
        .order_by("-position")
        .values_list("document_id", flat=True)
        .first()
    )


# --- after each kind of write -------------------------------------------------------------------


def after_statement_saved(
    *, claim: Claim, before: ClaimBefore, evidence: Sequence[Evidence] = ()
) -> None:
    """A claim with its parts was created or changed (``evidence``: items whose URL is new or
    changed). Tools hear of a publication, a withdrawal, changed figures and answers that became
    public; a new or changed quote or source document is checked; new URLs are archived."""
    record_claim_events(claim=claim, before=before)
    if claim.quote.strip() and (
        claim.quote != before.quote
        or _source_document_id(claim) != before.source_document_id
        or before.status is None
    ):
        if (gathered_ids := _gathered.get()) is not None:
            gathered_ids.append(claim.pk)
        else:
            request_quote_check(claim=claim)
    for item in evidence:
        request_archive(item=item)


@contextmanager
def gathered() -> Iterator[None]:
    """Gather the quote checks that the writes inside ask for, as claim ids, and ask for them
    as the block ends, in batches of GATHERED_BATCH: one on-commit callback a batch instead of
    one a claim (some 500 bytes each, which an import of 40,000 claims held until it committed).

    Only around writes that commit together or not at all, as an import's rows do: a savepoint
    rolled back inside the block does not take its claims' ids back. A check is safe to run
    twice, and one for a claim that is not there does nothing."""
    ids: array[int] = array("q")
    token = _gathered.set(ids)
    try:
        yield
    finally:
        _gathered.reset(token)
    for start in range(0, len(ids), GATHERED_BATCH):
        request_quote_checks_of(claim_ids=ids[start : start + GATHERED_BATCH])


def after_response_saved(*, response: Response) -> None:
    """An answer was linked (or its link changed): announced once both claims are public."""
    _record_response_published(response, active_subscriptions)


def after_response_removed(*, response: Response) -> None:
    """An answer was unlinked: nothing follows; the history keeps the link and its removal."""


def after_evidence_saved(*, evidence: Evidence, url_changed: bool) -> None:
    """A new or changed URL is archived once this commits."""
    if url_changed:
        request_archive(item=evidence)


def after_evidence_removed(*, evidence: Evidence) -> None:
    """Evidence was removed: nothing follows; its archived bytes stay, as the history names them."""


def after_document_saved(*, document: Document, url_changed: bool, text_changed: bool) -> None:
    """A new or changed URL is archived; changed text re-checks the quotes taken from it."""
    if url_changed:
        request_archive(item=document)
    if text_changed:
        request_quote_checks(document=document)


def after_actor_saved(*, actor: Actor) -> None:
    """An actor (with its aliases and roles) was saved: nothing follows yet."""


def after_incident_saved(*, incident: Incident) -> None:
    """An incident was saved: nothing follows yet."""


def after_assessment_saved(*, assessment: Assessment) -> None:
    """An assessment was saved: nothing follows yet."""


# --- webhook events -----------------------------------------------------------------------------


def record_claim_events(*, claim: Claim, before: ClaimBefore) -> list[OutboxEvent]:
    """The events one save of a statement gave rise to, written in its transaction."""
    events: list[OutboxEvent | None] = []
    subscribed = functools.cache(active_subscriptions)  # read at the first event, if any

    def event(kind: str, payload: dict) -> None:
        events.append(record_event(event_type=kind, payload=payload, active=subscribed()))

    status, previous = claim.status, before.status
    if status == Published and previous != Published:
        event(EventType.CLAIM_PUBLISHED, claim_payload(claim))
    if status == Claim.Status.WITHDRAWN and previous != Claim.Status.WITHDRAWN:
        event(
            EventType.CLAIM_WITHDRAWN, {**claim_payload(claim), "reason": claim.withdrawal_reason}
        )
    if status != Published:
        return [e for e in events if e is not None]
    already = set(before.response_ids) if previous == Published else set()
    for response in claim.responses_made.select_related("answers__speaker"):
        if response.pk not in already:
            events.append(_record_response_published(response, subscribed))
    if previous != Published:
        # Links to this claim from published answers become public with it.
        for response in claim.responses_received.select_related("claim__speaker"):
            events.append(_record_response_published(response, subscribed))
    figures = figures_of(claim)
    if previous == Published and figures != before.figures:
        event(
            EventType.FIGURES_CHANGED,
            {**claim_payload(claim), "figures": figures, "previous": before.figures},
        )
    return [e for e in events if e is not None]


def _record_response_published(
    response: Response, active: Callable[[], list[WebhookSubscription]]
) -> OutboxEvent | None:
    """The allegation <-> answer link became public: both claims are now published.

    Nothing is recorded while either side is a draft or withdrawn, so an unpublished claim's
    words never reach a subscriber; the event follows when the second of the two is published.
    """
    if response.claim.status != Published or response.answers.status != Published:
        return None
    payload = {
        "response": {"id": response.pk, "kind": response.kind, "note": response.note},
        "answering": claim_payload(response.claim)["claim"],
        "answered": claim_payload(response.answers)["claim"],
    }
    return record_event(event_type=EventType.RESPONSE_PUBLISHED, payload=payload, active=active())


def announced_responses(responses: Iterable[Response]) -> list[OutboxEvent]:
    """Announce links made in bulk (an import) that are public: one subscriptions read."""
    subscribed = functools.cache(active_subscriptions)
    events = [_record_response_published(r, subscribed) for r in responses]
    return [e for e in events if e is not None]
