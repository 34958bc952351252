"""One log line per request, under a request id that every response carries in X-Request-ID."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import sentry_sdk
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from claimtracker import logs

logger = logging.getLogger("claimtracker.request")


class RequestLogMiddleware:
    """First in MIDDLEWARE, so its line and header cover every answer, 500s included.

    The id is the proxy's X-Request-ID when it sent a usable one, so one id follows a request
    through the load balancer, this process, the tasks it queues and the error page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = logs.usable_request_id(request.headers.get("X-Request-ID"))
        # An attribute of our own on Django's request, which the stubs do not know of.
        request.request_id = request_id  # type: ignore[attr-defined]
        token = logs.bind_request_id(request_id)
        sentry_sdk.set_tag("request_id", request_id)  # a no-op unless SENTRY_DSN is set
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            self._log(request, response, started)
            return response
        finally:
            logs.unbind_request_id(token)

    @staticmethod
    def _log(request: HttpRequest, response: HttpResponse, started: float) -> None:
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        user_id = _known_user_id(request)
        # The query string is kept for operators; redaction removes any secret in it.
        path = request.get_full_path()
        logger.info(
            "%s %s %s %sms user=%s",
            request.method,
            path,
            response.status_code,
            duration_ms,
            user_id if user_id is not None else "-",
            extra={
                "method": request.method,
                "path": logs.redact(path),
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user_id,
            },
        )


def _known_user_id(request: HttpRequest) -> int | None:
    """The user the request was answered for, if the view asked who it was: a user nobody
    looked up stays unevaluated, so the log line never costs a session or user query."""
    user = request.__dict__.get("user")
    user = getattr(user, "_wrapped", user)
    if user is None or user is empty or not getattr(user, "is_authenticated", False):
        return None
    return user.pk
