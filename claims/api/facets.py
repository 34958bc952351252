"""``?facets=`` and ``?order=`` of the claim lists: how the matching claims divide
(claims.reading.facets), opt-in so that a plain page keeps its two queries, and which way the
list reads; each refused as 400 naming what is accepted."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from claims.models import ChangeRecord, Claim, listed_statuses
from claims.reading import bands
from claims.reading.facets import FACETS, facets_of, unknown_facets
from claims.reading.paging import ORDERS, unknown_order

FACETS_PARAM = "facets"
ORDER_PARAM = "order"

FACETS_PARAMETER = OpenApiParameter(
    FACETS_PARAM,
    str,
    description=(
        "Comma-separated facets to count over every claim the filters match (not only this "
        f"page): any of {', '.join(FACETS)}. The answer then carries `facets`, keyed by facet: "
        "its values with the most claims (each with the value its filter takes, a label and a "
        "count) and how many other values, holding how many claims, there are. Without it, "
        "no facets are counted."
    ),
)
ORDER_PARAMETER = OpenApiParameter(
    ORDER_PARAM,
    str,
    enum=list(ORDERS),
    description=(
        "`newest` or `oldest` first, by the date made (the id breaks ties); cursors keep it. "
        "Not with `ordering`."
    ),
)

# The schema of the ``facets`` key, for the paginated answer (claims.api.pagination).
FACETS_SCHEMA = {
    "type": "object",
    "description": "Only when ?facets= asks: the facets asked for, by name.",
    "additionalProperties": {
        "type": "object",
        "required": ["name", "label", "values", "other_values", "other_count"],
        "properties": {
            "name": {"type": "string"},
            "label": {"type": "string"},
            "values": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["value", "label", "count"],
                    "properties": {
                        "value": {
                            "type": "string",
                            "description": "What the facet's filter takes: a code or a slug.",
                        },
                        "label": {"type": "string"},
                        "count": {"type": "integer"},
                    },
                },
            },
            "other_values": {"type": "integer", "description": "Values not listed."},
            "other_count": {
                "type": "integer",
                "description": "Claims with those values (for accused: accusations).",
            },
        },
    },
}


def asked_facets(request: Request) -> list[str]:
    """The facets ``?facets=`` names (none without it); an unknown name answers 400."""
    value = request.query_params.get(FACETS_PARAM)
    if value is None:
        return []
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = unknown_facets(names)
    if unknown or not names:
        accepted = ", ".join(FACETS)
        given = ", ".join(unknown) or "nothing"
        raise ValidationError({FACETS_PARAM: [f"Unknown facet {given}: give any of {accepted}."]})
    return names


def newest_first(request: Request) -> bool | None:
    """Whether ``?order=`` asks for newest first (None when it is not given); 400 for another
    value, or beside ``ordering``."""
    value = request.query_params.get(ORDER_PARAM)
    if value is None:
        return None
    if value not in ORDERS:
        raise ValidationError({ORDER_PARAM: [unknown_order(value)]})
    if "ordering" in request.query_params:
        raise ValidationError({ORDER_PARAM: ["Give order or ordering, not both."]})
    return ORDERS[value]


# Parameters that change the page, not the claims counted.
NOT_COUNTED = frozenset({"cursor", "page_size", "order", "ordering", "format"})


def facet_rows(
    request: Request, claims: QuerySet[Claim], names: list[str], day: dt.date | None
) -> dict:
    """The facets ``names`` of ``claims`` (the list's filters applied), as the answer shows
    them. Each is a pass over every matching claim, so, as on the timeline page, they are kept
    per state of the record (one indexed look-up of its head), for each set of filters and the
    statuses the reader's lists show."""
    query = sorted((k, v) for k, v in request.query_params.items() if k not in NOT_COUNTED)
    key = f"api-facets|{sorted(listed_statuses(request.user))}|{query}"

    def count() -> dict:
        return {name: asdict(facet) for name, facet in facets_of(claims, names, as_of=day).items()}

    return bands.kept(key, count, ChangeRecord.objects.head()[1])
