"""The record verifiable from outside: the latest signed tree head, and RFC 9162 inclusion and
consistency proofs against any tree size (claims/ledger/tree.py, claims/ledger/heads.py)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.api.params import refuse_unknown
from claims.ledger import custody, heads, tree
from claims.models import ChangeRecord, Evidence, reads_drafts
from claimtracker.numbers import plain_id, plain_int
from sources.models import Document


class HeadUnavailable(APIException):
    status_code = 503
    default_detail = "This server has no ledger signing key, so it signs no tree heads."
    default_code = "no_signing_key"


class SignedHeadSerializer(serializers.Serializer):
    tree_size = serializers.IntegerField(help_text="Change records the tree holds.")
    root_hash = serializers.CharField(help_text="RFC 9162 root of those records, hex.")
    timestamp = serializers.CharField(help_text="When the head was signed (UTC).")
    signature = serializers.CharField(help_text="Ed25519 signature of signed_text, hex.")
    key_id = serializers.CharField(help_text="SHA-256 of the raw public key, hex.")
    public_key = serializers.CharField(help_text="The raw Ed25519 public key, hex.")
    signed_text = serializers.CharField(help_text="The exact text that was signed.")


class InclusionProofSerializer(serializers.Serializer):
    record = serializers.IntegerField(help_text="The change record's id.")
    chain_hash = serializers.CharField(help_text="Its hash in the chain; the leaf is 'id|hash'.")
    leaf_index = serializers.IntegerField()
    tree_size = serializers.IntegerField()
    audit_path = serializers.ListField(child=serializers.CharField(), help_text="Hashes, hex.")


ConsistencyProofSerializer = inline_serializer(
    "ConsistencyProof",
    {
        "from": serializers.IntegerField(help_text="The older tree size."),
        "to": serializers.IntegerField(help_text="The newer tree size."),
        "consistency_path": serializers.ListField(child=serializers.CharField()),
    },
)


def _signed() -> dict:
    try:
        return heads.as_json(heads.latest())
    except heads.NoSigningKey:
        raise HeadUnavailable() from None


def _size(request: Request, name: str, *, optional: bool = False, low: int = 0) -> int:
    """A tree size from the query: an integer from ``low`` to the tree's current size (the
    current size itself when the parameter is ``optional`` and absent)."""
    current = tree.size()
    value = request.query_params.get(name, "").strip()
    if not value and optional:
        return current
    size = plain_int(value)
    if size is None or not low <= size <= current:
        raise ValidationError({name: [f"Give a tree size from {low} to {current}."]})
    return size


_NO_KEY = OpenApiResponse(description="The server has no signing key.")
_BAD = OpenApiResponse(description="A parameter is missing, unknown or out of range.")


class LedgerHeadView(APIView):
    """The latest signed tree head: how many change records the history holds, and their root."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: SignedHeadSerializer, 400: _BAD, 503: _NO_KEY})
    def get(self, request: Request) -> Response:
        refuse_unknown(request, ())
        return Response(_signed())


class InclusionProofView(APIView):
    """The audit path proving a change record is in the tree of a given size (RFC 9162 2.1.3)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("record", int, required=True, description="A change record's id."),
            OpenApiParameter("size", int, description="Tree size (default: the tree's own)."),
        ],
        responses={200: InclusionProofSerializer, 400: _BAD},
    )
    def get(self, request: Request) -> Response:
        refuse_unknown(request, ("record", "size"))
        value = request.query_params.get("record", "").strip()
        record = plain_id(value)
        index = None if record is None else tree.leaf_of(record)
        if record is None or index is None:
            raise ValidationError({"record": ["Give the id of a change record in the tree."]})
        size = _size(request, "size", optional=True, low=index + 1)
        chain_hash = ChangeRecord.objects.values_list("hash", flat=True).get(pk=record)
        return Response(
            {
                "record": int(value),
                "chain_hash": chain_hash,
                "leaf_index": index,
                "tree_size": size,
                "audit_path": [h.hex() for h in tree.inclusion_proof(index, size)],
            }
        )


class ConsistencyProofView(APIView):
    """The hashes proving the tree of one size is a prefix of a later one (RFC 9162 2.1.4)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", int, required=True, description="The older tree size."),
            OpenApiParameter("to", int, required=True, description="The newer tree size."),
        ],
        responses={200: ConsistencyProofSerializer, 400: _BAD},
    )
    def get(self, request: Request) -> Response:
        refuse_unknown(request, ("from", "to"))
        first = _size(request, "from", low=1)
        second = _size(request, "to", low=first)
        path = tree.consistency_proof(first, second)
        return Response({"from": first, "to": second, "consistency_path": [h.hex() for h in path]})


class CustodyBundleView(APIView):
    """One zip with what the record knows of an evidence item or a document: its archived bytes,
    every change record of it with its inclusion proof, a signed head and an account in words
    (check it offline with verifier/claimtracker_verify.py bundle). For those who read drafts:
    the change records hold every state the item went through."""

    permission_classes = [IsAuthenticated]
    models: dict[str, type[Evidence] | type[Document]] = {
        "evidence": Evidence,
        "documents": Document,
    }

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            401: OpenApiResponse(description="No credentials."),
            403: OpenApiResponse(description="Only those who read drafts get custody bundles."),
            404: OpenApiResponse(description="No such item."),
            503: _NO_KEY,
        },
    )
    def get(self, request: Request, kind: str, pk: str) -> HttpResponse:
        refuse_unknown(request, ())
        if not reads_drafts(request.user):
            raise PermissionDenied("Only those who read drafts get custody bundles.")
        model = self.models[kind]
        number = plain_id(pk)
        item = model.objects.filter(pk=number).first() if number is not None else None
        if item is None:
            raise NotFound(f"There is no {model._meta.verbose_name} {pk}.")
        try:
            data = custody.bundle(item)
        except heads.NoSigningKey:
            raise HeadUnavailable() from None
        response = HttpResponse(data, content_type="application/zip")
        filename = f"custody-{model._meta.model_name}-{item.pk}.zip"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
