"""Lost updates, as the API guards against them: a claim's ETag names its version, and a write
sent with ``If-Match`` answers 412 when the claim has changed since, listing what changed.

Who may change what is the write path's (claims.record.workflow); this only reads the header.
"""

from __future__ import annotations

import re
from typing import Any

from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request

from claims.models import Claim
from claims.record.errors import StaleVersion

# "claim-<id>-v<version>", optionally followed by the record state the copy was read at.
ETAG = re.compile(r'^(?:W/)?"claim-(\d+)-v(\d+)(?:-[-\w]+)?"$')


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The claim has changed since the version you sent in If-Match."
    default_code = "precondition_failed"


def etag_of(claim: Claim) -> str:
    return etag_for(claim.pk, claim.version)


def etag_for(pk: int, version: int, state: str = "") -> str:
    return f'"claim-{pk}-v{version}{"-" + state if state else ""}"'


def stale(error: StaleVersion) -> PreconditionFailed:
    detail: dict[str, Any] = {
        "detail": error.message,
        "current_version": error.current_version,
        "changes": [{"field": f, "yours": old, "now": new} for f, old, new in error.changes],
    }
    return PreconditionFailed(detail)


def read_version(request: Request, claim: Claim) -> int | None:
    """The version the client based its write on, from If-Match; None when it sent none (the
    write then applies over whatever is stored, as a client without a precondition asks)."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    match = ETAG.match(header)
    if match is None or int(match.group(1)) != claim.pk:
        raise PreconditionFailed(f"If-Match must be this claim's ETag, such as {etag_of(claim)}.")
    return int(match.group(2))
