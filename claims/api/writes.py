"""What tools send to write: claims whole (with figures and chain), responses, evidence, incidents.

Actors and incidents are named by id or slug, claims and documents by id or uid (as reads show
them: claims.api.references); a field no serializer declares answers 400 (claims.api.params).
Serializers check shapes and references and hand the values to the write path (claims.record),
which checks every rule and the workflow; its refusals become HTTP answers in claims.api.errors.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from claims.api.params import StrictFieldsMixin
from claims.api.parts import rows_for
from claims.api.references import IdOrSlug, IdOrUid
from claims.api.source_serializers import FullCleanMixin, writer
from claims.models import (
    Attribution,
    CasualtyFigure,
    Claim,
    ClaimTarget,
    Evidence,
    Incident,
    Response,
)
from claims.record.claims import create_claim, save_statement
from claims.record.evidence import save_evidence
from claims.record.incidents import save_incident
from claims.record.responses import save_response
from sources.models import Actor, Document

# The parts of a claim written together with it (rows of their own), and its own fields.
CLAIM_PARTS = ("accused", "subjects", "figures", "attribution_chain", "evidence")
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


def actor_ref(**kwargs: Any) -> IdOrSlug:
    return IdOrSlug(queryset=Actor.objects.all(), described="actor", **kwargs)


def incident_ref(**kwargs: Any) -> IdOrSlug:
    return IdOrSlug(queryset=Incident.objects.all(), described="incident", **kwargs)


def claim_ref(**kwargs: Any) -> IdOrUid:
    return IdOrUid(queryset=Claim.objects.all(), described="claim", **kwargs)


def document_ref(**kwargs: Any) -> IdOrUid:
    return IdOrUid(queryset=Document.objects.all(), described="document", **kwargs)


def part_id() -> serializers.IntegerField:
    """An item of a list part: with the id of a stored row to change it, without one to add."""
    return serializers.IntegerField(
        min_value=1, required=False, help_text="A stored row's id, to keep or change that row."
    )


class FigureWriteSerializer(StrictFieldsMixin, serializers.ModelSerializer[CasualtyFigure]):
    id = part_id()
    reported_by = actor_ref(required=False, allow_null=True)

    class Meta:
        model = CasualtyFigure
        fields = ["id", "category", "outcome", "low", "high", "qualifier", "as_stated", "basis"]
        fields += ["reported_by"]


class HopWriteSerializer(StrictFieldsMixin, serializers.ModelSerializer[Attribution]):
    id = part_id()
    actor = actor_ref()
    document = document_ref(required=False, allow_null=True)

    class Meta:
        model = Attribution
        fields = ["id", "actor", "verb", "document", "note"]


class EvidenceItemSerializer(StrictFieldsMixin, serializers.ModelSerializer[Evidence]):
    """Evidence as part of a claim's body (``/api/v1/evidence/`` takes it one at a time)."""

    id = part_id()
    source_url = serializers.URLField(
        source="url", max_length=2000, required=False, allow_blank=True
    )

    class Meta:
        model = Evidence
        fields = ["id", "relation", "kind", "description", "source_url", "availability"]


class ClaimShape(serializers.Serializer):
    """The references and parts a claim is written with, the same for a new claim and a
    correction: declared once, for both serializers below."""

    speaker = actor_ref()
    spokesperson = actor_ref(required=False, allow_null=True)
    incident = incident_ref(required=False, allow_null=True)
    accused = actor_ref(many=True, required=False)
    subjects = actor_ref(many=True, required=False)
    figures = FigureWriteSerializer(many=True, required=False)
    attribution_chain = HopWriteSerializer(many=True, required=False)
    evidence = EvidenceItemSerializer(many=True, required=False)


class ClaimCreateSerializer(StrictFieldsMixin, ClaimShape, serializers.ModelSerializer[Claim]):
    """A whole claim in one request; ``attribution_chain`` lists hops from the speaker outwards."""

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
            evidence=parts["evidence"],
        )


class ClaimUpdateSerializer(StrictFieldsMixin, ClaimShape, FullCleanMixin[Claim]):
    """Corrections to a claim: its own fields, and any of its parts given whole (replace
    semantics: see claims.api.parts), all in one versioned write."""

    class Meta:
        model = Claim
        fields = [*CLAIM_FIELDS, *CLAIM_PARTS]

    def update(self, instance: Claim, validated_data: dict[str, Any]) -> Claim:
        """One versioned write: refused (StaleVersion) if the claim changed since it was read."""
        read_version = validated_data.pop("read_version", None)
        parts = {name: validated_data.pop(name) for name in CLAIM_PARTS if name in validated_data}
        chain = parts.get("attribution_chain")
        if chain is not None:
            chain = [{**hop, "position": n} for n, hop in enumerate(chain, start=1)]
        return save_statement(
            by=writer(self.context),
            claim=instance,
            values=validated_data,
            read_version=read_version,
            targets=targets_given(instance, parts.get("accused"), parts.get("subjects")),
            figures=None
            if "figures" not in parts
            else rows_for(CasualtyFigure, instance.figures.all(), parts["figures"]),
            chain=None if chain is None else rows_for(Attribution, instance.chain, chain),
            evidence=None
            if "evidence" not in parts
            else rows_for(Evidence, instance.evidence.all(), parts["evidence"]),
        )


def targets_given(
    claim: Claim, accused: list[Actor] | None, subjects: list[Actor] | None
) -> list[ClaimTarget] | None:
    """The claim's target rows with the accused and subjects sent (a role not sent keeps the
    actors it has); None when neither was sent."""
    if accused is None and subjects is None:
        return None
    stored = list(claim.claim_targets.all())
    given = {ClaimTarget.Role.ACCUSED: accused, ClaimTarget.Role.SUBJECT: subjects}
    items = [
        {"actor": actor, "role": role}
        for role, actors in given.items()
        for actor in dict.fromkeys(
            actors if actors is not None else [t.actor for t in stored if t.role == role]
        )
    ]
    return rows_for(ClaimTarget, stored, items)


class ResponseWriteSerializer(StrictFieldsMixin, serializers.ModelSerializer[Response]):
    """Link an answering claim to the claim it answers; the service checks every rule."""

    claim = claim_ref(help_text="The claim that answers (id or uid).")
    answers = claim_ref(help_text="The claim being answered (id or uid).")

    class Meta:
        model = Response
        fields = ["id", "claim", "answers", "kind", "note"]
        validators: list = []  # the unique rule is checked by full_clean() in the service

    def create(self, validated_data: dict[str, Any]) -> Response:
        return save_response(by=writer(self.context), values=validated_data)

    def update(self, instance: Response, validated_data: dict[str, Any]) -> Response:
        return save_response(by=writer(self.context), values=validated_data, response=instance)


class EvidenceWriteSerializer(StrictFieldsMixin, FullCleanMixin[Evidence]):
    claim = claim_ref(help_text="The claim the evidence is for (id or uid).")
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


class IncidentWriteSerializer(StrictFieldsMixin, FullCleanMixin[Incident]):
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
            "location_precision",
            "acled_id",
            "ucdp_id",
            "wikidata_id",
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
