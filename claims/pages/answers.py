"""The actor page's section on how the actor answers the allegations against it
(claims/reading/answers.py), with its own ``?as_of=`` and its keyset-paged list of the
allegations it never answered."""

from __future__ import annotations

from django.http import QueryDict

from claims.models import listed_statuses
from claims.pages.claims import User, listed_claims
from claims.pages.figures import as_of_or_none
from claims.reading.answers import WALKING_BACK_WORDS, kept_answers, unanswered_allegations
from claims.reading.paging import keyset_page
from sources.models import Actor

PREFIX = "unanswered_"


def answers_section(actor: Actor, user: User, params: QueryDict, state: str) -> dict[str, object]:
    """The section's context: the kept aggregate (``state``: the history head's hash) and a page
    of the allegations never answered. A malformed ``as_of`` is reported in the section, which
    then reads the whole record."""
    as_of, as_of_error = as_of_or_none(params)
    shown = listed_statuses(user)
    never = unanswered_allegations(listed_claims(user), actor, shown, as_of)
    return {
        "answers": kept_answers(actor, shown, as_of, state),
        "unanswered": keyset_page(never, params, prefix=PREFIX),
        "as_of": as_of,
        "as_of_error": as_of_error,
        "walking_back": WALKING_BACK_WORDS,
    }
