"""Pagination: cursors for claims and the timeline (stable, no COUNT unless asked), pages
elsewhere; capped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.api.facets import FACETS_SCHEMA, newest_first

MAX_PAGE_SIZE = 200
COUNT_PARAM = "count"


class CappedLimitOffsetPagination(LimitOffsetPagination):
    """For the small registries (actors, documents, incidents, responses, evidence); their
    pages always carry the exact ``count``, so ``?count=exact`` is accepted and changes nothing."""

    default_limit = 50
    max_limit = MAX_PAGE_SIZE

    def check(self, request: Request) -> None:
        """400 for a ``limit`` or ``offset`` that is no page: DRF's own reading serves the
        first page for a word, a zero or a negative number."""
        counted(request)
        whole_numbers(request, {self.limit_query_param: 1, self.offset_query_param: 0})

    def paginate_queryset(
        self,
        queryset: QuerySet[Any, Any] | Sequence[Any],
        request: Request,
        view: APIView | None = None,
    ) -> list[Any] | None:
        self.check(request)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        least = {self.limit_query_param: 1, self.offset_query_param: 0}
        return [*at_least(super().get_schema_operation_parameters(view), least), COUNT_PARAMETER]


class OrderedCursorPagination(CursorPagination):
    """By the date made, id as tiebreak, in ``ordering`` unless ``?order=`` asks otherwise; a
    cursor survives rows added meanwhile.

    No total is counted (a COUNT over a million claims costs more than the page), unless the
    client asks with ``?count=exact``: then ``count`` is every row the filters match.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    count: int | None = None

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> Any:
        newest = newest_first(request)
        if newest is None:
            return super().get_ordering(request, queryset, view)
        return ("-made_on", "-id") if newest else ("made_on", "id")

    def paginate_queryset(
        self,
        queryset: QuerySet[Any, Any] | Sequence[Any],
        request: Request,
        view: APIView | None = None,
    ) -> list[Any] | None:
        if self.page_size_query_param:
            whole_numbers(request, {self.page_size_query_param: 1})
        if not counted(request):
            self.count = None
        else:
            self.count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        answer = super().get_paginated_response(data)
        if self.count is not None:
            answer.data = {"count": self.count, **answer.data}
        return answer

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        described = super().get_paginated_response_schema(schema)
        described["properties"] = {
            "count": {
                "type": "integer",
                "description": "Every row the filters match; only with ?count=exact.",
            },
            **described["properties"],
        }
        return described

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        least = {self.page_size_query_param or "": 1}
        return [*at_least(super().get_schema_operation_parameters(view), least), COUNT_PARAMETER]


class ClaimCursorPagination(OrderedCursorPagination):
    """Newest first; the answer carries ``facets`` when ``?facets=`` asks (claims.api.facets)."""

    ordering = ("-made_on", "-id")

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["facets"] = FACETS_SCHEMA
        return answer


class TimelineCursorPagination(OrderedCursorPagination):
    """Oldest first, as a timeline reads."""

    ordering = ("made_on", "id")


COUNT_PARAMETER: dict[str, Any] = {
    "name": COUNT_PARAM,
    "required": False,
    "in": "query",
    "description": "exact: the answer carries the number of rows the filters match "
    "(claims and the timeline count only when asked; other lists always count).",
    "schema": {"type": "string", "enum": ["exact"]},
}


def counted(request: Request) -> bool:
    """Whether the request asks for the exact count; any other value of ``count`` is a 400."""
    value = request.query_params.get(COUNT_PARAM)
    if value is None:
        return False
    if value != "exact":
        raise ValidationError({COUNT_PARAM: ["Send count=exact, or leave it out."]})
    return True


def whole_numbers(request: Request, least: dict[str, int]) -> None:
    """Each of these paging parameters, when given, is a whole number of at least its bound;
    otherwise a 400 naming it, in the words of DRF's own integer fields."""
    errors: dict[str, Any] = {}
    for name, bound in least.items():
        if (value := request.query_params.get(name)) is not None:
            try:
                serializers.IntegerField(min_value=bound).run_validation(value)
            except ValidationError as error:
                errors[name] = error.detail
    if errors:
        raise ValidationError(errors)


def at_least(parameters: list[dict[str, Any]], least: dict[str, int]) -> list[dict[str, Any]]:
    """The paginator's parameters with the bounds ``whole_numbers`` holds them to."""
    return [
        {**p, "schema": {**p["schema"], "minimum": least[p["name"]]}} if p["name"] in least else p
        for p in parameters
    ]
