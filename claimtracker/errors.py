"""The answer to a request that failed on our side: a 500 naming its request id.

The id is what an editor or a tool quotes when reporting the failure; the log line and the
traceback of the same request carry it too. API paths get JSON like the API's other errors.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader

from claimtracker import logs

SERVER_ERROR = "The server could not answer this request. The failure has been logged."
# The API's words: a tool may retry a write safely when it sent an Idempotency-Key.
API_SERVER_ERROR = (
    "The server could not complete this request; the error has been logged. A write sent with "
    "an Idempotency-Key may be sent again with the same key: it is not applied twice."
)


def api_error_body(status: int, request_id: str | None = None) -> dict[str, object]:
    """The API's body for a server error: the same keys whoever made the answer."""
    return {
        "detail": API_SERVER_ERROR,
        "status": status,
        "request_id": request_id or logs.current_request_id() or "-",
    }


def server_error(request: HttpRequest) -> HttpResponse:
    request_id = getattr(request, "request_id", None) or logs.current_request_id() or "-"
    if request.path.startswith("/api/"):
        return JsonResponse(api_error_body(500, request_id), status=500)
    # A plain dict, not the request context: a page that failed should not depend on the
    # context processors (user, messages) that may be what failed.
    page = loader.get_template("500.html").render({"request_id": request_id})
    return HttpResponseServerError(page)
