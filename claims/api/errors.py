"""Every refusal of the API as RFC 9457 problem details (claimtracker.problems), in one place.

The write path's answers in the API's words (invalid 400, refused 403, stale 412), a query
parameter the read side refuses (``as_of``, ``recorded_by``: 400 naming it), a body over the
size limit (413), and DRF's own exceptions (401, 404, 405, 406, 415, 429 with Retry-After …).
Views and serializers call the services and let these propagate; this handler turns them into
HTTP answers, so every endpoint says the same thing for the same refusal.

Field errors, however DRF or the write path nest them, become one flat list: ``{"field":
"figures[0].low", "message", "code"}``, list items indexed from 0 as the request sent them, and
``field: null`` for a rule about the whole object (what DRF calls ``non_field_errors``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied as NotPermitted
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as ParameterInvalid
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from claims.api import versions
from claims.record.errors import RecordInvalid, Refused, StaleVersion
from claimtracker import problems
from claimtracker.errors import too_large_detail

# Keys that mean "the object as a whole", whoever made the error.
WHOLE = {"non_field_errors", "__all__"}
# Problem kinds more specific than their status alone.
KIND_OF_CODE = {"parse_error": problems.KINDS["malformed"]}


class ProblemRenderer(JSONRenderer):
    """JSON under the problem media type: what every error answer is rendered with, whatever
    renderer the request negotiated (a browser's Accept would otherwise get HTML)."""

    media_type = problems.MEDIA_TYPE
    format = "problem"


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    error = as_api_exception(error)
    response = drf_exception_handler(error, context)
    if response is None or not isinstance(error, exceptions.APIException):
        return None
    request: Request | None = context.get("request")
    path = request.path if request is not None else ""
    response.data = problem_of(error, response.status_code, path)
    if request is not None:
        # finalize_response renders with the request's renderer: make it ours, for every Accept.
        request.accepted_renderer = ProblemRenderer()
        request.accepted_media_type = problems.MEDIA_TYPE
    return response


def as_api_exception(error: Exception) -> Exception:
    if isinstance(error, RecordInvalid):
        return exceptions.ValidationError(error.errors)
    if isinstance(error, Refused):
        return exceptions.PermissionDenied(error.message)
    if isinstance(error, StaleVersion):
        return versions.stale(error)
    if isinstance(error, ParameterInvalid) and hasattr(error, "error_dict"):
        # A query parameter read by claims.reading (as_of, recorded_by): 400 naming it.
        return exceptions.ValidationError(error.message_dict)
    if isinstance(error, RequestDataTooBig):
        return TooLarge(too_large_detail())
    # Django's own two, as DRF's handler reads them (it would not hand us its conversion).
    if isinstance(error, Http404):
        return exceptions.NotFound(*error.args)
    if isinstance(error, NotPermitted):
        return exceptions.PermissionDenied(*error.args)
    return error


def problem_of(error: exceptions.APIException, status_code: int, path: str) -> dict[str, Any]:
    if isinstance(error, exceptions.ValidationError):
        errors = list(field_errors(error.detail))
        return problems.body(
            status_code, problems.summary(errors), path, kind=problems.KINDS["validation"],
            errors=errors,
        )  # fmt: skip
    detail: Any = error.detail
    extra: dict[str, Any] = {}
    if isinstance(detail, dict):
        # A refusal with members of its own (the 412's current_version and changes).
        extra = {k: v for k, v in detail.items() if k != "detail"}
        detail = detail.get("detail") or error.default_detail
    code = getattr(detail, "code", None) or error.default_code
    kind = KIND_OF_CODE.get(str(code))
    # Throttled.wait: seconds to wait, also sent as Retry-After (the stubs omit it).
    wait = getattr(error, "wait", None) if isinstance(error, exceptions.Throttled) else None
    if wait is not None:
        extra["retry_after"] = int(wait)
    return problems.body(status_code, str(detail), path, kind=kind, extra=extra)


def field_errors(detail: Any, path: str = "") -> Iterator[problems.FieldError]:
    """DRF's nested error detail (dicts by field, lists by message or by item, dicts keyed by an
    item's index) as flat errors with paths such as ``figures[0].low``."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from field_errors(value, step(path, key))
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                # A list serializer's errors: one entry per item sent, {} for a valid one.
                yield from field_errors(item, f"{path}[{index}]")
            else:
                yield from field_errors(item, path)
    else:
        code = getattr(detail, "code", None) or "invalid"
        yield problems.FieldError(path or None, str(detail), str(code))


def step(path: str, key: object) -> str:
    name = str(key)
    if name in WHOLE:
        return path
    if isinstance(key, int) or name.isdigit():
        return f"{path}[{int(name)}]"
    return f"{path}.{name}" if path else name
