"""The two clocks as the API takes them: ``as_of`` (world time) and ``recorded_by`` (record
time), documented once for the schema; each is read by its one reader and refused as 400."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from claims.ledger.rebuild import PARAMETER, Point, recorded_by_from, recorded_state
from claims.models import ClaimQuerySet

AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description=(
        "World time: only claims made by this day (YYYY-MM-DD) and only answers made by then; "
        "the standing, originators and counts are worked out from those alone. A loose date "
        "counts by the end of its period (a claim made in October 2015 counts from 31 October)."
    ),
)
RECORDED_BY = OpenApiParameter(
    PARAMETER,
    str,
    description=(
        "Record time: the answer as this database held the record just after this change record "
        "(a change-record id, or an ISO timestamp: the last change record at or before "
        "it), rebuilt from the hash-chained history. Covers every recorded table: claims with "
        "their status, figures, targets, chain and evidence, responses (so the standing), actors, "
        "documents and incidents; not archive files, jobs or users, which are read as they are "
        "now. The X-Recorded-By header names the change record and its hash."
    ),
)


@contextmanager
def as_recorded(request: Request) -> Iterator[Point | None]:
    """The block reads the record at the request's ``recorded_by``, when it gives one."""
    point = recorded_by_from(request.query_params)
    if point is None:
        yield None
        return
    with recorded_state(point):
        yield point


def named_point(answer: ApiResponse, point: Point | None) -> ApiResponse:
    if point is not None:
        answer["X-Recorded-By"] = f"{point.id}; hash={point.hash}; at={point.recorded_at}"
    return answer


def made_by_day(claims: ClaimQuerySet, day: dt.date | None) -> ClaimQuerySet:
    """World time: only the claims made by ``day``, when one is asked for."""
    return claims if day is None else claims.made_by(day)
