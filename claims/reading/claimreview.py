"""schema.org ClaimReview documents of published assessments, as fact-check consumers read them.

One document per claim with a published assessment: the latest published grading is its
rating, ``datePublished`` is when that grading was published, the appearances are the sources'
own URLs with ``archivedAt`` naming this record's copy, and ``isBasedOn`` names the history's
Merkle tree head the document was made at (its ``version`` is "<size> <root>", the value of the
``X-Claimtracker-Ledger-Head`` header), so a consumer can check it against a signed head.

Who publishes the reviews comes from settings (``CLAIMREVIEW_PUBLISHER_NAME`` and ``_URL``):
an installation with none configured emits no ClaimReview at all, rather than one naming the
software as its author.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse

from claims.models import Assessment, Claim, ClaimQuerySet
from sources.models import Actor, Document

# Fact-check consumers show claimReviewed as a one-line headline.
SHORT_CLAIM = 200
Absolute = Callable[[str], str]


class NoPublisher(Exception):
    """No ClaimReview publisher is configured; nothing may be emitted."""

    message = (
        "This installation names no ClaimReview publisher: set CLAIMREVIEW_PUBLISHER_NAME and "
        "CLAIMREVIEW_PUBLISHER_URL to publish ClaimReview documents."
    )


def publisher() -> dict[str, str]:
    """The organisation that publishes the reviews; raises NoPublisher when none is set."""
    name, url = settings.CLAIMREVIEW_PUBLISHER_NAME, settings.CLAIMREVIEW_PUBLISHER_URL
    if not name or not url:
        raise NoPublisher(NoPublisher.message)
    return {"@type": "Organization", "name": name, "url": url}


def is_configured() -> bool:
    return bool(settings.CLAIMREVIEW_PUBLISHER_NAME and settings.CLAIMREVIEW_PUBLISHER_URL)


def shortened(text: str, limit: int = SHORT_CLAIM) -> str:
    """``text`` in at most ``limit`` characters, cut at a word boundary and marked with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.–—-") + "…"


def reviewed_claims(claims: ClaimQuerySet, as_of: dt.date | None = None) -> ClaimQuerySet:
    """Published claims with a published assessment, ready for ``claim_review()``; the
    standing in their ``reviewBody`` is the one as of ``as_of``."""
    published = Assessment.objects.published().order_by("-published_at", "-id")
    return (
        claims.published()
        .filter(Exists(Assessment.objects.published().filter(claim=OuterRef("pk"))))
        .with_standing(as_of=as_of)
        .with_thread()
        # The published gradings of every claim in one query; drafts rate nothing.
        .prefetch_related(Prefetch("assessments", queryset=published, to_attr="published_gradings"))
    )


def latest_grading(claim: Claim) -> Assessment | None:
    """The claim's latest published assessment, from ``reviewed_claims()``'s prefetch."""
    gradings: Iterable[Assessment] = getattr(claim, "published_gradings", None) or [
        a for a in claim.assessments.all() if a.status == Assessment.Status.PUBLISHED
    ]
    return max(gradings, key=lambda a: (a.published_at or a.created_at, a.pk), default=None)


def agent(actor: Actor) -> dict[str, Any]:
    kind = "Person" if actor.kind == Actor.Kind.PERSON else "Organization"
    found: dict[str, Any] = {"@type": kind, "name": actor.name}
    if actor.wikidata_id:
        found["sameAs"] = f"https://www.wikidata.org/wiki/{actor.wikidata_id}"
    return found


def archived_copy(document: Document, absolute: Absolute) -> str | None:
    """Where this record keeps its copy of the document, if it has one."""
    if document.archive_status != Document.ArchiveStatus.ARCHIVED or not document.archive_file:
        return None
    return absolute(document.archive_file.url)


def appearance(document: Document, absolute: Absolute) -> dict[str, Any]:
    """One place the claim appeared: the source's own URL, and our archived copy beside it."""
    work: dict[str, Any] = {
        "@type": "CreativeWork",
        "headline": document.title,
        "url": document.url or absolute(document.get_absolute_url()),
        "publisher": agent(document.publisher),
    }
    if document.published_on:
        work["datePublished"] = document.published_on.isoformat()
    copy = archived_copy(document, absolute)
    if copy:
        work["archivedAt"] = copy
    if document.wikidata_id:
        work["sameAs"] = f"https://www.wikidata.org/wiki/{document.wikidata_id}"
    return work


def review_body(claim: Claim) -> str:
    """Who answered ``claim`` in the record, how and when, and the standing derived from it:
    the record's own words, naming every party."""
    answers = [
        f"{r.claim.speaker.name} {r.get_kind_display()} it ({r.claim.made_display})"
        for r in claim.responses_received.all()
        if r.claim.status == Claim.Status.PUBLISHED
    ]
    said = (
        "Published answers in the record: " + "; ".join(answers) + "."
        if answers
        else "The record holds no published answer to it."
    )
    return (
        f"{claim.speaker.name} made this claim ({claim.made_display}). {said}"
        f" Standing the record derives from them: {claim.standing_label}."
    )


def ledger_basis(head: str, absolute: Absolute) -> dict[str, Any]:
    """The history's tree head a document was made at, as schema.org can say it."""
    size, root = head.split(" ")
    return {
        "@type": "Dataset",
        "name": "The record's hash-chained history (Merkle tree head)",
        "url": absolute(reverse("api:ledger-head")),
        "version": head,
        "identifier": root,
        "size": size,
    }


def claim_review(
    claim: Claim, grading: Assessment, *, absolute: Absolute, head: str
) -> dict[str, Any]:
    """A ClaimReview of ``claim`` rated by ``grading``; ``claim`` comes from
    ``reviewed_claims()``. Raises NoPublisher when no publisher is configured."""
    by = publisher()
    documents = [hop.document for hop in claim.chain if hop.document is not None]
    appearances = [appearance(document, absolute) for document in documents]
    dated = [(d.published_on, n) for n, d in enumerate(documents) if d.published_on]
    first = appearances[min(dated)[1]] if dated else (appearances[0] if appearances else None)
    reviewed: dict[str, Any] = {
        "@type": "Claim",
        "author": agent(claim.speaker),
        "datePublished": claim.made_on.isoformat(),
        "description": claim.summary,
        "appearance": appearances,
    }
    if first:
        reviewed["firstAppearance"] = first
    if claim.quote:
        reviewed["text"] = claim.translation or claim.quote
    published = grading.published_at or grading.created_at
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": absolute(claim.get_absolute_url()),
        "claimReviewed": shortened(claim.summary),
        "itemReviewed": reviewed,
        "author": by,
        "publisher": by,
        "datePublished": published.date().isoformat(),
        "reviewBody": review_body(claim),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": grading.rating_value,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": grading.get_rating_display(),
            "ratingExplanation": grading.rationale,
        },
        "isBasedOn": ledger_basis(head, absolute),
    }
