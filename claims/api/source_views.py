"""API views for actors (by slug, ``?q=`` over names and aliases) and documents."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Model, Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.viewsets import GenericViewSet

from claims.api.answers import ActorAnswersMixin
from claims.api.conditional import ConditionalRetrieveMixin
from claims.api.figures import ActorFigureQuery, actor_figures, documented
from claims.api.filters import ActorFilter, AskedFilterBackend, DocumentFilter, StableOrderingFilter
from claims.api.idempotency import IdempotentWritesMixin
from claims.api.pagination import CappedLimitOffsetPagination
from claims.api.params import StrictParamsMixin
from claims.api.source_serializers import (
    ActorSerializer,
    ActorWriteSerializer,
    DocumentSerializer,
    DocumentWriteSerializer,
)
from claims.ledger.history import attribute_changes
from claims.reading.visibility import (
    actors_visible_to,
    affiliations_visible_to,
    documents_visible_to,
)
from claims.record.removals import remove_row
from sources.models import Actor, Document

# Any path segment reaches the view, so a malformed key answers the API's JSON 404 rather than
# the site's HTML one; get_object() then refuses what cannot be a key before querying.
ANY_SEGMENT = r"[^/]+"
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,320}")
ID = re.compile(r"[0-9]{1,18}")

_M = TypeVar("_M", bound=Model)


class StrictLookupMixin(GenericAPIView[_M]):
    """Answers 404 to a lookup value that cannot be a key (NUL bytes, 30-digit ids…)."""

    lookup_value_regex = ANY_SEGMENT
    lookup_pattern: re.Pattern[str] = ID

    def get_object(self) -> _M:
        value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        if not self.lookup_pattern.fullmatch(value):
            raise NotFound()
        return super().get_object()


class ReadWriteMixin(
    IdempotentWritesMixin[_M], StrictParamsMixin[_M], StrictLookupMixin[_M], GenericViewSet[_M]
):
    """Writes take ``write_serializer_class`` and answer with the read shape of the saved row;
    each runs in one transaction and honours an Idempotency-Key (claims.api.idempotency).
    Any query parameter an action does not read answers 400 (claims.api.params).

    The row is re-read through ``get_queryset()`` so the answer carries exactly what a GET
    would, with the same eager loading.
    """

    write_serializer_class: type[BaseSerializer[_M]]
    read_serializer_class: type[BaseSerializer[_M]] | None = None  # when not serializer_class

    def perform_authentication(self, request: Request) -> None:
        super().perform_authentication(request)
        if request.method not in SAFE_METHODS and request.user.is_authenticated:
            # The history names the token's user: the middleware ran before DRF knew it.
            attribute_changes(request.user, "api")

    def get_serializer_class(self) -> type[BaseSerializer[_M]]:
        if self.action in ("create", "update", "partial_update"):
            return self.write_serializer_class
        return super().get_serializer_class()

    def read_back(self, row: _M, code: int = status.HTTP_200_OK) -> Response:
        # A writer allowed to add but not to view drafts still gets the row it wrote.
        fresh = self.get_queryset().filter(pk=row.pk).first() or row
        read = self.read_serializer_class or super().get_serializer_class()
        data = read(fresh, context=self.get_serializer_context()).data
        return Response(data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self.read_back(save_or_conflict(serializer), status.HTTP_201_CREATED)

    def perform_destroy(self, instance: _M) -> None:
        """DELETE (where a viewset offers it): through the write path, which checks the role and
        the claim's status and keeps the removed row in the history."""
        remove_row(by=self.request.user, row=instance)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return self.read_back(save_or_conflict(serializer))


def save_or_conflict(serializer: BaseSerializer[_M]) -> _M:
    """Save; a unique rule broken by a write that committed meanwhile answers 400, not 500.

    Validation already ran every model rule, so this is only the race of two simultaneous
    writes; the savepoint keeps the request's transaction usable after the failed insert.
    """
    try:
        with transaction.atomic():
            return serializer.save()
    except IntegrityError as error:
        raise ValidationError(
            {"non_field_errors": ["This conflicts with a record saved meanwhile; read and retry."]}
        ) from error


def documented_writes(read: type[BaseSerializer], write: type[BaseSerializer]) -> Callable:
    """Schema: writes take the write shape and answer with the read shape."""
    overrides = {
        "create": extend_schema(request=write, responses={201: read}),
        "update": extend_schema(request=write, responses={200: read}),
        "partial_update": extend_schema(request=write, responses={200: read}),
    }

    def decorate(viewset: type) -> type:
        present = {name: o for name, o in overrides.items() if hasattr(viewset, name)}
        return extend_schema_view(**present)(viewset)

    return decorate


@documented_writes(ActorSerializer, ActorWriteSerializer)
class ActorViewSet(
    ActorAnswersMixin,
    ConditionalRetrieveMixin[Actor],
    ReadWriteMixin[Actor],
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet[Actor],
):
    """Organisations, state bodies, armed groups, outlets, agencies and people, by slug."""

    serializer_class = ActorSerializer
    write_serializer_class = ActorWriteSerializer
    filterset_class = ActorFilter
    filter_backends = [AskedFilterBackend, StableOrderingFilter]
    ordering_fields = ["name", "created_at", "updated_at"]
    pagination_class = CappedLimitOffsetPagination
    lookup_field = "slug"
    lookup_pattern = SLUG
    own_params = ("figures", "responses")

    def get_queryset(self) -> QuerySet[Actor]:
        # Aliases in one query for the page instead of one per actor.
        actors = actors_visible_to(self.request.user).prefetch_related("aliases")
        if self.action not in self.own_params:  # the actor's shape, with its roles
            # The roles this reader may see, with their organisations, in one query.
            roles = affiliations_visible_to(self.request.user).select_related("organisation")
            actors = actors.prefetch_related(Prefetch("affiliations", roles))
        return actors.order_by("name", "id")

    @documented(ActorFigureQuery, "the actor gave as speaker of a published claim")
    @action(detail=True, url_path="figures", url_name="figures", filterset_class=None)
    def figures(self, request: Request, slug: str) -> Response:
        """Every casualty figure the actor gave, in date order, with the flags on them."""
        return actor_figures(request, self.get_object())


@documented_writes(DocumentSerializer, DocumentWriteSerializer)
class DocumentViewSet(
    ConditionalRetrieveMixin[Document],
    ReadWriteMixin[Document],
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet[Document],
):
    """Publications in which statements appear, with their archived copy's SHA-256."""

    serializer_class = DocumentSerializer
    write_serializer_class = DocumentWriteSerializer
    filterset_class = DocumentFilter
    filter_backends = [AskedFilterBackend, StableOrderingFilter]
    ordering_fields = ["published_on", "title", "created_at"]
    pagination_class = CappedLimitOffsetPagination

    def get_queryset(self) -> QuerySet[Document]:
        # The publisher joined in, instead of one query per document.
        documents = documents_visible_to(self.request.user)
        return documents.select_related("publisher").order_by("-published_on", "id")
