"""API views for incidents, claims, responses and evidence, the timeline and exports (search is
claims/api/search.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.viewsets import GenericViewSet

from claims.api import claimreviews, exports, versions
from claims.api.clocks import AS_OF, RECORDED_BY, as_recorded, made_by_day, named_point
from claims.api.conditional import ConditionalRetrieveMixin, validator
from claims.api.conflict_exports import ConflictExportsMixin
from claims.api.facets import FACETS_PARAMETER, ORDER_PARAMETER, asked_facets, facet_rows
from claims.api.figures import IncidentFigureQuery, documented, incident_figures
from claims.api.filters import (
    AskedFilterBackend,
    ClaimFilter,
    EvidenceFilter,
    IncidentFilter,
    ResponseFilter,
    StableOrderingFilter,
)
from claims.api.kept import KeptRetrieveMixin, kept_answer
from claims.api.linked import ClaimLinkedDataMixin
from claims.api.pagination import (
    CappedLimitOffsetPagination,
    ClaimCursorPagination,
    TimelineCursorPagination,
)
from claims.api.params import StrictParamsMixin
from claims.api.rows import list_values, timeline_rows, value_rows
from claims.api.serializers import (
    ClaimDetailSerializer,
    ClaimSerializer,
    EvidenceSerializer,
    IncidentSerializer,
    ResponseSerializer,
    TimelineEntrySerializer,
)
from claims.api.source_views import ID, SLUG, ReadWriteMixin, documented_writes
from claims.api.writes import (
    ClaimCreateSerializer,
    ClaimUpdateSerializer,
    EvidenceWriteSerializer,
    IncidentWriteSerializer,
    ResponseWriteSerializer,
)
from claims.ledger.exports import SnapshotStream
from claims.ledger.rebuild import recorded_by_from, recorded_state
from claims.models import (
    Attribution,
    Claim,
    ClaimQuerySet,
    ClaimTarget,
    Evidence,
    Incident,
    Reader,
    Response,
)
from claims.reading.asof import as_of_from
from claims.reading.originators import independent_originators
from claims.reading.visibility import (
    evidence_listed_for,
    evidence_visible_to,
    incidents_visible_to,
    responses_visible_to,
)
from claims.record.workflow import check_move


def readable_claims(user: Reader) -> ClaimQuerySet:
    """Drafts and withdrawn claims for those allowed to view them; published ones for others."""
    return Claim.objects.listed_for(user)


def openable_claims(user: Reader) -> ClaimQuerySet:
    """What a claim's own URL shows: for everyone, withdrawn claims too, with their reason (a
    retraction is part of the record), as the claim page does; lists keep to readable_claims."""
    return Claim.objects.visible_to(user)


def claim_body(request: Request) -> Mapping[str, Any]:
    """The request body as the role check reads it: a JSON object whose status, if any, is text.

    The check runs before the serializer, so a body of another shape answers 400 here.
    """
    if not isinstance(request.data, Mapping):
        raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
    if not isinstance(request.data.get("status", ""), str):
        raise serializers.ValidationError({"status": ["Give the status as text."]})
    return request.data


def named_head(response: StreamingHttpResponse, stream: SnapshotStream) -> StreamingHttpResponse:
    """An export names the history's Merkle tree head it was read at ("<size> <root>"), in its
    snapshot, so a study can cite it and check it against a signed head (/api/v1/ledger/head/)."""
    response["X-Claimtracker-Ledger-Head"] = stream.label
    return response


def with_accused(claims: ClaimQuerySet, day: dt.date | None = None) -> ClaimQuerySet:
    """What a claim in a list shows: its standing, people and incident, and whom it accuses."""
    return (
        claims.with_standing(as_of=day)
        .select_related("speaker", "spokesperson", "incident")
        # Accused actors for the whole page in one query, instead of one per claim.
        .prefetch_related(Prefetch("claim_targets", ClaimTarget.objects.select_related("actor")))
    )


@documented_writes(IncidentSerializer, IncidentWriteSerializer)
class IncidentViewSet(
    ConflictExportsMixin,
    ConditionalRetrieveMixin[Incident],
    ReadWriteMixin[Incident],
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet[Incident],
):
    """Events that claims are about, by slug, with their figure spread and ClaimReviews."""

    serializer_class = IncidentSerializer
    write_serializer_class = IncidentWriteSerializer
    filterset_class = IncidentFilter
    filter_backends = [AskedFilterBackend, StableOrderingFilter]
    ordering_fields = ["start_on", "title", "created_at"]
    pagination_class = CappedLimitOffsetPagination
    lookup_field = "slug"
    lookup_pattern = SLUG
    own_params = ("figures",)
    filtered_actions = ("list", *ConflictExportsMixin.conflict_actions)

    def get_queryset(self) -> QuerySet[Incident]:
        return incidents_visible_to(self.request.user).order_by("-start_on", "id")

    @documented(IncidentFigureQuery, "published claims give for the incident")
    @action(detail=True, url_path="figures", url_name="figures", filterset_class=None)
    def figures(self, request: Request, slug: str) -> ApiResponse:
        """Every casualty figure published claims give for the incident, by whom, in date order."""
        return incident_figures(request, self.get_object())

    @extend_schema(responses={(200, "application/ld+json"): OpenApiTypes.OBJECT}, filters=False)
    @action(
        detail=True,
        url_path="claimreview",
        url_name="claimreview",
        renderer_classes=[exports.JSONLDRenderer, JSONRenderer],
        filterset_class=None,
    )
    def claimreview(self, request: Request, slug: str) -> ApiResponse:
        """schema.org ClaimReview JSON-LD for every published, assessed claim of the incident."""
        incident = self.get_object()
        return claimreviews.incident_reviews(request, Claim.objects.all(), incident)


@documented_writes(ClaimDetailSerializer, ClaimCreateSerializer)
class ClaimViewSet(
    ClaimLinkedDataMixin,
    KeptRetrieveMixin[Claim],
    ReadWriteMixin[Claim],
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet[Claim],
):
    """Claims: lists filtered and cursor-paged; a detail carries the whole thread."""

    serializer_class = ClaimSerializer
    read_serializer_class = ClaimDetailSerializer
    filterset_class = ClaimFilter
    filter_backends = [AskedFilterBackend, StableOrderingFilter]
    ordering_fields = ["made_on", "created_at", "updated_at"]
    pagination_class = ClaimCursorPagination
    filtered_actions = ("list", "export_csv", "export_jsonl")
    action_params = {
        "list": (AS_OF.name, RECORDED_BY.name, FACETS_PARAMETER.name, ORDER_PARAMETER.name),
        "retrieve": (AS_OF.name, RECORDED_BY.name),
        "claimreview": (AS_OF.name,),
    }

    def get_queryset(self) -> QuerySet[Claim, Any]:
        # A write's permission check asks for it too: built once per request (every use copies
        # it, so it is never evaluated itself); the list reads values() rows, others models.
        if getattr(self, "_claims", None) is None:
            self._claims = self.claims_for_action()
        return self._claims

    def claims_for_action(self) -> QuerySet[Claim, Any]:
        day = as_of_from(self.request.query_params)
        if self.action == "list":
            return list_values(made_by_day(readable_claims(self.request.user), day), as_of=day)
        claims = (openable_claims if self.action == "retrieve" else readable_claims)(
            self.request.user
        )
        # with_thread(): figures, chain, targets, evidence and both directions of responses
        # in a fixed number of queries, instead of one per row of each.
        claims = claims.with_standing(as_of=day).with_thread()
        return claims

    @extend_schema(parameters=[AS_OF, RECORDED_BY, ORDER_PARAMETER, FACETS_PARAMETER])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> ApiResponse:
        """ClaimSerializer's shape, built without a serializer per row (claims/api/rows.py),
        with ``?facets=`` counts beside it; kept per state of the record (claims/api/kept.py)."""
        return kept_answer(request, lambda: self.built_list(request))

    def built_list(self, request: Request) -> ApiResponse:
        facets = asked_facets(request)
        with as_recorded(request) as point:
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            answer = self.get_paginated_response(value_rows(page or [], request))
            if facets:
                day = as_of_from(request.query_params)
                # The standing a ?standing= filter reads is the one as of the day, as for
                # the page; then one GROUP BY per facet over the same filters, not the page.
                claims = made_by_day(readable_claims(request.user), day).with_standing(as_of=day)
                matching = self.filter_queryset(claims)
                answer.data["facets"] = facet_rows(request, matching, facets, day)
        return named_point(answer, point)

    @extend_schema(parameters=[AS_OF, RECORDED_BY])
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> ApiResponse:
        """One claim with its thread; with ``recorded_by``, as the record held it then (its
        ETag names that change record: the answer never changes)."""
        point = recorded_by_from(request.query_params)
        if point is None:
            return super().retrieve(request, *args, **kwargs)
        with recorded_state(point):
            row = self.get_object()
            answer = ApiResponse(self.get_serializer(row).data)
        answer["ETag"] = self.etag(row, point.id)
        return named_point(answer, point)

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "create":
            return ClaimCreateSerializer
        if self.action in ("update", "partial_update"):
            return ClaimUpdateSerializer
        return ClaimSerializer if self.action == "list" else ClaimDetailSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        day = as_of_from(self.request.query_params)
        context["as_of"] = day
        if self.action != "list" and ID.fullmatch(str(self.kwargs.get("pk", ""))):
            context["originators"] = independent_originators([int(self.kwargs["pk"])], as_of=day)
        return context

    # The ETag names the version, which If-Match sends back to guard a write, and the state
    # of the record, which If-None-Match sends back to revalidate a copy.
    etag_fields = ("version",)

    def etag(self, row: Claim, head: int | None) -> str:
        return versions.etag_for(row.pk, row.version, validator(self.request, head))

    def validator_queryset(self) -> QuerySet[Claim]:
        return openable_claims(self.request.user)

    def read_back(self, row: Claim, code: int = 200) -> ApiResponse:
        self.kwargs["pk"] = str(row.pk)
        answer = super().read_back(row, code)
        answer["ETag"] = self.current_etag() or versions.etag_of(row)
        return answer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> ApiResponse:
        # Asked before the body is validated, so a role that may not do this hears so first.
        check_move(request.user, None, claim_body(request).get("status", Claim.Status.DRAFT))
        return super().create(request, *args, **kwargs)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> ApiResponse:
        """Save only over the version the client read (If-Match), and only what its role may."""
        claim = self.get_object()
        check_move(request.user, claim.status, claim_body(request).get("status", claim.status))
        serializer = self.get_serializer(
            claim, data=request.data, partial=kwargs.pop("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        saved = serializer.save(read_version=versions.read_version(request, claim))
        return self.read_back(saved)

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.STR},
        description=(
            "All claims matching the filters, as CSV, streamed; the X-Claimtracker-Ledger-Head "
            "header names the history's tree head (size and root) it was read at, in one snapshot."
        ),
    )
    @action(
        detail=False,
        url_path="export/csv",
        url_name="export-csv",
        renderer_classes=[JSONRenderer, exports.CSVRenderer],
        pagination_class=None,
    )
    def export_csv(self, request: Request) -> StreamingHttpResponse:
        claims = self.export_queryset()  # the filters checked here, the rows read in the stream
        stream = SnapshotStream(lambda: exports.stream_csv(claims, request))
        response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="claims.csv"'
        return named_head(response, stream)

    @extend_schema(
        responses={(200, "application/x-ndjson"): OpenApiTypes.STR},
        description=(
            "All claims matching the filters, one JSON object per line, streamed; the "
            "X-Claimtracker-Ledger-Head header names the tree head it was read at, in one snapshot."
        ),
    )
    @action(
        detail=False,
        url_path="export/jsonl",
        url_name="export-jsonl",
        renderer_classes=[JSONRenderer, exports.JSONLinesRenderer],
        pagination_class=None,
    )
    def export_jsonl(self, request: Request) -> StreamingHttpResponse:
        claims = self.export_queryset()
        stream = SnapshotStream(lambda: exports.stream_jsonl(claims, request))
        response = StreamingHttpResponse(stream, content_type="application/x-ndjson")
        return named_head(response, stream)

    def export_queryset(self) -> QuerySet[Claim]:
        claims = self.filter_queryset(with_accused(readable_claims(self.request.user)))
        # Figures and the chain per chunk of the stream, instead of per claim.
        return claims.prefetch_related(
            "figures",
            Prefetch(
                "attributions",
                queryset=Attribution.objects.select_related("actor"),
            ),
        )

    @extend_schema(
        responses={(200, "application/ld+json"): OpenApiTypes.OBJECT},
        filters=False,
        parameters=[AS_OF],
    )
    @action(
        detail=True,
        url_path="claimreview",
        url_name="claimreview",
        renderer_classes=[exports.JSONLDRenderer, JSONRenderer],
        filterset_class=None,
    )
    def claimreview(self, request: Request, pk: str) -> ApiResponse:
        """A schema.org ClaimReview JSON-LD document of this claim's published assessment."""
        return claimreviews.claim_review(request, readable_claims(request.user), pk)


class TimelineViewSet(StrictParamsMixin[Claim], mixins.ListModelMixin, GenericViewSet[Claim]):
    """Claims and the claims they answer, oldest first: for an incident, an actor or a period."""

    action_params = {"list": (AS_OF.name, ORDER_PARAMETER.name)}

    serializer_class = TimelineEntrySerializer
    filterset_class = ClaimFilter
    pagination_class = TimelineCursorPagination
    permission_classes = [AllowAny]

    def get_queryset(self) -> QuerySet[Claim]:
        day = as_of_from(self.request.query_params)
        claims = made_by_day(readable_claims(self.request.user), day)
        return with_accused(claims, day).prefetch_related(
            # What each claim answers, with that claim's speaker, for the whole page at once.
            Prefetch("responses_made", Response.objects.select_related("answers__speaker"))
        )

    @extend_schema(parameters=[AS_OF, ORDER_PARAMETER])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> ApiResponse:
        """TimelineEntrySerializer's shape, built without a serializer per row."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        day = as_of_from(request.query_params)
        return self.get_paginated_response(timeline_rows(page or [], request, as_of=day))


@documented_writes(ResponseSerializer, ResponseWriteSerializer)
class ResponseViewSet(
    ConditionalRetrieveMixin[Response],
    ReadWriteMixin[Response],
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet[Response],
):
    """Allegation <-> answer links; POST one to record that a claim denies, confirms… another."""

    serializer_class = ResponseSerializer
    write_serializer_class = ResponseWriteSerializer
    filterset_class = ResponseFilter
    pagination_class = CappedLimitOffsetPagination

    def get_queryset(self) -> QuerySet[Response]:
        # Both claims and their speakers joined in, instead of four queries per response.
        responses = responses_visible_to(self.request.user)
        return responses.select_related("claim__speaker", "answers__speaker").order_by("id")


@documented_writes(EvidenceSerializer, EvidenceWriteSerializer)
class EvidenceViewSet(
    ConditionalRetrieveMixin[Evidence],
    ReadWriteMixin[Evidence],
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    GenericViewSet[Evidence],
):
    """What is offered for or against claims, with its availability and archived hash."""

    serializer_class = EvidenceSerializer
    write_serializer_class = EvidenceWriteSerializer
    filterset_class = EvidenceFilter
    pagination_class = CappedLimitOffsetPagination

    def get_queryset(self) -> QuerySet[Evidence]:
        # A withdrawn claim's evidence opens at its URL, as on the claim's page, but lists
        # show only that of the claims lists show.
        if self.action == "list":
            return evidence_listed_for(self.request.user).order_by("id")
        return evidence_visible_to(self.request.user).order_by("id")
