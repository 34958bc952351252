"""What tools send to write: claims whole (with figures and chain), responses, evidence, incidents.

Actors are named by slug, claims and documents by id. Serializers check shapes and references and
hand the values to the write path (claims.record), which checks every rule and the workflow;
its refusals become HTTP answers in claims.api.errors.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from claims.api.source_serializers import FullCleanMixin, writer
from claims.models import Attribution, CasualtyFigure, Claim, Evidence, Incident, Response
from claims.record.claims import create_claim, save_statement
from claims.record.evidence import save_evidence
from claims.record.incidents import save_incident
from claims.record.responses import save_response
from sources.models import Actor, Document

# The parts of a claim written together with it (rows of their own), and its own fields.
CLAIM_PARTS = ("accused", "subjects", "figures", "attribution_chain")
CLAIM_FIELDS = [
    "id",
    "speaker",
    "spokesperson",
    "kind",
    "summary",
    "quote",
    "quote_language",
    "translation",
    "made_on",
    "made_precision",
    "made_as_stated",
    "incident",
    "status",
    "withdrawal_reason",
]


def actor_by_slug(**kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="slug", queryset=Actor.objects.all(), **kwargs)


class FigureWriteSerializer(serializers.ModelSerializer):
    reported_by = actor_by_slug(required=False, allow_null=True)

    class Meta:
        model = CasualtyFigure
        fields = ["category", "outcome", "low", "high", "qualifier", "as_stated", "basis"]
        fields += ["reported_by"]


class HopWriteSerializer(serializers.ModelSerializer):
    actor = actor_by_slug()
    document = serializers.PrimaryKeyRelatedField(
        queryset=Document.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Attribution
        fields = ["actor", "verb", "document", "note"]


class ClaimCreateSerializer(serializers.ModelSerializer[Claim]):
    """A whole claim in one request; ``attribution_chain`` lists hops from the speaker outwards."""

    speaker = actor_by_slug()
    spokesperson = actor_by_slug(required=False, allow_null=True)
    incident = serializers.SlugRelatedField(
        slug_field="slug", queryset=Incident.objects.all(), required=False, allow_null=True
    )
    accused = actor_by_slug(many=True, required=False)
    subjects = actor_by_slug(many=True, required=False)
    figures = FigureWriteSerializer(many=True, required=False)
    attribution_chain = HopWriteSerializer(many=True, required=False)

    class Meta:
        model = Claim
        fields = [*CLAIM_FIELDS, *CLAIM_PARTS]

    def create(self, validated_data: dict[str, Any]) -> Claim:
        parts = {name: validated_data.pop(name, []) for name in CLAIM_PARTS}
        return create_claim(
            by=writer(self.context),
            fields=validated_data,
            accused=parts["accused"],
            subjects=parts["subjects"],
            figures=parts["figures"],
            chain=parts["attribution_chain"],
        )


class ClaimUpdateSerializer(FullCleanMixin[Claim]):
    """Corrections to a claim's own fields; its figures and chain are changed in the admin."""

    speaker = actor_by_slug()
    spokesperson = actor_by_slug(required=False, allow_null=True)
    incident = serializers.SlugRelatedField(
        slug_field="slug", queryset=Incident.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Claim
        fields = CLAIM_FIELDS

    def update(self, instance: Claim, validated_data: dict[str, Any]) -> Claim:
        """One versioned write: refused (StaleVersion) if the claim changed since it was read."""
        read_version = validated_data.pop("read_version", None)
        return save_statement(
            by=writer(self.context),
            claim=instance,
            values=validated_data,
            read_version=read_version,
        )


class ResponseWriteSerializer(serializers.ModelSerializer[Response]):
    """Link an answering claim to the claim it answers; the service checks every rule."""

    claim = serializers.PrimaryKeyRelatedField(
        queryset=Claim.objects.all(), help_text="The claim that answers."
    )
    answers = serializers.PrimaryKeyRelatedField(
        queryset=Claim.objects.all(), help_text="The claim being answered."
    )

    class Meta:
        model = Response
        fields = ["id", "claim", "answers", "kind", "note"]
        validators: list = []  # the unique rule is checked by full_clean() in the service

    def create(self, validated_data: dict[str, Any]) -> Response:
        return save_response(by=writer(self.context), values=validated_data)

    def update(self, instance: Response, validated_data: dict[str, Any]) -> Response:
        return save_response(by=writer(self.context), values=validated_data, response=instance)


class EvidenceWriteSerializer(FullCleanMixin[Evidence]):
    source_url = serializers.URLField(
        source="url", max_length=2000, required=False, allow_blank=True
    )

    class Meta:
        model = Evidence
        fields = ["id", "claim", "relation", "kind", "description", "source_url", "availability"]

    def create(self, validated_data: dict[str, Any]) -> Evidence:
        return save_evidence(by=writer(self.context), values=validated_data)

    def update(self, instance: Evidence, validated_data: dict[str, Any]) -> Evidence:
        return save_evidence(by=writer(self.context), values=validated_data, evidence=instance)


class IncidentWriteSerializer(FullCleanMixin[Incident]):
    class Meta:
        model = Incident
        fields = [
            "id",
            "slug",
            "title",
            "description",
            "place",
            "region",
            "country",
            "latitude",
            "longitude",
            "start_on",
            "start_precision",
            "start_as_stated",
            "end_on",
            "end_precision",
            "end_as_stated",
        ]

    def create(self, validated_data: dict[str, Any]) -> Incident:
        return save_incident(by=writer(self.context), values=validated_data)

    def update(self, instance: Incident, validated_data: dict[str, Any]) -> Incident:
        return save_incident(by=writer(self.context), values=validated_data, incident=instance)
