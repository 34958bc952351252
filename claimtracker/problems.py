"""The API's one error shape: RFC 9457 problem details, for every answer of 400 and above.

``{"type", "title", "status", "detail", "instance", "request_id"}``, and for a validation problem
``errors``: one ``{"field", "message", "code"}`` per failure, the field a dotted path with list
indexes (``figures[0].low``) or null for a rule about the whole request. Each kind of problem has
a type URI under ``/api/v1/problems/``, which answers what the kind means (claims.api.problems).

Here in the project package, below every door, so that Django's own error handlers (an unknown
path, a body over the size limit, a server error) answer in the same shape as DRF's views.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

from claimtracker import logs

MEDIA_TYPE = "application/problem+json"
TYPE_ROOT = "/api/v1/problems/"


@dataclass(frozen=True)
class Kind:
    slug: str
    status: int
    title: str
    meaning: str

    @property
    def type(self) -> str:
        return f"{TYPE_ROOT}{self.slug}/"


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in [
        Kind(
            "validation",
            400,
            "The request has invalid parameters or fields",
            "A query parameter or body field is unknown, missing or has a value the record "
            "refuses; `errors` names each one with its message.",
        ),
        Kind(
            "malformed",
            400,
            "The request body could not be read",
            "The body is not well-formed in the media type it was sent as (JSON that does not "
            "parse, a form without its boundary).",
        ),
        Kind(
            "not-authenticated",
            401,
            "Authentication is needed",
            "No credentials were sent, or the token sent is invalid, expired or revoked. Send "
            '"Authorization: Token <secret>".',
        ),
        Kind(
            "forbidden",
            403,
            "Not permitted",
            "The credentials are valid but do not permit this request, or the record's workflow "
            "refuses it for this user (the detail says which).",
        ),
        Kind("not-found", 404, "Not found", "Nothing this user may read exists at this path."),
        Kind(
            "method-not-allowed",
            405,
            "Method not allowed",
            "The path exists but does not take this method; the Allow header lists those it takes.",
        ),
        Kind(
            "not-acceptable",
            406,
            "Not acceptable",
            "The API cannot answer in any media type the Accept header names.",
        ),
        Kind(
            "conflict",
            409,
            "Conflict",
            "A request with the same Idempotency-Key is still running; retry after Retry-After "
            "seconds to get its answer.",
        ),
        Kind(
            "precondition-failed",
            412,
            "Precondition failed",
            "The row has changed since the version named in If-Match; `current_version` and "
            "`changes` say what changed. Read it again and resend.",
        ),
        Kind(
            "too-large",
            413,
            "The request body is too large",
            "The body is larger than this endpoint accepts; the detail names the limit.",
        ),
        Kind(
            "unsupported-media-type",
            415,
            "Unsupported media type",
            "The body's Content-Type is not one this endpoint parses.",
        ),
        Kind(
            "unprocessable",
            422,
            "Idempotency-Key reused",
            "The Idempotency-Key was first sent with another method, path or body; send a new "
            "key for another request.",
        ),
        Kind(
            "throttled",
            429,
            "Too many requests",
            "This client sent more requests (or failed token authentications) than the limit "
            "allows; the Retry-After header says in how many seconds to try again.",
        ),
        Kind(
            "server-error",
            500,
            "Server error",
            "The server failed to answer; the failure is logged under `request_id`. A write "
            "sent with an Idempotency-Key may be sent again with the same key.",
        ),
        Kind(
            "unavailable",
            503,
            "Service unavailable",
            "The server cannot give this answer now, or is not configured to (the detail says "
            "which).",
        ),
    ]
}
_BY_STATUS: dict[int, Kind] = {}
for _kind in KINDS.values():
    _BY_STATUS.setdefault(_kind.status, _kind)


def kind_for(status: int) -> Kind:
    """The kind an answer of ``status`` is when nothing more specific is known."""
    found = _BY_STATUS.get(status)
    if found is not None:
        return found
    return Kind("server-error" if status >= 500 else "client-error", status, "Error", "")


@dataclass(frozen=True)
class FieldError:
    field: str | None
    message: str
    code: str

    def as_dict(self) -> dict[str, str | None]:
        return {"field": self.field, "message": self.message, "code": self.code}


def summary(errors: Iterable[FieldError], shown: int = 3) -> str:
    """A one-line detail naming the first few errors, for people reading a log."""
    listed = list(errors)
    parts = [f"{e.field}: {e.message}" if e.field else e.message for e in listed[:shown]]
    more = len(listed) - shown
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def body(
    status: int,
    detail: str,
    instance: str,
    *,
    kind: Kind | None = None,
    errors: Iterable[FieldError] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A problem document; ``extra`` adds members of the kind (never over the standard ones)."""
    kind = kind or kind_for(status)
    document: dict[str, Any] = {**(extra or {})}
    document.update(
        type=kind.type,
        title=kind.title,
        status=status,
        detail=detail,
        instance=instance,
        request_id=logs.current_request_id() or "-",
    )
    if errors is not None:
        document["errors"] = [e.as_dict() for e in errors]
    return document


def response(document: Mapping[str, Any], headers: Mapping[str, str] | None = None) -> HttpResponse:
    answer = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder),
        status=document["status"],
        content_type=MEDIA_TYPE,
    )
    for name, value in (headers or {}).items():
        answer[name] = value
    return answer
