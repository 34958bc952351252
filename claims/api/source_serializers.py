"""Shapes of actors and documents in the API; writes validated by the models' own full_clean()."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.urls import reverse
from rest_framework import serializers
from rest_framework.request import Request

# Registers how dates and codes are read for every ModelSerializer (claims.api.typed).
import claims.api.typed  # noqa: F401
from claims.api.params import StrictFieldsMixin
from claims.api.parts import rows_for
from claims.api.references import IdOrSlug
from claims.record.actors import save_actor
from claims.record.documents import save_document
from sources.models import Actor, Affiliation, Alias, Document

_M = TypeVar("_M", bound=models.Model)


class HasPage(Protocol):
    """A row with a page of its own for readers."""

    def get_absolute_url(self) -> str: ...


def writer(context: Mapping[str, Any]) -> Any:
    """Who is writing: the request's user, whom the write path checks and records."""
    request = context.get("request")
    return getattr(request, "user", None)


def api_url(request: Request | None, name: str, **kwargs: object) -> str:
    path = reverse(f"api:{name}", kwargs=kwargs)
    return request.build_absolute_uri(path) if request else path


def html_url(request: Request | None, obj: HasPage) -> str:
    path = obj.get_absolute_url()
    return request.build_absolute_uri(path) if request else path


def many(
    serializer: type[serializers.BaseSerializer[Any]],
    rows: Iterable[Any],
    context: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """``serializer(rows, many=True).data``: a list, one dict per row (a serializer made with
    ``many=True`` is a ListSerializer; the stubs type its ``data`` as one row's dict)."""
    listed: list[dict[str, Any]] = serializer(rows, many=True, context=context or {}).data
    return listed


class FullCleanMixin(serializers.ModelSerializer[_M]):
    """Run the model's full_clean() on the would-be instance, so every model rule answers 400.

    The rules live on the model (field validators, clean(), named constraints); this only
    carries their per-field messages into the API's 400 answer instead of re-implementing them.
    """

    full_clean_exclude: tuple[str, ...] = ()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        # The serializer's model (the stubs cannot tie the nested Meta to the class's variable).
        model: type[_M] = self.Meta.model
        instance = model() if self.instance is None else copy.copy(self.instance)
        # Only the row's own columns: related rows (an actor's aliases) are checked by the service.
        columns = {f.name for f in model._meta.concrete_fields}
        for name, value in attrs.items():
            if name in columns:
                setattr(instance, name, value)
        try:
            instance.full_clean(exclude=self.full_clean_exclude)
        except DjangoValidationError as error:
            raise serializers.ValidationError(self.by_field_name(error)) from error
        # clean() may normalise values (a loose date moves to the start of its period, also
        # when only its precision was sent): keep every field it settled on.
        before = self.instance or model()
        for field in model._meta.concrete_fields:
            settled = getattr(instance, field.attname)
            if field.name in attrs or settled != getattr(before, field.attname):
                attrs[field.name] = getattr(instance, field.name)
        return attrs

    def by_field_name(self, error: DjangoValidationError) -> dict[str, Any]:
        """The model's messages under the names the client sent (``source_url`` for ``url``)."""
        named = {field.source: name for name, field in self.fields.items() if field.source}
        errors = serializers.as_serializer_error(error)
        return {named.get(model_field, model_field): m for model_field, m in errors.items()}


class ActorRefSerializer(serializers.ModelSerializer):
    """An actor as other resources mention it."""

    class Meta:
        model = Actor
        fields = ["id", "slug", "name", "kind"]
        read_only_fields = fields


class AliasSerializer(StrictFieldsMixin, serializers.ModelSerializer[Alias]):
    class Meta:
        model = Alias
        fields = ["name", "language"]


class AffiliationSerializer(serializers.ModelSerializer[Affiliation]):
    """A role the actor (a person) holds in an organisation, with its dates."""

    organisation = ActorRefSerializer(read_only=True)

    class Meta:
        model = Affiliation
        fields = ["id", "organisation", "role", "start_on", "end_on"]


class AffiliationWriteSerializer(StrictFieldsMixin, serializers.ModelSerializer[Affiliation]):
    id = serializers.IntegerField(
        min_value=1, required=False, help_text="A stored role's id, to keep or change it."
    )
    organisation = IdOrSlug(queryset=Actor.objects.all(), described="actor")

    class Meta:
        model = Affiliation
        fields = ["id", "organisation", "role", "start_on", "end_on"]


class ApiLinkMixin(serializers.Serializer):
    """Adds ``url``: this resource in the API (by slug where the resource has one)."""

    url = serializers.SerializerMethodField(help_text="This resource in the API.")

    api_route: str = ""
    lookup: str = "pk"

    def get_url(self, obj: models.Model) -> str:
        key = self.lookup
        return api_url(self.context.get("request"), self.api_route, **{key: getattr(obj, key)})


class LinksMixin(ApiLinkMixin):
    """Adds ``url`` and ``html_url``: the resource in the API and its page for readers."""

    html_url = serializers.SerializerMethodField(help_text="This resource's page for readers.")

    def get_html_url(self, obj: HasPage) -> str:
        return html_url(self.context.get("request"), obj)


class ActorSerializer(LinksMixin, serializers.ModelSerializer):
    api_route = "actor-detail"
    lookup = "slug"
    aliases = AliasSerializer(many=True, read_only=True)
    affiliations = AffiliationSerializer(
        many=True, read_only=True, help_text="Roles the actor, a person, holds in organisations."
    )

    class Meta:
        model = Actor
        fields = [
            "id",
            "slug",
            "name",
            "kind",
            "country",
            "description",
            "wikidata_id",
            "aliases",
            "affiliations",
            "url",
            "html_url",
        ]


class ActorWriteSerializer(StrictFieldsMixin, FullCleanMixin[Actor]):
    """An actor with, optionally, its aliases and its roles (``affiliations``, for a person):
    each list given whole replaces the rows the actor has (claims.api.parts)."""

    aliases = AliasSerializer(many=True, required=False)
    affiliations = AffiliationWriteSerializer(many=True, required=False)

    class Meta:
        model = Actor
        fields = ["id", "slug", "name", "kind", "country", "description", "wikidata_id"]
        fields += ["aliases", "affiliations"]

    def create(self, validated_data: dict[str, Any]) -> Actor:
        return self.update(Actor(), validated_data)

    def update(self, instance: Actor, validated_data: dict[str, Any]) -> Actor:
        stored = instance if instance.pk is not None else None
        aliases = self.aliases_of(validated_data, stored)
        roles = validated_data.pop("affiliations", None)
        return save_actor(
            by=writer(self.context),
            values=validated_data,
            actor=stored,
            aliases=aliases,
            affiliations=None
            if roles is None
            else rows_for(Affiliation, stored.affiliations.all() if stored else [], roles),
        )

    @staticmethod
    def aliases_of(validated_data: dict[str, Any], actor: Actor | None) -> list[Alias] | None:
        """The alias rows the actor is to have: stored ones kept (same name and language),
        new ones added, the rest removed; None (not sent) leaves them as they are."""
        given = validated_data.pop("aliases", None)
        if given is None:
            return None
        stored = {(a.name, a.language): a for a in actor.aliases.all()} if actor else {}
        return [
            stored.get((item["name"], item.get("language", ""))) or Alias(**item) for item in given
        ]


class DocumentSerializer(LinksMixin, serializers.ModelSerializer):
    api_route = "document-detail"
    uid = serializers.UUIDField(read_only=True, help_text="The document's dataset identifier.")
    source_url = serializers.CharField(source="url", read_only=True)
    publisher = ActorRefSerializer(read_only=True)
    published_display = serializers.CharField(read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "uid",
            "title",
            "source_url",
            "publisher",
            "kind",
            "language",
            "published_on",
            "published_precision",
            "published_display",
            "wikidata_id",
            "doi",
            "archive_sha256",
            "archive_status",
            "url",
            "html_url",
        ]


class DocumentWriteSerializer(StrictFieldsMixin, FullCleanMixin[Document]):
    source_url = serializers.URLField(
        source="url", max_length=2000, required=False, allow_blank=True
    )
    publisher = IdOrSlug(queryset=Actor.objects.all(), described="actor")

    class Meta:
        model = Document
        fields = [
            "id",
            "uid",
            "title",
            "source_url",
            "publisher",
            "kind",
            "language",
            "published_on",
            "published_precision",
            "full_text",
            "wikidata_id",
            "doi",
        ]

    def create(self, validated_data: dict[str, Any]) -> Document:
        return save_document(by=writer(self.context), values=validated_data)

    def update(self, instance: Document, validated_data: dict[str, Any]) -> Document:
        return save_document(by=writer(self.context), values=validated_data, document=instance)
