"""Casualty figures of an incident or an actor, in date order, each with its discrepancy flags.

The figures come in pages (limit and offset, as ``/api/v1/figures/``): the flags are still read
over the whole scope, a figure on one page being set against figures on others, but only the
page's figures are built and written. A figure's flags are counted by rule and listed up to
``FIGURE_FLAGS_PER_FIGURE``: in the busiest incident at a million claims one figure is in over a
thousand ``apart`` flags, and every figure carrying all of its own made an answer of half a
million flags, each written out. A figure whose list stops says how many flags it leaves out and
where they all are: the same endpoint with ``?figure=<id>``, which answers that figure alone with
every flag it is in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from claims.api.pagination import CappedLimitOffsetPagination
from claims.api.params import paging_params, refuse_unknown
from claims.api.serializers import ClaimRefSerializer, FigureSerializer, IncidentRefSerializer
from claims.models import CasualtyFigure, Incident
from claims.reading.asof import as_of_from
from claims.reading.discrepancies import FigureFlags, Flag, Rule, flags_of_figures
from claims.reading.figures import (
    FigureRow,
    actor_incidents,
    actor_scope,
    figure_models,
    figure_record,
    incident_scope,
)
from sources.models import Actor


class FigureFlagSerializer(serializers.Serializer):
    rule = serializers.ChoiceField(choices=Rule.choices)
    text = serializers.CharField(help_text="The flag in words, saying who claims which figure.")
    ratio = serializers.FloatField(
        allow_null=True, help_text="For `apart`: the higher range's bottom over the lower's top."
    )
    figures = serializers.ListField(
        child=serializers.IntegerField(),
        source="figure_ids",
        help_text="Ids of the figures involved: the one flagged, then those it is set against.",
    )

    def to_representation(self, flag: Flag) -> dict[str, Any]:
        # Shaped by hand: one answer holds tens of thousands of flags, and walking the fields
        # for each cost more than finding and writing the flags.
        return {
            "rule": flag.rule.value,
            "text": flag.text,
            "ratio": flag.ratio,
            "figures": flag.figure_ids,
        }


class FlagCountsSerializer(serializers.Serializer):
    """How many flags a figure is in, under each rule (zero included)."""

    lowered = serializers.IntegerField()
    apart = serializers.IntegerField()
    relay_superseded = serializers.IntegerField()
    counted_twice = serializers.IntegerField()


NO_FLAGS = FigureFlags(dict.fromkeys(Rule, 0), [])
FLAG = FigureFlagSerializer()  # one for every flag: a serializer per figure was most of the cost


class FigureSpreadSerializer(FigureSerializer):
    """One figure in date order: the range, the claim that gives it, and its flags."""

    claim = ClaimRefSerializer(read_only=True)
    incident = IncidentRefSerializer(source="claim.incident", read_only=True, allow_null=True)
    flags = serializers.SerializerMethodField()
    flag_counts = serializers.SerializerMethodField()
    flags_more = serializers.SerializerMethodField()
    flags_url = serializers.SerializerMethodField()

    class Meta(FigureSerializer.Meta):
        fields = [
            *FigureSerializer.Meta.fields,
            *("claim", "incident", "flags", "flag_counts", "flags_more", "flags_url"),
        ]

    def _flags(self, figure: CasualtyFigure) -> FigureFlags:
        return self.context.get("flags", {}).get(figure.pk, NO_FLAGS)

    @extend_schema_field(FigureFlagSerializer(many=True))
    def get_flags(self, figure: CasualtyFigure) -> list[dict[str, Any]]:
        return [FLAG.to_representation(flag) for flag in self._flags(figure).flags]

    @extend_schema_field(FlagCountsSerializer)
    def get_flag_counts(self, figure: CasualtyFigure) -> dict[str, int]:
        return {rule.value: n for rule, n in self._flags(figure).counts.items()}

    @extend_schema_field(OpenApiTypes.INT)
    def get_flags_more(self, figure: CasualtyFigure) -> int:
        """The flags the figure is in that ``flags`` leaves out (0: it lists them all)."""
        flags = self._flags(figure)
        return flags.total - len(flags.flags)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_flags_url(self, figure: CasualtyFigure) -> str | None:
        """Where every flag of the figure is listed, when ``flags`` leaves some out."""
        if not self.get_flags_more(figure):
            return None
        request: Request = self.context["request"]
        asked = {"figure": figure.pk, **self.context.get("as_of_param", {})}
        return request.build_absolute_uri(f"{request.path}?{urlencode(asked)}")


class FigureQuery(serializers.Serializer):
    """What the figures endpoints filter on; ``as_of`` is read by claims.reading.asof."""

    outcome = serializers.ChoiceField(choices=CasualtyFigure.Outcome.choices, required=False)
    category = serializers.ChoiceField(choices=CasualtyFigure.Category.choices, required=False)
    figure = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Id of one figure: that figure alone, with every flag it is in (a figure's "
        "`flags_url`).",
    )


class IncidentFigureQuery(FigureQuery):
    speaker = serializers.SlugField(required=False, help_text="Slug of the actor who spoke.")


class ActorFigureQuery(FigureQuery):
    incident = serializers.SlugField(required=False, help_text="Slug of the incident.")


AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="Only claims made by this date (a loose date counts by the end of its period), "
    "and flags read from them alone.",
)


def documented(query: type[FigureQuery], what: str) -> Callable:
    return extend_schema(
        parameters=[query, AS_OF],
        responses=FigureSpreadSerializer(many=True),
        filters=False,
        description=f"Every casualty figure {what}, in the date order of the claims giving them, "
        "a page at a time (`limit`, `offset`; `next` and `previous` keep the other parameters), "
        "each with its discrepancy flags, read over the whole record whatever the page: "
        "`flag_counts` by rule, and `flags`, the first "
        "FIGURE_FLAGS_PER_FIGURE (5 by default) in order. A figure whose `flags` leaves some "
        "out says how many (`flags_more`) and where every one is listed (`flags_url`: this "
        "endpoint with `?figure=<id>`, that figure alone with all its flags). "
        "Any other query parameter answers 400.",
    )


def _read(request: Request, query: type[FigureQuery]) -> tuple[dict, dt.date | None]:
    paginator = CappedLimitOffsetPagination()
    refuse_unknown(request, {*query().fields, "as_of", *paging_params(paginator)})
    # The page asked for is checked before the record is read for it.
    paginator.check(request)
    params = query(data=request.query_params)
    params.is_valid(raise_exception=True)
    try:
        as_of = as_of_from(request.query_params)
    except DjangoValidationError as error:
        raise ValidationError(error.message_dict) from None
    return params.validated_data, as_of


def _keep(figure: FigureRow, chosen: dict) -> bool:
    claim = figure.claim
    return (
        chosen.get("figure", figure.pk) == figure.pk
        and chosen.get("outcome", figure.outcome) == figure.outcome
        and chosen.get("category", figure.category) == figure.category
        and chosen.get("speaker", claim.speaker.slug) == claim.speaker.slug
        and chosen.get("incident_id", claim.incident_id) == claim.incident_id
    )


def _incident_id(slug: str) -> int:
    """The id of the incident ``incident=`` names (0, which no incident has, for none): rows
    read no incident's slug, a join for each of them."""
    return Incident.objects.filter(slug=slug).values_list("pk", flat=True).first() or 0


def _answer(
    request: Request,
    scope: QuerySet[CasualtyFigure],
    as_of: dt.date | None,
    chosen: dict,
    mine: Callable[[FigureRow], bool] = lambda figure: True,
    incidents: QuerySet | Collection[int] | None = None,
) -> Response:
    """Flags are read over the whole scope (every party's figures), then figures are chosen and
    paged; only the page's figures are built and only the flags listed written. One figure
    asked for lists all of its own."""
    record = figure_record(scope, as_of, incidents=incidents)
    chosen_rows = [f for f in record.figures if mine(f) and _keep(f, chosen)]
    paginator = CappedLimitOffsetPagination()
    page = paginator.paginate_queryset(chosen_rows, request) or []
    first = None if "figure" in chosen else settings.FIGURE_FLAGS_PER_FIGURE
    context = {
        "request": request,
        "flags": flags_of_figures(record, [f.pk for f in page], first),
        "as_of_param": {"as_of": as_of.isoformat()} if as_of is not None else {},
    }
    shown = FigureSpreadSerializer(figure_models(page), many=True, context=context)
    return paginator.get_paginated_response(shown.data)


def incident_figures(request: Request, incident: Incident) -> Response:
    chosen, as_of = _read(request, IncidentFigureQuery)
    scope = incident_scope(incident, as_of)
    return _answer(request, scope, as_of, chosen, incidents=[incident.pk])


def actor_figures(request: Request, actor: Actor) -> Response:
    """The actor's own figures; flags read over every figure of the incidents it gave them for."""
    chosen, as_of = _read(request, ActorFigureQuery)
    if "incident" in chosen:
        chosen["incident_id"] = _incident_id(chosen.pop("incident"))
    return _answer(
        request,
        actor_scope(actor, as_of),
        as_of,
        chosen,
        lambda f: f.claim.speaker_id == actor.pk,
        actor_incidents(actor, as_of),
    )
