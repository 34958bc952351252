"""Query parameters an endpoint accepts, and the 400 that names any other (issue 16's rule).

An endpoint that ignored a misspelt or unsupported parameter would answer as if unfiltered, and
a tool would never know; instead the answer names the parameter and lists the accepted ones.
"""

from __future__ import annotations

from collections.abc import Collection

from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

# Accepted everywhere: DRF's choice of renderer.
ALWAYS = frozenset({"format"})


def refuse_unknown(request: Request, accepted: Collection[str]) -> None:
    """Raise a 400 naming every query parameter outside ``accepted``, with the accepted list."""
    unknown = sorted(set(request.query_params) - set(accepted) - ALWAYS)
    if unknown:
        listed = ", ".join(sorted(accepted)) or "none"
        message = f"Unknown parameter. This endpoint accepts: {listed}."
        raise ValidationError({name: [message] for name in unknown})
