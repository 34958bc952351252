"""The editorial workflow and lost-update rules as the API applies them.

Editors write drafts; a published or withdrawn claim, and any change of status, needs the
reviewer's ``claims.publish_claim``. A claim's ETag names its version: a write sent with
``If-Match`` answers 412 when the claim has changed since, listing what changed.
"""

from __future__ import annotations

import re
from typing import Any

from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.request import Request

from claims.models import Claim
from claims.record.claims import ALLOWED_STATUS_MOVES, StaleVersion, changes_since

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


def read_version(request: Request, claim: Claim) -> int:
    """The version the client based its write on: from If-Match, else the one stored now."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return claim.version
    match = ETAG.match(header)
    if match is None or int(match.group(1)) != claim.pk:
        raise PreconditionFailed(f"If-Match must be this claim's ETag, such as {etag_of(claim)}.")
    version = int(match.group(2))
    if version != claim.version:
        raise stale(StaleVersion(claim, version, changes_since(claim, version)))
    return version


def check_claim_write(request: Request, claim: Claim | None, data: dict[str, Any]) -> None:
    """Refuse what the user's role does not allow, before anything is validated or written."""
    wanted = data.get("status")
    current = claim.status if claim is not None else Claim.Status.DRAFT
    if claim is not None and wanted is not None and (current, wanted) not in ALLOWED_STATUS_MOVES:
        raise ValidationError({"status": [f"A {current} claim cannot become {wanted}."]})
    if request.user.has_perm("claims.publish_claim"):
        return
    if claim is not None and claim.status != Claim.Status.DRAFT:
        raise PermissionDenied("Only reviewers change a claim once it is published or withdrawn.")
    if wanted is not None and wanted != current:
        raise PermissionDenied("Only reviewers publish or withdraw claims.")
