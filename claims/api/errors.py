"""The write path's answers in the API's words: invalid 400, refused 403, stale 412; and a
query parameter the read side refuses (``as_of``, ``recorded_by``) as 400 naming it.

Views and serializers call the services and let these propagate; this handler is the one place
that turns them into HTTP answers, so every endpoint says the same thing for the same refusal.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as ParameterInvalid
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from claims.api import versions
from claims.record.errors import RecordInvalid, Refused, StaleVersion
from claimtracker.logs import current_request_id


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(error, RecordInvalid):
        error = exceptions.ValidationError(error.errors)
    elif isinstance(error, Refused):
        error = exceptions.PermissionDenied(error.message)
    elif isinstance(error, StaleVersion):
        error = versions.stale(error)
    elif isinstance(error, ParameterInvalid) and hasattr(error, "error_dict"):
        # A query parameter read by claims.reading (as_of, recorded_by): 400 naming it.
        error = exceptions.ValidationError(error.message_dict)
    response = drf_exception_handler(error, context)
    # The id the log line has too (also in the X-Request-ID header), for reports of the error.
    if response is not None and isinstance(response.data, dict):
        response.data["request_id"] = current_request_id()
    return response
