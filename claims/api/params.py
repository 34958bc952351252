"""What an endpoint accepts, and the 400 that names anything else (issue 16's rule): query
parameters (``refuse_unknown``, ``StrictParamsMixin`` on every viewset) and body fields
(``StrictFieldsMixin`` on every write serializer, nested items included).

An endpoint that ignored a misspelt or unsupported parameter or field would answer as if it had
not been sent, and a tool would never know; instead the answer names it and lists the accepted
ones.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, ClassVar, TypeVar

from django.db.models import Model
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import BasePagination, CursorPagination, LimitOffsetPagination
from rest_framework.request import Request

from claims.api.pagination import COUNT_PARAM

# Accepted everywhere: DRF's choice of renderer.
ALWAYS = frozenset({"format"})

_M = TypeVar("_M", bound=Model)


def refuse_unknown(request: Request, accepted: Collection[str]) -> None:
    """Raise a 400 naming every query parameter outside ``accepted``, with the accepted list."""
    unknown = sorted(set(request.query_params) - set(accepted) - ALWAYS)
    if unknown:
        listed = ", ".join(sorted(accepted)) or "none"
        message = f"Unknown parameter. This endpoint accepts: {listed}."
        raise ValidationError({name: [message] for name in unknown})


class StrictFieldsMixin(serializers.Serializer):
    """A body (or a nested item) with a field this serializer does not declare answers 400
    naming it, besides the errors of the fields it does declare."""

    def to_internal_value(self, data: Any) -> Any:
        unknown: dict[str, list[str]] = {}
        if isinstance(data, Mapping):
            listed = ", ".join(sorted(self.fields))
            message = f"Unknown field. Send only: {listed}."
            unknown = {name: [message] for name in sorted(set(data) - set(self.fields))}
        try:
            value = super().to_internal_value(data)
        except ValidationError as error:
            if unknown and isinstance(error.detail, dict):
                raise ValidationError({**error.detail, **unknown}) from error
            raise
        if unknown:
            raise ValidationError(unknown)
        return value


def paging_params(paginator: BasePagination | None) -> set[str]:
    """The query parameters a paginator reads."""
    if isinstance(paginator, CursorPagination):
        names = {paginator.cursor_query_param, *filter(None, [paginator.page_size_query_param])}
    elif isinstance(paginator, LimitOffsetPagination):
        names = {paginator.limit_query_param, paginator.offset_query_param}
    else:
        return set()
    return names | {COUNT_PARAM}


class StrictParamsMixin(GenericAPIView[_M]):
    """Every action of the viewset answers 400 to a query parameter it does not read.

    A list (and each action in ``filtered_actions``) reads its filters and its ordering, and
    (as each action in ``paged_actions``) its paging; every action also reads what
    ``action_params`` lists for it (the clocks, say).
    Actions in ``own_params`` check their parameters themselves (claims.api.figures).
    """

    action_params: ClassVar[Mapping[str, Collection[str]]] = {}
    filtered_actions: ClassVar[Collection[str]] = ("list",)
    paged_actions: ClassVar[Collection[str]] = ("list",)
    own_params: ClassVar[Collection[str]] = ()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        action = getattr(self, "action", None) or (request.method or "").lower()
        if action not in self.own_params:
            refuse_unknown(request, self.accepted_params(action))

    def accepted_params(self, action: str) -> set[str]:
        accepted = set(self.action_params.get(action, ()))
        if action in self.filtered_actions:
            filterset = getattr(self, "filterset_class", None)
            if filterset is not None:
                accepted |= set(filterset.base_filters)
            for backend in self.filter_backends:
                if isinstance(backend, type) and issubclass(backend, OrderingFilter):
                    accepted.add(backend.ordering_param)
        if action in self.paged_actions:
            accepted |= paging_params(self.paginator)
        return accepted
