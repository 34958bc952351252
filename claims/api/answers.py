"""``/api/v1/actors/{slug}/responses/``: how an actor answers the allegations against it
(claims/reading/answers.py), as of ``?as_of=``, with a keyset page of those it never answered."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from claims.api.kept import kept_answer
from claims.api.params import refuse_unknown
from claims.api.source_serializers import ActorRefSerializer, LinksMixin, api_url
from claims.models import ChangeRecord, Claim, listed_statuses
from claims.reading.answers import kept_answers, unanswered_allegations
from claims.reading.asof import PARAMETER as AS_OF
from claims.reading.asof import as_of_from
from claims.reading.paging import Position, keyset_page
from sources.models import Actor

AFTER = "after"
PER_PAGE = 50


class DaysSerializer(serializers.Serializer):
    low = serializers.FloatField(help_text="At least this many days.")
    high = serializers.FloatField(help_text="At most this many days (equal to low: exact).")
    text = serializers.CharField(help_text='As the page words it: "between 2 and 8 days".')


class KindCountSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    allegations = serializers.IntegerField(
        help_text="Allegations against the actor it answered in this way."
    )
    responses_to_others = serializers.IntegerField(
        help_text="Its answers of this kind to claims by any other party (its own revisions not)."
    )


class RevisionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    times = serializers.IntegerField(help_text="Its answers of this kind to claims of its own.")


class WithinSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    words = serializers.CharField()
    at_least = serializers.IntegerField(help_text="Answered allegations first answered so soon.")
    at_most = serializers.IntegerField(
        help_text="Equal to at_least unless loose dates leave it open."
    )


class UnansweredClaimSerializer(LinksMixin, serializers.ModelSerializer):
    """An allegation the actor never answered, as the list names it."""

    api_route = "claim-detail"
    speaker = ActorRefSerializer(read_only=True)
    made_display = serializers.CharField(read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "summary",
            "speaker",
            "made_on",
            "made_precision",
            "made_display",
            "status",
            "url",
            "html_url",
        ]
        read_only_fields = fields


class NeverAnsweredSerializer(serializers.Serializer):
    results = UnansweredClaimSerializer(many=True, help_text="Oldest first.")
    next = serializers.CharField(allow_null=True, help_text="The next page of them, if any.")


class ActorAnswersSerializer(serializers.Serializer):
    """How an actor answers the claims by others that accuse it (README: "How actors answer")."""

    actor = ActorRefSerializer()
    as_of = serializers.DateField(allow_null=True)
    allegations = serializers.IntegerField(help_text="Claims by other parties accusing the actor.")
    answered = serializers.IntegerField(help_text="Of those, answered at least once by it.")
    unanswered = serializers.IntegerField()
    kinds = KindCountSerializer(many=True)
    revisions = RevisionSerializer(
        many=True, help_text="How it revised its own claims: not answers to others."
    )
    median_delay = DaysSerializer(
        allow_null=True, help_text="From allegation to first answer; the true median lies within."
    )
    fastest = DaysSerializer(allow_null=True)
    slowest = DaysSerializer(allow_null=True)
    loose_delays = serializers.IntegerField(help_text="Delays that are a range (loose dates).")
    within = WithinSerializer(many=True)
    denials = serializers.IntegerField(help_text="Its claims denying an allegation against it.")
    walked_back = serializers.IntegerField(
        help_text="Of those, later corrected, retracted or updated by a claim of its own."
    )
    never_answered = NeverAnsweredSerializer()


def _after(query: QueryDict) -> None:
    value = query.get(AFTER)
    if value is not None and Position.parse(value) is None:
        raise ValidationError({AFTER: ["Give the position of a next link: YYYY-MM-DD.id."]})


class ActorAnswersMixin:
    """Adds the ``responses`` action to the actors' viewset."""

    get_object: Callable[[], Actor]

    @extend_schema(
        # 400 for an unknown parameter, a malformed as_of or after.
        responses={200: ActorAnswersSerializer},
        filters=False,
        parameters=[
            OpenApiParameter(
                AS_OF, OpenApiTypes.DATE, description="Only claims made by this day count."
            ),
            OpenApiParameter(AFTER, str, description="Continue the never-answered list here."),
        ],
    )
    @action(detail=True, url_path="responses", url_name="responses", filterset_class=None)
    def responses(self, request: Request, slug: str) -> ApiResponse:
        """How the actor answers the allegations against it: how many, with what kinds, how long
        after (a range of days where dates are loose), how often a denial was later walked back,
        and which allegations it never answered. Kept per state of the record
        (claims/api/kept.py)."""
        return kept_answer(request, lambda: self.built_responses(request))

    def built_responses(self, request: Request) -> ApiResponse:
        query = request.query_params
        refuse_unknown(request, {AS_OF, AFTER})
        try:
            as_of = as_of_from(query)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        _after(query)
        actor = self.get_object()
        shown = listed_statuses(request.user)
        answers = kept_answers(actor, shown, as_of, ChangeRecord.objects.head()[1])
        never = unanswered_allegations(Claim.objects.select_related("speaker"), actor, shown, as_of)
        page = keyset_page(never, query, per_page=PER_PAGE)
        next_url = None
        if page.next is not None:
            kept = {AS_OF: query[AS_OF]} if as_of else {}
            next_url = (
                api_url(request, "actor-responses", slug=actor.slug)
                + "?"
                + _encode({**kept, AFTER: str(page.next)})
            )
        body = {
            "actor": actor,
            "as_of": as_of,
            **answers.__dict__,
            "unanswered": answers.unanswered,
            "never_answered": {"results": page.object_list, "next": next_url},
        }
        context = {"request": request}
        return ApiResponse(ActorAnswersSerializer(body, context=context).data)


def _encode(params: dict[str, str]) -> str:
    query = QueryDict(mutable=True)
    query.update(params)
    return query.urlencode()
