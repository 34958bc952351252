"""Pagination: cursors for claims and the timeline (stable, no COUNT), pages elsewhere; capped."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination, LimitOffsetPagination

MAX_PAGE_SIZE = 200


class CappedLimitOffsetPagination(LimitOffsetPagination):
    """For the small registries (actors, documents, incidents, responses, evidence)."""

    default_limit = 50
    max_limit = MAX_PAGE_SIZE


class ClaimCursorPagination(CursorPagination):
    """Newest first by the date made, id as tiebreak; a cursor survives rows added meanwhile."""

    ordering = ("-made_on", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class TimelineCursorPagination(ClaimCursorPagination):
    """Oldest first, as a timeline reads."""

    ordering = ("made_on", "id")
