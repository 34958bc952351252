"""The problem types' own URIs: ``/api/v1/problems/`` lists every kind of problem the API
answers, ``/api/v1/problems/<kind>/`` says what one means (RFC 9457 lets a type URI be
dereferenced for its documentation; ours answer JSON, like the rest of the API)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.api.params import refuse_unknown
from claimtracker.problems import KINDS, Kind


class ProblemTypeSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="The URI problem answers give as `type`.")
    title = serializers.CharField()
    status = serializers.IntegerField(help_text="The HTTP status it is answered with.")
    meaning = serializers.CharField()


def described(kind: Kind) -> dict[str, object]:
    return {"type": kind.type, "title": kind.title, "status": kind.status, "meaning": kind.meaning}


class ProblemTypesView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ProblemTypeSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """Every kind of problem the API answers, with its status and meaning."""
        refuse_unknown(request, ())
        return Response([described(kind) for kind in KINDS.values()])


class ProblemTypeView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ProblemTypeSerializer})
    def get(self, request: Request, kind: str) -> Response:
        """What one kind of problem means."""
        refuse_unknown(request, ())
        if kind not in KINDS:
            raise NotFound(f"No kind of problem is called {kind!r}.")
        return Response(described(KINDS[kind]))
