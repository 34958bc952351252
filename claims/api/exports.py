"""Streamed claim exports (CSV, JSON Lines) and the JSON-LD renderer (ClaimReview documents are
built in claims/reading/claimreview.py, served by claims/api/claimreviews.py).

Exports walk the filtered queryset in chunks (``iterator(chunk_size=…)`` runs the prefetches
per chunk), so memory stays flat however many claims match.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request

from claims.api.source_serializers import api_url, html_url
from claims.models import Claim

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
