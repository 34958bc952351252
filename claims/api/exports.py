"""Streamed claim exports (CSV, JSON Lines) and schema.org ClaimReview JSON-LD documents.

Exports walk the filtered queryset in chunks (``iterator(chunk_size=…)`` runs the prefetches
per chunk), so memory stays flat however many claims match.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request

from claims.api.source_serializers import api_url, html_url
from claims.models import Assessment, Claim
from sources.models import Actor

CHUNK_SIZE = 500
CSV_COLUMNS = [
    "id",
    "made_on",
    "made_precision",
    "made_as_stated",
    "kind",
    "status",
    "speaker",
    "speaker_name",
    "spokesperson",
    "incident",
    "summary",
    "quote",
    "quote_language",
    "translation",
    "accused",
    "subjects",
    "figures",
    "chain",
    "standing",
    "url",
    "html_url",
]


class CSVRenderer(BaseRenderer):
    """Lets a client ask for CSV; the export view streams the body itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        return json.dumps(data, cls=DjangoJSONEncoder).encode()  # only errors come through here


class JSONLinesRenderer(CSVRenderer):
    media_type = "application/x-ndjson"
    format = "jsonl"


class JSONLDRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


def claim_row(claim: Claim, request: Request | None) -> dict[str, Any]:
    """One claim flattened for export; lists are joined with "; " in CSV."""
    targets = list(claim.claim_targets.all())
    return {
        "id": claim.pk,
        "made_on": claim.made_on.isoformat(),
        "made_precision": claim.made_precision,
        "made_as_stated": claim.made_as_stated,
        "kind": claim.kind,
        "status": claim.status,
        "speaker": claim.speaker.slug,
        "speaker_name": claim.speaker.name,
        "spokesperson": claim.spokesperson.slug if claim.spokesperson else "",
        "incident": claim.incident.slug if claim.incident else "",
        "summary": claim.summary,
        "quote": claim.quote,
        "quote_language": claim.quote_language,
        "translation": claim.translation,
        "accused": [t.actor.slug for t in targets if t.role == "accused"],
        "subjects": [t.actor.slug for t in targets if t.role == "subject"],
        "figures": [
            {
                "category": f.category,
                "outcome": f.outcome,
                "low": f.low,
                "high": f.high,
                "qualifier": f.qualifier,
                "as_stated": f.as_stated,
                "basis": f.basis,
            }
            for f in claim.figures.all()
        ],
        "chain": [
            {"position": hop.position, "actor": hop.actor.slug, "verb": hop.verb}
            | ({"document": hop.document_id} if hop.document_id else {})
            for hop in claim.chain
        ],
        "standing": claim.standing,
        "url": api_url(request, "claim-detail", pk=claim.pk),
        "html_url": html_url(request, claim),
    }


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(
            " ".join(str(v) for v in item.values() if v not in (None, ""))
            if isinstance(item, dict)
            else str(item)
            for item in value
        )
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream_csv(claims: QuerySet[Claim], request: Request | None) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for claim in claims.iterator(chunk_size=CHUNK_SIZE):
        row = claim_row(claim, request)
        yield writer.writerow([_csv_cell(row[column]) for column in CSV_COLUMNS])


def stream_jsonl(claims: QuerySet[Claim], request: Request | None) -> Iterator[str]:
    for claim in claims.iterator(chunk_size=CHUNK_SIZE):
        yield json.dumps(claim_row(claim, request), ensure_ascii=False) + "\n"


# --- ClaimReview -----------------------------------------------------------------------------


def _agent(actor: Actor) -> dict[str, Any]:
    kind = "Person" if actor.kind == Actor.Kind.PERSON else "Organization"
    agent: dict[str, Any] = {"@type": kind, "name": actor.name}
    if actor.wikidata_id:
        agent["sameAs"] = f"https://www.wikidata.org/wiki/{actor.wikidata_id}"
    return agent


def review_body(claim: Claim) -> str:
    """Who answered ``claim`` in the record, how and when, and the standing derived from it:
    the record's own words, naming every party, for a ClaimReview's ``reviewBody``."""
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


def claim_review(claim: Claim, request: Request | None) -> dict[str, Any]:
    """A schema.org ClaimReview of one claim; needs ``with_standing()``, ``with_thread()`` and
    prefetched assessments.

    The claim's appearances are the documents of its attribution chain; the first appearance
    is the earliest published of them. The review rating is the latest assessment, if any: the
    record grades nothing itself, so its derived standing goes in ``reviewBody`` with who
    answered the claim, not in a rating.
    """
    documents = [hop.document for hop in claim.chain if hop.document is not None]
    appearances = [
        {
            "@type": "CreativeWork",
            "headline": document.title,
            "url": document.url or html_url(request, document),
            "publisher": _agent(document.publisher),
        }
        | ({"datePublished": document.published_on.isoformat()} if document.published_on else {})
        for document in documents
    ]
    dated = [(d.published_on, n) for n, d in enumerate(documents) if d.published_on]
    first = appearances[min(dated)[1]] if dated else (appearances[0] if appearances else None)
    reviewed: dict[str, Any] = {
        "@type": "Claim",
        "author": _agent(claim.speaker),
        "datePublished": claim.made_on.isoformat(),
        "appearance": appearances,
    }
    if first:
        reviewed["firstAppearance"] = first
    if claim.quote:
        reviewed["text"] = claim.translation or claim.quote
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": html_url(request, claim),
        "claimReviewed": claim.summary,
        "itemReviewed": reviewed,
        "author": {"@type": "Organization", "name": "claimtracker"},
        "datePublished": claim.updated_at.date().isoformat(),
        "reviewBody": review_body(claim),
    }
    assessments: Iterable[Assessment] = claim.assessments.all()
    latest = max(assessments, key=lambda a: a.created_at, default=None)
    if latest:
        review["datePublished"] = latest.created_at.date().isoformat()
        review["reviewRating"] = {
            "@type": "Rating",
            "ratingValue": latest.rating_value,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": latest.get_rating_display(),
            "ratingExplanation": latest.rationale,
        }
    return review
