"""Server errors under /api/ in the API's words: JSON ``{"detail", "status", "request_id"}``.

Django turns an exception raised anywhere (a view, DRF, another middleware, the database going
away) into the site's HTML 500 page, and logs it with its traceback; this rewrites that page for
API clients, who parse JSON, after the logging has happened.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from claimtracker.errors import api_error_body

API_PREFIX = "/api/"
# Headers that describe the HTML body being replaced; every other header is kept.
BODY_HEADERS = {"content-type", "content-length", "content-language", "content-encoding"}


class ServerErrorsAsJsonMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 500
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
            # A developer's debug page keeps its traceback; DEBUG is never on in production.
            or settings.DEBUG
        ):
            return response
        return as_json(response)


def as_json(response: HttpResponse) -> JsonResponse:
    answer = JsonResponse(api_error_body(response.status_code))
    answer.status_code = response.status_code
    for name, value in response.items():
        if name.lower() not in BODY_HEADERS:
            answer[name] = value
    # Django logged the error (with its traceback) when it made the page: not once more.
    # (A private flag of django.utils.log.log_response, which the stubs do not declare.)
    answer._has_been_logged = getattr(  # type: ignore[attr-defined]
        response, "_has_been_logged", False
    )
    return answer
