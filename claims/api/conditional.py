"""Conditional GET for API details: an ETag on every answer, 304 to a client whose copy is current.

The validator is the head of the change history (every write to anything a detail shows adds a
change record, by trigger, and the newest record's id only grows, in commit order), whether the
reader sees drafts (the only thing about the user that changes a detail), and the version of the
serializers. A client revalidating its copy costs one indexed query and no serialization.

The head is read in the same query as the object, before the related rows are prefetched, so a
write in between gives an older validator, never a newer one: the next revalidation then answers
in full. No Last-Modified is sent: change records carry their transaction's start time, which is
not in commit order, so a date could call a copy current that a later commit has changed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.http import parse_etags
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from claims.models import ChangeRecord, reads_drafts
from claimtracker.versions import code_version

# A deployment that changes what the API returns must not revalidate copies made by the old code.
_SHAPES = Path(__file__).parent
API_VERSION = code_version(sorted(_SHAPES.glob("*.py")), length=8)

_M = TypeVar("_M", bound=Model)


def reader(request: Request) -> str:
    return "d" if reads_drafts(request.user) else "p"


def validator(request: Request, head: int | None) -> str:
    """The part of every ETag that says which state of the record, for whom, by which code."""
    return f"r{head or 0}-{reader(request)}-{API_VERSION}"


class ConditionalRetrieveMixin(GenericAPIView[_M]):
    """``retrieve`` sends an ETag and answers 304 to If-None-Match when nothing has changed."""

    # Columns etag() reads besides the key (the claim's version, for instance).
    etag_fields: tuple[str, ...] = ()
    # What a lookup value must look like to be a key (source_views.StrictLookupMixin sets it).
    lookup_pattern: re.Pattern[str]

    def etag(self, row: _M, head: int | None) -> str:
        return f'"{row._meta.model_name}-{row.pk}-{validator(self.request, head)}"'

    def validator_queryset(self) -> QuerySet[_M]:
        """The rows this user may read, without the eager loading a full answer needs."""
        return self.get_queryset().prefetch_related(None).select_related(None)

    def current_etag(self) -> str | None:
        """The ETag a full answer would carry now, in one query; None when there is no row."""
        field = self.lookup_field
        value = self.kwargs[self.lookup_url_kwarg or field]
        if not self.lookup_pattern.fullmatch(value):
            return None
        row = (
            self.validator_queryset()
            .filter(**{field: value})
            .annotate(record_head=ChangeRecord.objects.head_column())
            .only("pk", *self.etag_fields)
            .first()
        )
        return None if row is None else self.etag(row, head_of(row))

    def filter_queryset(self, queryset: QuerySet[_M, Any]) -> QuerySet[_M, Any]:
        queryset = super().filter_queryset(queryset)
        if getattr(self, "action", None) == "retrieve":
            # The head rides along in the object's own query: no extra query for the ETag.
            # The plugin types annotate() over a model variable as QuerySet[Model]; it stays _M.
            queryset = queryset.annotate(  # type: ignore[assignment]
                record_head=ChangeRecord.objects.head_column()
            )
        return queryset

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        held = request.headers.get("If-None-Match")
        if held:
            current = self.current_etag()
            if current is not None and (held.strip() == "*" or current in parse_etags(held)):
                return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": current})
        return self.full_answer()

    def full_answer(self) -> Response:
        row = self.get_object()
        answer = Response(self.get_serializer(row).data)
        answer["ETag"] = self.etag(row, head_of(row))
        return answer


def head_of(row: Model) -> int | None:
    """The change-record head annotated on the row (filter_queryset, current_etag above): a
    column of the query, not a field of the model, so read from the row's own attributes."""
    head: int | None = row.__dict__["record_head"]
    return head
