"""Query-parameter filters for the API lists; claims use the shared claims.reading.filters."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django_filters.fields import ModelChoiceField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.views import APIView

from claims.models import Claim, Evidence, Incident, Response
from claims.reading.filters import ClaimFilter
from claims.reading.visibility import reader_of
from claimtracker.numbers import plain_id
from sources.models import Actor, ActorQuerySet, Document

__all__ = [
    "ActorFilter",
    "ClaimFilter",
    "DocumentFilter",
    "EvidenceFilter",
    "IncidentFilter",
    "ResponseFilter",
    "StableOrderingFilter",
]


# Parameters that page or format an answer rather than choose its rows.
NOT_FILTERS = frozenset(
    {
        *(
            "cursor",
            "page_size",
            "limit",
            "offset",
            "format",
            "ordering",
            "order",
            "facets",
            "count",
        ),
        *("as_of", "recorded_by"),
    }
)


class AskedFilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when a request sends no filter parameter at all.

    Building and validating the filter form costs about as much as serializing a page of claims;
    the most frequent request, a plain page of a list, needs none of it.
    """

    def filter_queryset(
        self, request: HttpRequest, queryset: QuerySet[Any], view: APIView
    ) -> QuerySet[Any]:
        # request.GET: the query parameters, also of a DRF request (its query_params).
        if NOT_FILTERS.issuperset(request.GET):
            return queryset
        return super().filter_queryset(request, queryset, view)


class StableOrderingFilter(OrderingFilter):
    """Ordering that always ends with the id, so equal dates keep one order across pages."""

    def get_ordering(
        self, request: Request, queryset: QuerySet[Any], view: APIView
    ) -> Sequence[str] | None:
        ordering = super().get_ordering(request, queryset, view)
        if not ordering or ordering[-1].lstrip("-") in ("id", "pk"):
            return ordering
        return [*ordering, "-id" if ordering[0].startswith("-") else "id"]


class ActorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Name or alias contains")

    class Meta:
        model = Actor
        fields = ["kind", "country", "wikidata_id"]

    def filter_q(self, queryset: ActorQuerySet, name: str, value: str) -> ActorQuerySet:
        return queryset.matching(value)


class DocumentFilter(django_filters.FilterSet):
    publisher = django_filters.CharFilter(method="filter_publisher", label="Publisher (id or slug)")
    published_since = django_filters.DateFilter(field_name="published_on", lookup_expr="gte")
    published_until = django_filters.DateFilter(field_name="published_on", lookup_expr="lte")

    class Meta:
        model = Document
        fields = ["kind", "language", "wikidata_id", "doi"]

    def filter_publisher(
        self, queryset: QuerySet[Document], name: str, value: str
    ) -> QuerySet[Document]:
        named = Q(publisher__slug=value)
        if (publisher_id := plain_id(value)) is not None:
            named |= Q(publisher_id=publisher_id)
        return queryset.filter(named)


class IncidentFilter(django_filters.FilterSet):
    since = django_filters.DateFilter(field_name="start_on", lookup_expr="gte")
    until = django_filters.DateFilter(field_name="start_on", lookup_expr="lte")

    class Meta:
        model = Incident
        # The external ids: join the record to the conflict datasets and Wikidata by them.
        fields = ["country", "wikidata_id", "acled_id", "ucdp_id"]


def listed_claims(request: Request | None) -> QuerySet[Claim]:
    """The claims these lists may name: those they list, so a draft named by a reader who may
    not see it answers 400 as an id that does not exist does."""
    return Claim.objects.listed_for(reader_of(request))


class IdOrUidField(ModelChoiceField):
    """A row by its id (digits) or its uid (a UUID), as reads show both."""

    def to_python(self, value: Any) -> Model | None:
        if value in self.empty_values:
            return None
        text = str(value)
        if plain_id(text) is not None:
            return super().to_python(text)
        try:
            uid = uuid.UUID(text)
        except ValueError:
            uid = None
        rows = self.queryset
        row = None if uid is None or rows is None else rows.filter(uid=uid).first()
        if row is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return row


@extend_schema_field(
    {
        "oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "format": "uuid"}],
        "description": "The claim's id or uid.",
    }
)
class ClaimChoiceFilter(django_filters.ModelChoiceFilter):
    """A claim these lists may name (``listed_claims``), by id or uid."""

    field_class = IdOrUidField

    def __init__(self, **kwargs: Any) -> None:
        # django-filter takes a callable of the request for queryset (documented); the stubs
        # say a queryset only.
        super().__init__(queryset=listed_claims, **kwargs)  # type: ignore[arg-type]


class ResponseFilter(django_filters.FilterSet):
    claim = ClaimChoiceFilter(label="The answering claim (id or uid)")
    answers = ClaimChoiceFilter(label="The answered claim (id or uid)")

    class Meta:
        model = Response
        fields = ["kind"]


class EvidenceFilter(django_filters.FilterSet):
    claim = ClaimChoiceFilter(label="Claim (id or uid)")

    class Meta:
        model = Evidence
        fields = ["relation", "kind", "availability"]
