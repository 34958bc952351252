"""The editor assistant in the API: proposals for an article, and drafts from the accepted ones.

``POST /api/v1/proposals/`` reads a text (or a document of the record) and answers what the
assistant proposes, writing nothing; ``POST /api/v1/proposals/accept/`` takes the proposals a
tool or editor kept (changed as they like) and writes them as drafts through the write path.
Both need a token whose user may add claims.

Both bodies are strict (claims.api.params): a field a serializer below does not declare, at any
depth, answers 400 naming it and the accepted ones, so a tool's misspelt field is never dropped.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from claims.api.idempotency import IdempotentWritesMixin
from claims.api.params import StrictFieldsMixin, StrictParamsMixin
from claims.api.typed import RecordDateField
from claims.assistant.documents import MAX_CHARACTERS, Unreadable, article_of, checked
from claims.assistant.drafts import create_drafts
from claims.assistant.proposals import claim_from_values
from claims.assistant.record import propose_from_record
from claims.models import CasualtyFigure, Claim
from claims.models import Response as Answer
from claimtracker.dates import Precision
from sources.models import Actor, Document

TOO_LARGE = OpenApiResponse(
    description=f"The text is longer than the assistant reads ({MAX_CHARACTERS:,} characters)."
)


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class MayAddClaims(permissions.BasePermission):
    """Editors and above: the assistant's answers are drafts of claims."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.has_perm("claims.add_claim"))


def span() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=0), min_length=2, max_length=2,
        help_text="Start and end (exclusive) of the words in the text, in characters.",
    )  # fmt: skip


class ProposedActorSerializer(StrictFieldsMixin, serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=500)
    span = span()
    slug = serializers.CharField(
        allow_blank=True, default="", help_text="A record actor, or '' for a new one."
    )
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Actor.Kind.choices)
    is_new = serializers.BooleanField(default=False)
    role = serializers.CharField(allow_blank=True, default="", max_length=200)
    affiliation = serializers.CharField(allow_blank=True, default="", max_length=200)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["slug"] and not Actor.objects.filter(slug=attrs["slug"]).exists():
            raise serializers.ValidationError(
                {"slug": [f"No actor {attrs['slug']!r} in the record."]}
            )
        return attrs


class ProposedQuoteSerializer(StrictFieldsMixin, serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    span = span()


class ProposedFigureSerializer(StrictFieldsMixin, serializers.Serializer):
    span = span()
    as_stated = serializers.CharField(allow_blank=True, max_length=200)
    qualifier = serializers.ChoiceField(choices=CasualtyFigure.Qualifier.choices)
    low = serializers.IntegerField(allow_null=True, min_value=0, max_value=10**9)
    high = serializers.IntegerField(allow_null=True, min_value=0, max_value=10**9)
    category = serializers.ChoiceField(choices=CasualtyFigure.Category.choices)
    outcome = serializers.ChoiceField(choices=CasualtyFigure.Outcome.choices)
    basis = serializers.CharField(allow_blank=True, default="", max_length=200)
    reported_by = serializers.CharField(allow_blank=True, default="", max_length=200)


class ProposedDateSerializer(StrictFieldsMixin, serializers.Serializer):
    span = span()
    as_stated = serializers.CharField(max_length=200)
    on = RecordDateField()
    precision = serializers.ChoiceField(choices=Precision.choices)


class ProposedHopSerializer(StrictFieldsMixin, serializers.Serializer):
    actor = ProposedActorSerializer()
    verb = serializers.CharField(max_length=10)
    is_document = serializers.BooleanField(default=False)


class ProposedAnswerSerializer(StrictFieldsMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=Answer.Kind.choices)
    span = span()
    cue = serializers.CharField(allow_blank=True, max_length=500)
    to_proposal = serializers.IntegerField(
        allow_null=True, min_value=0, help_text="Index of the proposed claim answered."
    )
    to_claim = serializers.IntegerField(
        allow_null=True, min_value=1, help_text="Id of the record claim answered."
    )


class ProposedClaimSerializer(StrictFieldsMixin, serializers.Serializer):
    speaker = ProposedActorSerializer()
    spokesperson = ProposedActorSerializer(allow_null=True)
    kind = serializers.ChoiceField(choices=Claim.Kind.choices)
    summary = serializers.CharField(max_length=5000)
    span = span()
    quotes = ProposedQuoteSerializer(many=True)
    quote_language = serializers.CharField(default="en", max_length=20)
    translation = serializers.CharField(allow_blank=True, default="", max_length=5000)
    figures = ProposedFigureSerializer(many=True)
    dates = ProposedDateSerializer(many=True)
    made_on = RecordDateField()
    made_precision = serializers.ChoiceField(choices=Precision.choices)
    made_as_stated = serializers.CharField(allow_blank=True, default="", max_length=200)
    chain = ProposedHopSerializer(many=True)
    answers = ProposedAnswerSerializer(many=True)
    accused = ProposedActorSerializer(many=True)
    subjects = ProposedActorSerializer(many=True)
    incident = serializers.CharField(allow_blank=True, default="", max_length=220)
    existing = serializers.IntegerField(
        allow_null=True,
        default=None,
        help_text="Id of a record claim this repeats: accepting adds a hop to it.",
    )


class ProposalsSerializer(serializers.Serializer):
    text = serializers.CharField()
    published_on = serializers.DateField()
    publisher = serializers.CharField()
    claims = ProposedClaimSerializer(many=True)
    actors = ProposedActorSerializer(
        many=True, help_text="Every actor mention found, for highlighting."
    )


class ProposeSerializer(StrictFieldsMixin, serializers.Serializer):
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The article's text; or give a document.",
    )
    document = serializers.PrimaryKeyRelatedField(
        queryset=Document.objects.select_related("publisher"), required=False
    )
    published_on = RecordDateField(
        required=False, help_text="Needed with text; a document's own date otherwise."
    )
    publisher = serializers.SlugRelatedField(
        slug_field="slug", queryset=Actor.objects.all(), required=False
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        document = attrs.get("document")
        if document is None and "text" not in attrs:
            raise serializers.ValidationError(
                {"text": ["Give the text of an article or a document id."]}
            )
        try:
            if document is not None:
                article = article_of(document)
                attrs["text"] = article.text
                attrs.setdefault("published_on", article.published_on)
                attrs.setdefault("publisher", document.publisher)
            else:
                attrs["text"] = checked(attrs["text"])
        except Unreadable as error:
            if error.too_large:
                raise TooLarge(error.message) from error
            raise serializers.ValidationError(
                {"document" if document else "text": [error.message]}
            ) from error
        for name in ("published_on", "publisher"):
            if attrs.get(name) is None:
                raise serializers.ValidationError({name: ["This field is required."]})
        return attrs


class AcceptSerializer(StrictFieldsMixin, serializers.Serializer):
    document = serializers.PrimaryKeyRelatedField(
        queryset=Document.objects.all(),
        required=False,
        allow_null=True,
        help_text="The document read: the last hop of each chain.",
    )
    claims = ProposedClaimSerializer(
        many=True, help_text="The proposals kept; an empty list writes nothing."
    )


class CreatedSerializer(serializers.Serializer):
    claims = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Ids of the drafts written (or claims given a hop).",
    )


class ProposalsView(IdempotentWritesMixin, StrictParamsMixin, GenericAPIView):
    """What the assistant proposes for an article: speakers, quotes, figures, dates, chains and
    answers, each with its span. Writes nothing."""

    permission_classes = [MayAddClaims]
    serializer_class = ProposeSerializer

    @extend_schema(request=ProposeSerializer, responses={200: ProposalsSerializer, 413: TOO_LARGE})
    def post(self, request: Request) -> Response:
        given = ProposeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        values = given.validated_data
        proposals = propose_from_record(
            values["text"], published_on=values["published_on"], publisher=values["publisher"].slug
        )
        return Response(proposals.as_json())


class AcceptView(IdempotentWritesMixin, StrictParamsMixin, GenericAPIView):
    """Write the kept proposals as drafts, in one transaction, through the write path."""

    permission_classes = [MayAddClaims]
    serializer_class = AcceptSerializer

    @extend_schema(request=AcceptSerializer, responses={201: CreatedSerializer})
    def post(self, request: Request) -> Response:
        given = AcceptSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        claims = [claim_from_values(values) for values in given.validated_data["claims"]]
        written = create_drafts(
            by=request.user, claims=claims, document=given.validated_data.get("document")
        )
        return Response({"claims": [c.pk for c in written]}, status=status.HTTP_201_CREATED)
