"""Django's own error answers: a 500 naming its request id, and under /api/ problem details.

The id is what an editor or a tool quotes when reporting the failure; the log line and the
traceback of the same request carry it too. API paths get the API's problem shape
(claimtracker.problems) for what Django answers before or outside a view: an unknown path, a
body over DATA_UPLOAD_MAX_MEMORY_SIZE (413, not Django's 400), a refused request, a failure.
Pages keep their HTML pages.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views import defaults

from claimtracker import logs, problems

API_PREFIX = "/api/"
SERVER_ERROR = "The server could not answer this request. The failure has been logged."
# The API's words: a tool may retry a write safely when it sent an Idempotency-Key.
API_SERVER_ERROR = (
    "The server could not complete this request; the error has been logged. A write sent with "
    "an Idempotency-Key may be sent again with the same key: it is not applied twice."
)
# What Django's handlers answer under /api/, by status, when no more is known.
API_DETAILS = {
    400: "The request could not be read.",
    403: "This request is not permitted.",
    404: "There is no API resource at this path.",
    413: "The request body is larger than this server accepts.",
    500: API_SERVER_ERROR,
    502: API_SERVER_ERROR,
    503: "The server cannot answer this request now; try again later.",
    504: API_SERVER_ERROR,
}


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def too_large_detail() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    shown = f" ({limit:,} bytes)" if limit else ""
    return f"The request body is larger than this server accepts{shown}."


def api_problem(request: HttpRequest, status: int, detail: str | None = None) -> HttpResponse:
    text = detail or API_DETAILS.get(status) or "The request failed."
    return problems.response(problems.body(status, text, request.path))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        if is_api(request):
            return api_problem(request, 413, too_large_detail())
        answer = defaults.bad_request(request, exception)
        answer.status_code = 413
        return answer
    if is_api(request):
        return api_problem(request, 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_problem(request, 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_problem(request, 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    request_id = getattr(request, "request_id", None) or logs.current_request_id() or "-"
    if is_api(request):
        document = problems.body(500, API_SERVER_ERROR, request.path)
        document["request_id"] = request_id
        return problems.response(document)
    # A plain dict, not the request context: a page that failed should not depend on the
    # context processors (user, messages) that may be what failed.
    page = loader.get_template("500.html").render({"request_id": request_id})
    return HttpResponseServerError(page)
