"""Limits per client address: who the client is behind our proxies, hits counted per window in
the shared cache, and the page throttle (the API's own throttles are DRF's, on the same address).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle


def client_address(request: HttpRequest) -> str:
    """The client's address: DRF's rule, with ``NUM_PROXIES`` set from ``PROXY_COUNT``.

    Behind N proxies it is the N-th address from the end of X-Forwarded-For (what our nearest
    proxy appended), so addresses a client writes into the header itself change nothing; with no
    proxy the header is ignored. The API's throttles, the token failure count, the page throttle
    and the sign-in lockout (AXES_CLIENT_IP_CALLABLE) all name the client by this one rule.
    """
    # get_ident reads only request.META, which a Django request has as much as DRF's.
    return BaseThrottle().get_ident(request) or ""  # type: ignore[arg-type]


class Window:
    """Hits per client in fixed windows of ``seconds``, counted in the cache (shared by every
    web process when CACHE_URL names one)."""

    def __init__(self, scope: str, seconds: int) -> None:
        self.scope = scope
        self.seconds = seconds

    def _key(self, ident: str) -> str:
        return f"{self.scope}:{ident}:{int(time.time() // self.seconds)}"

    def count(self, ident: str) -> int:
        return cache.get(self._key(ident), 0)

    def add(self, ident: str) -> int:
        """Count one more hit; return the window's count so far."""
        key = self._key(ident)
        # add() then incr(): atomic in Redis and in the local cache, so no hit is lost to a race.
        cache.add(key, 0, timeout=self.seconds + 1)
        try:
            return cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout=self.seconds + 1)
            return 1

    def wait(self) -> int:
        """Whole seconds until the current window ends (what Retry-After says)."""
        return max(1, math.ceil(self.seconds - time.time() % self.seconds))


# Paths with limits of their own: the API (DRF's throttles), the admin's sign-in (the lockout),
# static files, and the health probe load balancers call.
PAGE_THROTTLE_EXEMPT = ("/api/", "/admin/", "/static/", "/healthz")


class PageThrottleMiddleware:
    """At most PAGE_THROTTLE requests for pages per anonymous address: 429 with Retry-After.

    Signed-in users are not counted. Off when PAGE_THROTTLE is "off" (the proxy limits instead).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rate = settings.PAGE_THROTTLE
        if (
            rate is None
            or request.path.startswith(PAGE_THROTTLE_EXEMPT)
            or request.user.is_authenticated
        ):
            return self.get_response(request)
        limit, seconds = rate
        window = Window("page-throttle", seconds)
        if window.add(client_address(request)) > limit:
            wait = window.wait()
            answer = render(request, "429.html", {"wait": wait}, status=429)
            answer["Retry-After"] = str(wait)
            return answer
        return self.get_response(request)
