"""``/api/v1/aliases/`` and ``/api/v1/affiliations/``: an actor's names and a person's roles,
one at a time, through the same write path as the actor's own lists (claims.record.actors)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework import mixins, serializers
from rest_framework.viewsets import GenericViewSet

from claims.api.conditional import ConditionalRetrieveMixin
from claims.api.filters import AskedFilterBackend
from claims.api.pagination import CappedLimitOffsetPagination
from claims.api.params import StrictFieldsMixin
from claims.api.references import IdOrSlug
from claims.api.source_serializers import ActorRefSerializer, ApiLinkMixin, writer
from claims.api.source_views import ReadWriteMixin, documented_writes
from claims.reading.filters import visible_actors
from claims.reading.visibility import actors_visible_to, affiliations_visible_to
from claims.record.actors import save_affiliation, save_alias
from sources.models import Actor, Affiliation, Alias


def actor_ref(**kwargs: Any) -> IdOrSlug:
    return IdOrSlug(queryset=Actor.objects.all(), described="actor", **kwargs)


class AliasRowSerializer(ApiLinkMixin, serializers.ModelSerializer[Alias]):
    api_route = "alias-detail"
    actor = ActorRefSerializer(read_only=True)

    class Meta:
        model = Alias
        fields = ["id", "actor", "name", "language", "url"]


class AliasWriteSerializer(StrictFieldsMixin, serializers.ModelSerializer[Alias]):
    actor = actor_ref(help_text="The actor it names (id or slug); an alias stays with it.")

    class Meta:
        model = Alias
        fields = ["id", "actor", "name", "language"]
        validators: list[Any] = []  # the unique rule is checked by the write path

    def create(self, validated_data: dict[str, Any]) -> Alias:
        return save_alias(by=writer(self.context), values=validated_data)

    def update(self, instance: Alias, validated_data: dict[str, Any]) -> Alias:
        return save_alias(by=writer(self.context), values=validated_data, alias=instance)


class AffiliationRowSerializer(ApiLinkMixin, serializers.ModelSerializer[Affiliation]):
    api_route = "affiliation-detail"
    person = ActorRefSerializer(read_only=True)
    organisation = ActorRefSerializer(read_only=True)

    class Meta:
        model = Affiliation
        fields = ["id", "person", "organisation", "role", "start_on", "end_on", "url"]


class AffiliationRowWriteSerializer(StrictFieldsMixin, serializers.ModelSerializer[Affiliation]):
    person = actor_ref(help_text="The person holding the role (id or slug); it stays with them.")
    organisation = actor_ref(help_text="The organisation (id or slug).")

    class Meta:
        model = Affiliation
        fields = ["id", "person", "organisation", "role", "start_on", "end_on"]

    def create(self, validated_data: dict[str, Any]) -> Affiliation:
        return save_affiliation(by=writer(self.context), values=validated_data)

    def update(self, instance: Affiliation, validated_data: dict[str, Any]) -> Affiliation:
        return save_affiliation(
            by=writer(self.context), values=validated_data, affiliation=instance
        )


class AliasFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(
        field_name="actor",
        to_field_name="slug",
        queryset=visible_actors,  # type: ignore[arg-type]  # a callable: see claims.api.filters
        label="Slug of the actor",
    )

    class Meta:
        model = Alias
        fields = ["language"]


class AffiliationFilter(django_filters.FilterSet):
    person = django_filters.ModelChoiceFilter(
        field_name="person",
        to_field_name="slug",
        queryset=visible_actors,  # type: ignore[arg-type]  # a callable, as above
        label="Slug of the person",
    )
    organisation = django_filters.ModelChoiceFilter(
        field_name="organisation",
        to_field_name="slug",
        queryset=visible_actors,  # type: ignore[arg-type]  # a callable, as above
        label="Slug of the organisation",
    )

    class Meta:
        model = Affiliation
        fields = ["role"]


@documented_writes(AliasRowSerializer, AliasWriteSerializer)
class AliasViewSet(
    ConditionalRetrieveMixin[Alias],
    ReadWriteMixin[Alias],
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet[Alias],
):
    """Other names of actors, with their language; look-ups by any of them find the actor."""

    serializer_class = AliasRowSerializer
    write_serializer_class = AliasWriteSerializer
    filterset_class = AliasFilter
    filter_backends = [AskedFilterBackend]
    pagination_class = CappedLimitOffsetPagination

    def get_queryset(self) -> QuerySet[Alias]:
        # The actor joined in, instead of one query per alias.
        actors = actors_visible_to(self.request.user)
        return Alias.objects.filter(actor__in=actors).select_related("actor").order_by("id")


@documented_writes(AffiliationRowSerializer, AffiliationRowWriteSerializer)
class AffiliationViewSet(
    ConditionalRetrieveMixin[Affiliation],
    ReadWriteMixin[Affiliation],
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet[Affiliation],
):
    """Roles people hold in organisations, with their dates."""

    serializer_class = AffiliationRowSerializer
    write_serializer_class = AffiliationRowWriteSerializer
    filterset_class = AffiliationFilter
    filter_backends = [AskedFilterBackend]
    pagination_class = CappedLimitOffsetPagination

    def get_queryset(self) -> QuerySet[Affiliation]:
        # Both people joined in, instead of two queries per role.
        roles = affiliations_visible_to(self.request.user)
        return roles.select_related("person", "organisation").order_by("id")
