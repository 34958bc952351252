"""The search endpoint: full-text search over claims, actors, documents and incidents."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from claims.api.kept import kept_answer
from claims.api.params import refuse_unknown
from claims.api.rows import search_rows
from claims.api.serializers import SearchResultsSerializer
from claims.reading import search as search_service


class SearchParams(serializers.Serializer):
    q = serializers.CharField(max_length=search_service.MAX_QUERY_LENGTH, trim_whitespace=True)
    limit = serializers.IntegerField(min_value=1, max_value=50, default=20)

    def validate_q(self, value: str) -> str:
        if not search_service.is_searchable(value):
            raise serializers.ValidationError("Give words to search for.")
        return value


class SearchView(APIView):
    """Full-text search over claims, actor names and aliases, documents and incidents.

    Web-search syntax: quoted phrases, ``or``, ``-word``. Each kind lists its best-ranked hits
    among its newest matches: 1,000 claims (by date) and actors (by name), 200 documents (by
    publication) and incidents (by start); older matches of a very common word are not ranked.
    There is no total count.
    An answer is kept until the next write to the record.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                str,
                required=True,
                description='Words to search for: "a phrase", this or that, -excluded.',
            ),
            OpenApiParameter("limit", int, description="Hits per kind, 1–50 (default 20)."),
        ],
        responses={200: SearchResultsSerializer, 400: OpenApiResponse(description="No words.")},
    )
    def get(self, request: Request) -> ApiResponse:
        refuse_unknown(request, SearchParams().fields)
        params = SearchParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        query, limit = params.validated_data["q"], params.validated_data["limit"]

        def answer() -> ApiResponse:
            results = search_service.search(query, user=request.user, limit_per_kind=limit)
            # SearchResultsSerializer's shape (the schema's), built without a serializer per hit.
            return ApiResponse(search_rows(query, results, request))

        # Kept per state of the record, as the claim list is (claims/api/kept.py): every table
        # search reads is in the change history, so any write makes the next answer a new one.
        return kept_answer(request, answer)
