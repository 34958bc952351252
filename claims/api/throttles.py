"""The API's throttles (REST_FRAMEWORK's defaults): anonymous clients by address, signed-in ones
by user, each client counted by one throttle only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.throttling import UserRateThrottle

# Under TYPE_CHECKING: DRF imports this module (a default class) while rest_framework.views
# is still loading.
if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class SignedInRateThrottle(UserRateThrottle):
    """The ``user`` rate, for signed-in users only.

    DRF's UserRateThrottle counts anonymous clients as well, by address, beside AnonRateThrottle:
    two more cache round trips on every anonymous answer (a third of a kept claim list's time)
    for a second limit on the same address. Anonymous clients keep the ``anon`` rate, as the
    README says (Security, "API limits"); signed-in users are counted as before.
    """

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None  # AnonRateThrottle counts this client
        return super().get_cache_key(request, view)
