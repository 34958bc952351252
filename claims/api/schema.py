"""OpenAPI details: the token scheme, the error answers in the problem shape, the conditional
requests, and each operation's summary and example (claims.api.operations), all added here once
rather than per view."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter
from rest_framework import permissions

from claims.api import operations
from claims.api.conditional import ConditionalRetrieveMixin
from claims.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from claims.api.idempotency import UNSAFE_METHODS
from claimtracker import problems

# Operations that honour If-Match (a claim's ETag names its version: claims.api.versions).
IF_MATCH_OPERATIONS = {"claims_update", "claims_partial_update"}
WITH_BODY = {"POST", "PUT", "PATCH"}


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
    """Documents the error answers every operation can give, besides its success answer, each
    as ``application/problem+json`` (ValidationProblem for 400, ProblemDetails otherwise).

    400 everywhere (any query parameter an operation does not read is refused,
    claims.api.params); 401 for a bad token; 403 for writes without the model permission (and
    for reads of views that guard reads too); 404 where the path names a row or a cursor is
    read; 406 for an Accept the API cannot answer; writes also 409 and 422 (Idempotency-Key),
    413 and 415 (their body); 412 where If-Match is honoured; 429 where throttles count the
    request; 500 everywhere. Conditional reads add If-None-Match, ETag and 304.
    """

    def get_override_parameters(self) -> list:
        parameters = list(super().get_override_parameters())
        if self.method in UNSAFE_METHODS:
            parameters.append(IDEMPOTENCY_KEY)
        if self.is_conditional_read():
            parameters.append(IF_NONE_MATCH)
        if self.get_operation_id() in IF_MATCH_OPERATIONS:
            parameters.append(IF_MATCH)
        return parameters

    def is_conditional_read(self) -> bool:
        return (
            self.method == "GET"
            and isinstance(self.view, ConditionalRetrieveMixin)
            and getattr(self.view, "action", None) == "retrieve"
        )

    def get_filter_backends(self) -> list[Any]:
        # The exports read the list's filters too (StrictParamsMixin.filtered_actions).
        if getattr(self.view, "action", None) in getattr(self.view, "filtered_actions", ()):
            return list(getattr(self.view, "filter_backends", []))
        return list(super().get_filter_backends())

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        for code, applies in self.error_codes().items():
            if applies and code not in responses:
                responses[code] = {"description": DESCRIPTIONS[code]}
        for code, answer in responses.items():
            if code.isdigit() and int(code) >= 400:
                schema = VALIDATION_REF if code == "400" else PROBLEM_REF
                answer["content"] = {problems.MEDIA_TYPE: {"schema": schema}}
                answer["description"] = answer.get("description") or DESCRIPTIONS.get(code, "")
                if code in ("409", "429"):
                    answer["headers"] = {"Retry-After": RETRY_AFTER}
        if self.is_conditional_read():
            responses["304"] = {
                "description": "Not modified: the copy named in If-None-Match is current.",
                "headers": {"ETag": ETAG},
            }
        if self.is_conditional_read() or self.get_operation_id() in IF_MATCH_OPERATIONS:
            responses.get("200", {}).setdefault("headers", {})["ETag"] = ETAG
        return responses

    def error_codes(self) -> dict[str, bool]:
        writes = self.method in UNSAFE_METHODS
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
        return {
            "400": True,
            "401": True,
            "403": writes or guarded,
            "404": has_path_params or reads_query,
            "406": True,
            "409": writes,
            "412": self.get_operation_id() in IF_MATCH_OPERATIONS,
            "413": self.method in WITH_BODY,
            "415": self.method in WITH_BODY,
            "422": writes,
            "429": bool(self.view.get_throttles()),
            "500": True,
        }

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            operations.apply(operation)
        return operation


def header(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"schema": schema, "description": description}


ETAG = header(
    "The validator of this answer; send it back in If-None-Match to revalidate a copy (and, "
    "for a claim, in If-Match to guard a write).",
    {"type": "string"},
)
RETRY_AFTER = header("Seconds to wait before sending the request again.", {"type": "integer"})
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    description="ETags of copies the client holds (or *): 304 with no body when one is current.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description=(
        "The claim's ETag as read: the write applies only if the claim is still at that "
        "version, and answers 412 naming what changed otherwise. Without it the write applies "
        "over whatever is stored."
    ),
)
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

DESCRIPTIONS = {
    "400": "A parameter or field is unknown, missing or invalid (each is in `errors`), or the "
    "body does not parse.",
    "401": "No credentials, or an invalid, expired or revoked token.",
    "403": "The user may not do this.",
    "404": "Nothing this user may read is at this path.",
    "406": "No media type the Accept header names can be answered.",
    "409": "A request with this Idempotency-Key is still running.",
    "412": "The claim changed since the version sent in If-Match.",
    "413": "The body is larger than this endpoint accepts.",
    "415": "The body's Content-Type is not one this endpoint reads.",
    "422": "The Idempotency-Key was first sent with another request.",
    "429": "Too many requests (or failed token authentications) from this client.",
    "500": "The server failed; the failure is logged under request_id.",
    "503": "The server cannot give this answer now.",
}

PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetails"}
VALIDATION_REF = {"$ref": "#/components/schemas/ValidationProblem"}
PROBLEM_DETAILS = {
    "type": "object",
    "description": "RFC 9457 problem details: every answer of 400 and above.",
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem; it "
                 "answers what the kind means."},
        "title": {"type": "string", "description": "The kind of problem, in words."},
        "status": {"type": "integer", "description": "The HTTP status code."},
        "detail": {"type": "string", "description": "This occurrence, in words."},
        "instance": {"type": "string", "description": "The path of the request."},
        "request_id": {"type": "string", "description": "Also in the X-Request-ID header and "
                       "the log; quote it when reporting a failure."},
    },
    "required": ["type", "title", "status", "detail", "instance", "request_id"],
    "additionalProperties": True,
    "example": {
        "type": "/api/v1/problems/precondition-failed/", "title": "Precondition failed",
        "status": 412, "detail": "The claim has changed since you read it.",
        "instance": "/api/v1/claims/1/", "request_id": "0c6a6d3c4b0f4f1e9a1f2b3c4d5e6f70",
        "current_version": 3,
        "changes": [{"field": "summary", "yours": "…152 bodies…", "now": "…over 150 bodies…"}],
    },
}  # fmt: skip
VALIDATION_PROBLEM = {
    "allOf": [
        PROBLEM_REF,
        {
            "type": "object",
            "properties": {
                "errors": {
                    "type": "array",
                    "description": "One entry per failure (absent when the body did not parse).",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {
                                "type": "string",
                                "nullable": True,
                                "description": "Dotted path with list indexes from 0 "
                                "(figures[0].low); null for a rule about the whole request.",
                            },
                            "message": {"type": "string"},
                            "code": {"type": "string", "description": "Machine-readable."},
                        },
                        "required": ["field", "message", "code"],
                    },
                }
            },
        },
    ],
    "example": {
        "type": "/api/v1/problems/validation/",
        "title": "The request has invalid parameters or fields",
        "status": 400, "detail": "made_on: 2015-02-30: February 2015 has 28 days.",
        "instance": "/api/v1/claims/", "request_id": "0c6a6d3c4b0f4f1e9a1f2b3c4d5e6f70",
        "errors": [{"field": "made_on", "message": "2015-02-30: February 2015 has 28 days.",
                    "code": "invalid_date"}],
    },
}  # fmt: skip


def add_problem_components(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: the two problem schemas the answers refer to."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ProblemDetails"] = PROBLEM_DETAILS
    schemas["ValidationProblem"] = VALIDATION_PROBLEM
    return result
