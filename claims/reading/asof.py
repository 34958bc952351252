"""World time: the record as it was *in the world* on a date, "as of" ``?as_of=YYYY-MM-DD``.

Only claims made by that date count, and only responses whose answering claim was made by
then; a loose date counts by the end of its period (``claims.models.made_by``). Every view
that takes ``as_of`` reads it through ``as_of_from`` so the parameter means one thing and is
refused one way everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError

from claims.models import Claim
from claimtracker.dates import known_by

PARAMETER = "as_of"


def as_of_from(query: Mapping[str, str]) -> dt.date | None:
    """The ``as_of`` date of a query string, or None when it is absent or empty.

    Raises ``ValidationError({"as_of": ...})`` for anything but an ISO date, so a page shows
    the message by the date field and the API answers 400 naming the parameter.
    """
    value = (query.get(PARAMETER) or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            {PARAMETER: f"“{value}” is not a date: give it as YYYY-MM-DD, for example 2015-10-10."}
        ) from None


def was_made_by(claim: Claim, day: dt.date | None) -> bool:
    """Whether ``claim`` (loaded) counts as made by ``day`` (always, when there is no day): the
    rule of ``claims.models.made_by``, for rows already in memory, through the same bounds."""
    return day is None or claim.made_on < known_by(day)[claim.made_precision]
