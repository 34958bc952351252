"""Pagination: cursors for claims and the timeline (stable, no COUNT), pages elsewhere; capped."""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import CursorPagination, LimitOffsetPagination

from claims.api.facets import FACETS_SCHEMA, newest_first

MAX_PAGE_SIZE = 200


class CappedLimitOffsetPagination(LimitOffsetPagination):
    """For the small registries (actors, documents, incidents, responses, evidence)."""

    default_limit = 50
    max_limit = MAX_PAGE_SIZE


class OrderedCursorPagination(CursorPagination):
    """By the date made, id as tiebreak, in ``ordering`` unless ``?order=`` asks otherwise; a
    cursor survives rows added meanwhile."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> Any:
        newest = newest_first(request)
        if newest is None:
            return super().get_ordering(request, queryset, view)
        return ("-made_on", "-id") if newest else ("made_on", "id")


class ClaimCursorPagination(OrderedCursorPagination):
    """Newest first; the answer carries ``facets`` when ``?facets=`` asks (claims.api.facets)."""

    ordering = ("-made_on", "-id")

    def get_paginated_response_schema(self, schema: dict) -> dict:
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["facets"] = FACETS_SCHEMA
        return answer


class TimelineCursorPagination(OrderedCursorPagination):
    """Oldest first, as a timeline reads."""

    ordering = ("made_on", "id")
