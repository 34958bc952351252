"""OpenAPI details: the token scheme (for the docs' Authorize box) and the error answers."""

from __future__ import annotations

from typing import Literal

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter
from rest_framework import permissions

from claims.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from claims.api.idempotency import UNSAFE_METHODS


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "claims.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Send "Token <secret>"; issue one with `manage.py api_token issue`.',
        }


class AutoSchema(openapi.AutoSchema):
    """Documents the error answers every operation can give, besides its success answer.

    401 for any request with a bad token, 403 for writes without the model permission (and for
    reads of views that guard reads too), 400 everywhere (any query parameter an operation does
    not read is refused, claims.api.params; and where parameters or a body are read, a bad
    value), 404 where the path names a row or a cursor is read, 429 where throttles count
    the request; writes also take an Idempotency-Key and may answer 409 and 422 for it.
    """

    def get_override_parameters(self) -> list:
        parameters = list(super().get_override_parameters())
        if self.method in UNSAFE_METHODS:
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        writes = self.method in ("POST", "PUT", "PATCH", "DELETE")
        guarded = not all(isinstance(p, OPEN_READS) for p in self.view.get_permissions())
        has_path_params = "{" in self.path
        takes_query = any(
            getattr(p, "location", None) == OpenApiParameter.QUERY
            for p in self.get_override_parameters()
        )
        reads_query = self.method == "GET" and (
            self._is_list_view()
            or bool(self._get_filter_parameters())
            or not has_path_params
            or takes_query
        )
        errors = {
            "400": (VALIDATION_ERROR, True),
            "401": (ERROR, True),
            "403": (ERROR, writes or guarded),
            "404": (ERROR, has_path_params or reads_query),
            "409": (ERROR, writes),
            "422": (ERROR, writes),
            "429": (ERROR, bool(self.view.get_throttles())),
        }
        # Errors are rendered by whichever renderer the request negotiated, as DRF does.
        media_types = list(dict.fromkeys(r.media_type for r in self.view.get_renderers()))
        media_types = [m for m in media_types if m != "text/html"] or ["application/json"]
        for code, (schema, applies) in errors.items():
            if applies and code not in responses:
                responses[code] = self._get_response_for_code(
                    schema, code, media_types=media_types, direction=direction
                )
        return responses


IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    str,
    OpenApiParameter.HEADER,
    description=(
        "Any unique string (1–255 printable ASCII characters; a random UUID will do) naming this "
        "write, so that it can be retried safely. The answer is kept for a day: the same key "
        "with the same method, path and body answers that first answer again (with "
        "`Idempotent-Replayed: true`) and writes nothing; the same key with another body, "
        "method or path answers 422; while the first request runs, 409 with Retry-After. "
        "Server errors (5xx) are not kept: their retry runs again."
    ),
)

# Permission classes that let anyone read: their views answer 403 to writes only.
OPEN_READS = (permissions.AllowAny, permissions.DjangoModelPermissionsOrAnonReadOnly)

ERROR = {
    "type": "object",
    "description": "Why the request was refused.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": (
        "One entry per field that failed (nested for figures and chain hops: an object keyed by "
        "the item's index), each a list of messages; 'non_field_errors' for rules across fields."
    ),
    "additionalProperties": True,
}
