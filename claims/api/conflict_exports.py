"""Incidents out in UCDP GED's and ACLED's column conventions: CSV, streamed, with the incident
list's filters, one row per incident, naming the ledger head it was made at. The figures follow
the rule in claims/reading/conflictdata.py; the README lists the columns."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from django.db.models import Prefetch, QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from claims.api.exports import CHUNK_SIZE, CSVRenderer
from claims.api.source_serializers import html_url
from claims.ledger import tree
from claims.models import Attribution, Claim, Incident
from claims.reading import conflictdata as rule

GED_COLUMNS = [
    "id", "relid", "year", "date_start", "date_end", "date_prec", "where_prec",
    "where_coordinates", "adm_1", "country", "latitude", "longitude", "best", "low", "high",
    "deaths_civilians", "number_of_sources", "source_article", "source_original", "ucdp_id",
    "acled_id", "wikidata_id", "url",
]  # fmt: skip
ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "country", "admin1", "location",
    "latitude", "longitude", "geo_precision", "source", "notes", "fatalities", "claimtracker_id",
    "ucdp_id", "wikidata_id", "url",
]  # fmt: skip


class _Echo:
    def write(self, value: str) -> str:
        return value


def _published_claims() -> Prefetch:
    # Per chunk of incidents: their published claims with speakers, figures and documents,
    # instead of three queries per incident.
    claims = (
        Claim.objects.published()
        .select_related("speaker")
        .prefetch_related(
            "figures",
            Prefetch("attributions", Attribution.objects.select_related("document__publisher")),
        )
        .order_by("made_on", "id")
    )
    return Prefetch("claims", queryset=claims, to_attr="published_claims")


def _documents(claims: list[Claim]) -> list[Any]:
    seen: dict[int, Any] = {}
    for claim in claims:
        for hop in claim.chain:
            if hop.document is not None:
                seen.setdefault(hop.document.pk, hop.document)
    return list(seen.values())


def _common(incident: Incident) -> tuple[rule.Estimate, list[Any]]:
    claims: list[Claim] = incident.published_claims  # type: ignore[attr-defined]
    return rule.estimate(claims), _documents(claims)


def ged_row(incident: Incident, request: Request | None) -> dict[str, Any]:
    estimate, documents = _common(incident)
    start, end = incident.start_on, incident.end_on or incident.start_on
    return {
        "id": incident.pk,
        "relid": incident.slug,
        "year": start.year if start else "",
        "date_start": start.isoformat() if start else "",
        "date_end": end.isoformat() if end else "",
        "date_prec": rule.ged_date_precision(incident) or "",
        "where_prec": rule.where_precision(incident, rule.GED_WHERE),
        "where_coordinates": incident.place,
        "adm_1": incident.region,
        "country": incident.country,
        "latitude": incident.latitude if incident.latitude is not None else "",
        "longitude": incident.longitude if incident.longitude is not None else "",
        "best": estimate.best if estimate.best is not None else "",
        "low": estimate.low if estimate.low is not None else "",
        "high": estimate.high if estimate.high is not None else "",
        "deaths_civilians": estimate.civilians if estimate.civilians is not None else "",
        "number_of_sources": len(estimate.totals),
        "source_article": "; ".join(
            f"{d.publisher.name}, {d.published_display}, “{d.title}”" for d in documents
        ),
        "source_original": "; ".join(t.speaker for t in estimate.totals),
        "ucdp_id": incident.ucdp_id,
        "acled_id": incident.acled_id,
        "wikidata_id": incident.wikidata_id,
        "url": html_url(request, incident),
    }


def acled_row(incident: Incident, request: Request | None) -> dict[str, Any]:
    estimate, documents = _common(incident)
    start = incident.start_on
    notes = "; ".join(
        f"{t.speaker} says {t.low if t.low == t.high else f'{t.low}-{t.high}'} people were killed"
        f" ({t.made_on.isoformat()})"
        for t in estimate.totals
    )
    return {
        "event_id_cnty": incident.acled_id,
        "event_date": start.isoformat() if start else "",
        "year": start.year if start else "",
        "time_precision": rule.acled_time_precision(incident) or "",
        "country": incident.country,
        "admin1": incident.region,
        "location": incident.place,
        "latitude": incident.latitude if incident.latitude is not None else "",
        "longitude": incident.longitude if incident.longitude is not None else "",
        "geo_precision": rule.where_precision(incident, rule.ACLED_GEO),
        "source": "; ".join(sorted({d.publisher.name for d in documents})),
        "notes": notes,
        "fatalities": estimate.best if estimate.best is not None else "",
        "claimtracker_id": incident.slug,
        "ucdp_id": incident.ucdp_id,
        "wikidata_id": incident.wikidata_id,
        "url": html_url(request, incident),
    }


Row = Callable[[Incident, Request | None], dict[str, Any]]


def stream(
    incidents: QuerySet[Incident], request: Request, columns: list[str], row: Row
) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(columns)
    for incident in incidents.prefetch_related(_published_claims()).iterator(CHUNK_SIZE):
        values = row(incident, request)
        yield writer.writerow([values[column] for column in columns])


def _response(
    request: Request, incidents: QuerySet[Incident], name: str, columns: list[str], row: Row
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        stream(incidents, request, columns, row), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="incidents-{name}.csv"'
    response["X-Claimtracker-Ledger-Head"] = tree.head_label()
    return response


DESCRIPTION = (
    "Incidents matching the list's filters, one CSV row each, streamed, in {name}'s column "
    "conventions; best/low/high from published claims' figures by the rule in the README. "
    "X-Claimtracker-Ledger-Head names the history's tree head as the stream began."
)


class ConflictExportsMixin(GenericAPIView[Incident]):
    """The two exports as actions of the incident viewset, so they share its filters."""

    conflict_actions: ClassVar[tuple[str, ...]] = ("export_ucdp_ged", "export_acled")

    @extend_schema(
        summary="Incidents as UCDP GED rows (CSV)",
        description=DESCRIPTION.format(name="UCDP GED"),
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    @action(
        detail=False,
        url_path="export/ucdp-ged",
        url_name="export-ucdp-ged",
        renderer_classes=[JSONRenderer, CSVRenderer],
        pagination_class=None,
    )
    def export_ucdp_ged(self, request: Request) -> StreamingHttpResponse:
        incidents = self.filter_queryset(self.get_queryset())
        return _response(request, incidents, "ucdp-ged", GED_COLUMNS, ged_row)

    @extend_schema(
        summary="Incidents as ACLED rows (CSV)",
        description=DESCRIPTION.format(name="ACLED"),
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    @action(
        detail=False,
        url_path="export/acled",
        url_name="export-acled",
        renderer_classes=[JSONRenderer, CSVRenderer],
        pagination_class=None,
    )
    def export_acled(self, request: Request) -> StreamingHttpResponse:
        incidents = self.filter_queryset(self.get_queryset())
        return _response(request, incidents, "acled", ACLED_COLUMNS, acled_row)
