"""A claim's JSON-LD in the API: its anchored quote as a Web Annotation and its attribution chain
as PROV-O (claims/reading/linkeddata.py)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from claims.api.exports import JSONLDRenderer
from claims.models import Claim
from claims.reading.linkeddata import claim_document


class ClaimLinkedDataMixin(GenericAPIView[Claim]):
    """The JSON-LD action of the claim viewset: the same claims and checks as its detail."""

    @extend_schema(
        summary="A claim as linked data: Web Annotation of its quote, PROV-O of its chain",
        responses={(200, "application/ld+json"): OpenApiTypes.OBJECT},
        filters=False,
    )
    @action(
        detail=True,
        url_path="jsonld",
        url_name="jsonld",
        renderer_classes=[JSONLDRenderer, JSONRenderer],
        filterset_class=None,
    )
    def jsonld(self, request: Request, pk: str) -> Response:
        """The claim's JSON-LD document, parseable offline (its context is embedded)."""
        return Response(claim_document(self.get_object(), request.build_absolute_uri))
