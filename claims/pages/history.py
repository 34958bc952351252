"""The claim history page: the claim's record and its parts' as the hash-chained history keeps
them, in words (claims/reading/changes.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from claims.models import Claim, listed_statuses, reads_drafts
from claims.pages.claims import User
from claims.reading.changes import Entry, changes_of


def _name_writers(entries: list[Entry]) -> None:
    """Who made each write, for editors: one query for every user named, not one per entry."""
    ids = {entry.record.user_id for entry in entries if entry.record.user_id}
    users = {str(u.pk): u.get_username() for u in get_user_model().objects.filter(pk__in=ids)}
    for entry in entries:
        user_id = entry.record.user_id
        entry.who = users.get(user_id, "a former user") if user_id else "no signed-in user"
        if claimed := entry.record.claimed_user_id:
            entry.who += f" (claimed for user {claimed} by SQL, not proven)"


def get_claim_history_for_user(user: User, pk: int) -> dict[str, Any]:
    """The public sees the history from publication on, without the draft values before it;
    editors see every change and who made it."""
    claim = get_object_or_404(Claim.objects.visible_to(user).select_related("speaker"), pk=pk)
    editors_view = reads_drafts(user)
    entries = changes_of(claim, editors_view=editors_view, shown=listed_statuses(user))
    if editors_view:
        _name_writers(entries)
    return {"claim": claim, "changes": entries, "editors_view": editors_view}


def claim_history(request: HttpRequest, pk: int) -> HttpResponse:
    context = get_claim_history_for_user(request.user, pk)
    return render(request, "claims/claim_history.html", context)
