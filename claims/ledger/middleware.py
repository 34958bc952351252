"""Middleware of the project: who is behind the changes a request makes."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from claims.ledger.history import acting_as

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class HistoryUserMiddleware:
    """Attribute changes made by a writing request to the signed-in user.

    Reads set nothing, so they cost no extra query. API requests authenticated by token are
    attributed inside the API views, where DRF has authenticated them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        user = request.user if request.user.is_authenticated else None
        context = "admin" if request.path.startswith("/admin/") else "web"
        with acting_as(user, context):
            return self.get_response(request)
