"""Who may move what where: the editorial workflow of the record, in one table.

A statement (a claim with its figures, targets, attribution chain, the evidence on it and the
answers it makes) moves draft -> published -> withdrawn. Creating one is a move from nothing;
changing it or any of its parts is a move from its status to the same status. Each move needs
one permission:

| move                     | needs                  | held by                          |
|--------------------------|------------------------|----------------------------------|
| new -> draft             | claims.add_claim       | editors, reviewers, admins       |
| draft -> draft           | claims.change_claim    | editors, reviewers, admins       |
| new -> published/withdrawn, draft -> published                              |
|                          | claims.publish_claim   | reviewers, admins                |
| published -> published, published -> withdrawn, withdrawn -> withdrawn      |
|                          | claims.publish_claim   | reviewers, admins                |

Any other move (published -> draft, withdrawn -> published …) is invalid for everyone. Rows that
statements share — actors, incidents, documents — need their own add/change permission, and once
a public claim uses one (it is shown to everyone), changing it needs ``claims.publish_claim`` too.
A person at the server's command line (``OPERATOR``: the demo loader, ``import_dataset``) holds
every permission. The doors check nothing of this themselves; they show the refusal.
"""

from __future__ import annotations

from typing import Any

from claims.models import Claim
from claims.record.errors import RecordInvalid, Refused

Status = Claim.Status
PUBLISH = "claims.publish_claim"

MOVES: dict[tuple[str | None, str], str] = {
    (None, Status.DRAFT): "claims.add_claim",
    (None, Status.PUBLISHED): PUBLISH,
    # A dataset may carry withdrawn claims, with their reasons, from another database.
    (None, Status.WITHDRAWN): PUBLISH,
    (Status.DRAFT, Status.DRAFT): "claims.change_claim",
    (Status.DRAFT, Status.PUBLISHED): PUBLISH,
    (Status.PUBLISHED, Status.PUBLISHED): PUBLISH,
    (Status.PUBLISHED, Status.WITHDRAWN): PUBLISH,
    (Status.WITHDRAWN, Status.WITHDRAWN): PUBLISH,
}

# The words every door shows for a refusal.
ONLY_REVIEWERS_PUBLISH = "Only reviewers publish or withdraw claims."
ONLY_REVIEWERS_CHANGE = "Only reviewers change a claim once it is published or withdrawn."
ONLY_REVIEWERS_CHANGE_PUBLIC = (
    "Only reviewers change {what} once a published claim uses it: the public sees it."
)


class Operator:
    """A person at the server's command line: holds every permission, acts as no user."""

    pk = None
    is_authenticated = False

    def __repr__(self) -> str:
        return "OPERATOR"


OPERATOR = Operator()


def may(by: Any, permission: str) -> bool:
    """Whether ``by`` (a user, ``OPERATOR``, or None for nobody) holds ``permission``."""
    if by is OPERATOR:
        return True
    return bool(by is not None and by.is_authenticated and by.has_perm(permission))


def may_move(by: Any, current: str | None, wanted: str) -> bool:
    """Whether ``by`` may take a statement from ``current`` to ``wanted`` (doors ask it to show
    or hide what their user may not do; the services refuse it whatever the door shows)."""
    needed = MOVES.get((current, wanted))
    return needed is not None and may(by, needed)


def check_move(by: Any, current: str | None, wanted: str) -> None:
    """Refuse a move of a statement from ``current`` (None: it is new) to ``wanted``."""
    needed = MOVES.get((current, wanted))
    if needed is None:  # a rule of the record for everyone, not a question of role
        raise RecordInvalid({"status": [f"A {current} claim cannot become {wanted}."]})
    if may(by, needed):
        return
    if needed != PUBLISH:
        verb = "add" if current is None else "change"
        raise Refused(f"Your role may not {verb} claims.")
    if current in (Status.PUBLISHED, Status.WITHDRAWN) and current == wanted:
        raise Refused(ONLY_REVIEWERS_CHANGE)
    raise Refused(ONLY_REVIEWERS_PUBLISH, field="status")


def check_part_change(by: Any, claim: Claim) -> None:
    """Refuse a change to a part of ``claim`` (evidence, an answer it makes) by ``by``."""
    # The stored status, not the instance's: a door may hold a copy changed in memory.
    stored = Claim.objects.filter(pk=claim.pk).values_list("status", flat=True).first()
    status = stored or claim.status or Status.DRAFT
    check_move(by, status, status)


def check_permission(by: Any, permission: str, message: str) -> None:
    if not may(by, permission):
        raise Refused(message)


def may_change_shared(by: Any, *, is_public: bool) -> bool:
    """Whether ``by`` may change a row statements share (an actor, incident, document)."""
    return not is_public or may(by, PUBLISH)


def check_shared_change(by: Any, *, is_public: bool, what: str) -> None:
    """Refuse a change to a row statements share once the public sees it, unless a reviewer's."""
    if not may_change_shared(by, is_public=is_public):
        raise Refused(ONLY_REVIEWERS_CHANGE_PUBLIC.format(what=what))
