"""Token authentication for tools: ``Authorization: Token ct_…`` (or ``Bearer``), hashed at rest.

Failed attempts are counted per client address, like failed sign-ins: beyond
API_TOKEN_FAILURE_LIMIT in API_TOKEN_FAILURE_WINDOW seconds that address answers 429 to any
token until the window ends, so secrets cannot be guessed at the speed of the API.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from claimtracker.throttling import Window, client_address
from sources.models import ApiToken

# Recording every use would write on every request; once a minute tells an admin enough.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    keywords = (b"token", b"bearer")

    def authenticate(self, request: Request) -> tuple | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        failures = Window("api-token-failures", settings.API_TOKEN_FAILURE_WINDOW)
        address = client_address(request)
        # Asked before the token is looked at: a right guess beyond the limit is not told so.
        if failures.count(address) >= settings.API_TOKEN_FAILURE_LIMIT:
            raise exceptions.Throttled(
                wait=failures.wait(),
                detail=str(_("Too many failed token authentications from this address.")),
            )
        try:
            return self.check_token(parts)
        except exceptions.AuthenticationFailed:
            failures.add(address)
            raise

    def check_token(self, parts: list[bytes]) -> tuple:
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after the word Token."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(digest=ApiToken.digest_of(secret))
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return "Token"
