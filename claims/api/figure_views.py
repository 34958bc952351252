"""``/api/v1/figures/``: every casualty figure of the claims a reader may list, filtered by what
it counts, who gave it and about which incident, newest claim first."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.permissions import AllowAny
from rest_framework.viewsets import GenericViewSet

from claims.api.clocks import AS_OF, made_by_day
from claims.api.filters import AskedFilterBackend, ClaimChoiceFilter
from claims.api.pagination import CappedLimitOffsetPagination
from claims.api.params import StrictParamsMixin
from claims.api.serializers import ClaimRefSerializer, FigureSerializer, IncidentRefSerializer
from claims.models import CasualtyFigure, Claim
from claims.reading.asof import as_of_from
from claims.reading.filters import visible_actors, visible_incidents
from claims.reading.visibility import reader_of


class FigureListSerializer(FigureSerializer):
    """A figure with the claim that gives it and that claim's incident."""

    claim = ClaimRefSerializer(read_only=True)
    incident = IncidentRefSerializer(source="claim.incident", read_only=True, allow_null=True)

    class Meta(FigureSerializer.Meta):
        fields = [*FigureSerializer.Meta.fields, "claim", "incident"]


class FigureFilter(django_filters.FilterSet):
    # The callables take the request: a filter naming what the reader may not see answers 400.
    speaker = django_filters.ModelChoiceFilter(
        field_name="claim__speaker",
        to_field_name="slug",
        queryset=visible_actors,  # type: ignore[arg-type]  # a callable: see claims.api.filters
        label="Slug of the actor whose claim gives the figure",
    )
    incident = django_filters.ModelChoiceFilter(
        field_name="claim__incident",
        to_field_name="slug",
        queryset=visible_incidents,  # type: ignore[arg-type]  # a callable, as above
        label="Slug of the incident",
    )
    claim = ClaimChoiceFilter(label="The claim giving the figure (id or uid)")

    class Meta:
        model = CasualtyFigure
        fields = ["outcome", "category", "qualifier"]


@extend_schema_view(list=extend_schema(parameters=[AS_OF]))
class FigureViewSet(
    StrictParamsMixin[CasualtyFigure], mixins.ListModelMixin, GenericViewSet[CasualtyFigure]
):
    """Casualty figures across the record; an incident's or an actor's, with discrepancy
    flags, are at /incidents/{slug}/figures/ and /actors/{slug}/figures/."""

    serializer_class = FigureListSerializer
    filterset_class = FigureFilter
    filter_backends = [AskedFilterBackend]
    pagination_class = CappedLimitOffsetPagination
    permission_classes = [AllowAny]
    action_params = {"list": (AS_OF.name,)}

    def get_queryset(self) -> QuerySet[CasualtyFigure]:
        claims = made_by_day(
            Claim.objects.listed_for(reader_of(self.request)), as_of_from(self.request.query_params)
        )
        # The claim with its speaker and incident, and who worded the figure, joined in: one
        # query for the page instead of three per figure.
        return (
            CasualtyFigure.objects.filter(claim__in=claims)
            .select_related("claim__speaker", "claim__incident", "reported_by")
            .order_by("-claim__made_on", "-claim_id", "id")
        )
