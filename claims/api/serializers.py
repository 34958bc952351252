"""Shapes of incidents, claims and their parts in the API: read shapes here, writes in writes.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims.api.source_serializers import (
    ActorRefSerializer,
    ApiLinkMixin,
    HasPage,
    LinksMixin,
    api_url,
    html_url,
    many,
)
from claims.models import (
    Attribution,
    CasualtyFigure,
    Claim,
    Evidence,
    Incident,
    Response,
    Standing,
    reads_drafts,
)
from claims.reading.asof import was_made_by
from claims.reading.search import SearchHit
from sources.models import Document


def sees_unpublished(context: Mapping[str, Any]) -> bool:
    """Whether the requesting user may read drafts and withdrawn claims (editors, analysts)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return reads_drafts(user)


class IncidentRefSerializer(ApiLinkMixin, serializers.ModelSerializer):
    api_route = "incident-detail"
    lookup = "slug"

    class Meta:
        model = Incident
        fields = ["id", "slug", "title", "url"]
        read_only_fields = fields


class IncidentSerializer(LinksMixin, serializers.ModelSerializer):
    api_route = "incident-detail"
    lookup = "slug"
    start_display = serializers.CharField(read_only=True)
    end_display = serializers.CharField(read_only=True)
    figures_url = serializers.SerializerMethodField()
    claimreview_url = serializers.SerializerMethodField()

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
            "start_display",
            "end_on",
            "end_precision",
            "end_as_stated",
            "end_display",
            "url",
            "html_url",
            "figures_url",
            "claimreview_url",
        ]

    def get_figures_url(self, obj: Incident) -> str:
        return api_url(self.context.get("request"), "incident-figures", slug=obj.slug)

    def get_claimreview_url(self, obj: Incident) -> str:
        return api_url(self.context.get("request"), "incident-claimreview", slug=obj.slug)


class FigureSerializer(serializers.ModelSerializer):
    reported_by = ActorRefSerializer(read_only=True, allow_null=True)
    range_display = serializers.CharField(read_only=True)

    class Meta:
        model = CasualtyFigure
        fields = [
            "id",
            "category",
            "outcome",
            "low",
            "high",
            "qualifier",
            "as_stated",
            "basis",
            "reported_by",
            "range_display",
        ]


class DocumentRefSerializer(LinksMixin, serializers.ModelSerializer):
    api_route = "document-detail"
    uid = serializers.UUIDField(read_only=True)
    source_url = serializers.CharField(source="url", read_only=True)
    publisher = ActorRefSerializer(read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "uid",
            "title",
            "source_url",
            "publisher",
            "published_on",
            "url",
            "html_url",
        ]


class AttributionSerializer(serializers.ModelSerializer):
    actor = ActorRefSerializer(read_only=True)
    document = DocumentRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Attribution
        fields = ["position", "actor", "verb", "document", "note"]


class EvidenceSerializer(ApiLinkMixin, serializers.ModelSerializer):
    api_route = "evidence-detail"
    source_url = serializers.CharField(source="url", read_only=True)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "claim",
            "relation",
            "kind",
            "description",
            "source_url",
            "availability",
            "archive_sha256",
            "archive_status",
            "url",
        ]


class ClaimRefSerializer(LinksMixin, serializers.ModelSerializer):
    """Another claim as a claim's responses mention it: who, when, what."""

    api_route = "claim-detail"
    uid = serializers.UUIDField(read_only=True)
    speaker = ActorRefSerializer(read_only=True)
    made_display = serializers.CharField(read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "uid",
            "kind",
            "speaker",
            "made_on",
            "made_display",
            "summary",
            "url",
            "html_url",
        ]


class ResponseSerializer(ApiLinkMixin, serializers.ModelSerializer):
    """The allegation <-> answer link: ``claim`` answers ``answers`` in the way ``kind`` says."""

    api_route = "response-detail"
    claim = ClaimRefSerializer(read_only=True)
    answers = ClaimRefSerializer(read_only=True)

    class Meta:
        model = Response
        fields = ["id", "kind", "claim", "answers", "note", "url"]


class ReceivedResponseSerializer(serializers.ModelSerializer):
    """A response this claim received: the answering claim, with its kind."""

    by = ClaimRefSerializer(source="claim", read_only=True)

    class Meta:
        model = Response
        fields = ["id", "kind", "note", "by"]


class MadeResponseSerializer(serializers.ModelSerializer):
    """A response this claim makes: the claim it answers, with its kind."""

    to = ClaimRefSerializer(source="answers", read_only=True)

    class Meta:
        model = Response
        fields = ["id", "kind", "note", "to"]


class ClaimSerializer(LinksMixin, serializers.ModelSerializer):
    """A claim in lists and the timeline: who said what, when, about what, and how it stands."""

    api_route = "claim-detail"
    uid = serializers.UUIDField(read_only=True, help_text="The claim's dataset identifier.")
    speaker = ActorRefSerializer(read_only=True)
    spokesperson = ActorRefSerializer(read_only=True, allow_null=True)
    incident = IncidentRefSerializer(read_only=True, allow_null=True)
    made_display = serializers.CharField(read_only=True)
    accused = serializers.SerializerMethodField()
    standing = serializers.ChoiceField(choices=Standing.choices, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "uid",
            "kind",
            "status",
            "speaker",
            "spokesperson",
            "summary",
            "made_on",
            "made_precision",
            "made_as_stated",
            "made_display",
            "incident",
            "accused",
            "standing",
            "url",
            "html_url",
        ]

    @extend_schema_field(ActorRefSerializer(many=True))
    def get_accused(self, claim: Claim) -> list[dict[str, Any]]:
        return many(ActorRefSerializer, claim.accused)


class TimelineEntrySerializer(ClaimSerializer):
    """A claim in the timeline, with the claims it answers, so denials read in place."""

    responds_to = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "responds_to"]

    @extend_schema_field(MadeResponseSerializer(many=True))
    def get_responds_to(self, claim: Claim) -> list[dict[str, Any]]:
        visible = [r for r in claim.responses_made.all() if _readable(self.context, r.answers)]
        return many(MadeResponseSerializer, visible, self.context)


def _readable(context: Mapping[str, Any], claim: Claim) -> bool:
    """Whether the other side of a response shows: one the reader may see, made by the
    request's ``as_of`` day when there is one."""
    shown = claim.status == Claim.Status.PUBLISHED or sees_unpublished(context)
    return shown and was_made_by(claim, context.get("as_of"))


class ClaimDetailSerializer(ClaimSerializer):
    """Everything a tool needs about one claim, in one request."""

    quote_language = serializers.CharField(read_only=True)
    subjects = serializers.SerializerMethodField()
    figures = FigureSerializer(many=True, read_only=True)
    attribution_chain = AttributionSerializer(source="chain", many=True, read_only=True)
    responses_received = serializers.SerializerMethodField()
    responses_made = serializers.SerializerMethodField()
    evidence = EvidenceSerializer(many=True, read_only=True)
    independent_originator_count = serializers.SerializerMethodField()
    claimreview_url = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = [
            *ClaimSerializer.Meta.fields,
            "quote",
            "quote_language",
            "translation",
            "withdrawal_reason",
            "subjects",
            "figures",
            "attribution_chain",
            "responses_received",
            "responses_made",
            "evidence",
            "independent_originator_count",
            "claimreview_url",
            "created_at",
            "updated_at",
            # Also in the ETag; send it back in If-Match to write without losing others' edits.
            "version",
        ]

    @extend_schema_field(ActorRefSerializer(many=True))
    def get_subjects(self, claim: Claim) -> list[dict[str, Any]]:
        subjects = [t.actor for t in claim.claim_targets.all() if t.role == "subject"]
        return many(ActorRefSerializer, subjects)

    @extend_schema_field(ReceivedResponseSerializer(many=True))
    def get_responses_received(self, claim: Claim) -> list[dict[str, Any]]:
        visible = [r for r in claim.responses_received.all() if _readable(self.context, r.claim)]
        return many(ReceivedResponseSerializer, visible, self.context)

    @extend_schema_field(MadeResponseSerializer(many=True))
    def get_responses_made(self, claim: Claim) -> list[dict[str, Any]]:
        visible = [r for r in claim.responses_made.all() if _readable(self.context, r.answers)]
        return many(MadeResponseSerializer, visible, self.context)

    def get_independent_originator_count(self, claim: Claim) -> int:
        """Distinct actors the claim and its published corroborations originate with."""
        return len(self.context.get("originators", {}).get(claim.pk, set()))

    def get_claimreview_url(self, claim: Claim) -> str:
        return api_url(self.context.get("request"), "claim-claimreview", pk=claim.pk)


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["claim", "actor", "document", "incident"])
    id = serializers.IntegerField(source="obj.pk")
    label = serializers.SerializerMethodField()  # type: ignore[assignment]  # not Field.label
    fragment = serializers.CharField(help_text="HTML-escaped text; matches wrapped in <mark>.")
    rank = serializers.FloatField()
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    # Each kind's route in the API, and what addresses a row in it.
    ROUTES = {
        "claim": ("claim-detail", "pk"),
        "actor": ("actor-detail", "slug"),
        "document": ("document-detail", "pk"),
        "incident": ("incident-detail", "slug"),
    }

    def get_label(self, hit: SearchHit) -> str:
        return str(hit.obj)

    def get_url(self, hit: SearchHit) -> str:
        route, key = self.ROUTES[hit.kind]
        return api_url(self.context.get("request"), route, **{key: getattr(hit.obj, key)})

    def get_html_url(self, hit: SearchHit) -> str:
        # Every kind searched (claims.reading.search.KINDS) has a page; SearchHit says Model.
        return html_url(self.context.get("request"), cast(HasPage, hit.obj))


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField()
    claim = SearchHitSerializer(many=True)
    actor = SearchHitSerializer(many=True)
    document = SearchHitSerializer(many=True)
    incident = SearchHitSerializer(many=True)
