"""Every answer of 400 and above under /api/ in the API's problem shape (claimtracker.problems).

DRF's views answer in it already (claims.api.errors) and Django's handlers do for what they
answer (claimtracker.errors); this is the net under both, for an answer made anywhere else: an
exception turned into the site's HTML 500 page (a view, DRF, another middleware, the database
going away), CSRF's refusal page, a view that returned an error of its own. It runs after the
logging, and keeps the status and every header that does not describe the body it replaces.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from claimtracker import problems
from claimtracker.errors import API_DETAILS, is_api

# Headers that describe the body being replaced; every other header is kept.
BODY_HEADERS = {"content-type", "content-length", "content-language", "content-encoding"}


class ProblemsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not is_api(request)
            or response.get("Content-Type", "").startswith(problems.MEDIA_TYPE)
            # A developer's debug page keeps its traceback; DEBUG is never on in production.
            or (settings.DEBUG and response.status_code >= 500)
        ):
            return response
        return as_problem(request, response)


def as_problem(request: HttpRequest, response: HttpResponseBase) -> HttpResponse:
    status = response.status_code
    detail = carried_detail(response) if status < 500 else None
    answer = problems.response(
        problems.body(
            status, detail or API_DETAILS.get(status) or "The request failed.", request.path
        )
    )
    for name, value in response.items():
        if name.lower() not in BODY_HEADERS:
            answer[name] = value
    # Django logged the error (with its traceback) when it made the page: not once more.
    # (A private flag of django.utils.log.log_response, which the stubs do not declare.)
    answer._has_been_logged = getattr(  # type: ignore[attr-defined]
        response, "_has_been_logged", False
    )
    return answer


def carried_detail(response: HttpResponseBase) -> str | None:
    """The ``detail`` of a JSON error body a view made itself, to keep its words."""
    if not isinstance(response, HttpResponse) or "json" not in response.get("Content-Type", ""):
        return None
    try:
        data = json.loads(response.content)
    except ValueError:
        return None
    detail = data.get("detail") if isinstance(data, dict) else None
    return detail if isinstance(detail, str) else None
