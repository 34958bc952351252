"""What publishing drafts would make public, worked out by publishing them and rolling back.

The preview runs the real write (``publish_claim``, with its workflow checks) inside a
transaction that is always undone, and reads the record as the public would see it then: so
the standing each draft takes, the answers that go public with it and the actors, incidents
and documents the public sees for the first time come from the same rules as the pages, not
from a second copy of them. Nothing it does is kept: the rows, their history records and the
work the write would queue (on-commit callbacks of an undone transaction never run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import Q

from claims.models import Attribution, CasualtyFigure, Claim, ClaimTarget, Response
from claims.reading.visibility import actors_visible_to, documents_visible_to, incidents_visible_to
from claims.record.claims import publish_claim
from claims.record.errors import RecordInvalid, Refused, StaleVersion


@dataclass
class DraftPreview:
    claim: Claim
    standing: str = ""  # the standing's label once published; empty when refused
    answers: list[Response] = field(default_factory=list)  # going public with it
    refused: str = ""  # why the write path would refuse to publish it


@dataclass
class PublicationPreview:
    drafts: list[DraftPreview]
    # Rows the public sees for the first time, by what they are ("actors", "incidents", ...).
    first_public: dict[str, list[models.Model]]

    @property
    def publishable(self) -> list[Claim]:
        return [draft.claim for draft in self.drafts if not draft.refused]


class _Undo(Exception):
    """Raised to undo the preview's transaction once it has been read."""


def preview_publication(*, by: Any, claims: list[Claim]) -> PublicationPreview:
    """What publishing ``claims`` (drafts) as ``by`` would do, with nothing written."""
    ids = [claim.pk for claim in claims]
    used = _shared_rows_used_by(ids)
    before = _public_among(used)
    drafts = [DraftPreview(claim=claim) for claim in claims]
    try:
        with transaction.atomic():
            for draft in drafts:
                try:
                    publish_claim(by=by, claim=Claim.objects.get(pk=draft.claim.pk))
                except (RecordInvalid, Refused, StaleVersion) as error:
                    draft.refused = _reason(error)
            _read_after(drafts, ids)
            first_public = {
                name: [row for row in rows if row.pk not in {r.pk for r in before[name]}]
                for name, rows in _public_among(used).items()
            }
            raise _Undo
    except _Undo:
        pass
    return PublicationPreview(drafts=drafts, first_public=first_public)


def _read_after(drafts: list[DraftPreview], ids: list[int]) -> None:
    standings = {
        claim.pk: claim.standing_label for claim in Claim.objects.filter(pk__in=ids).with_standing()
    }
    answers = (
        Response.objects.filter(Q(claim_id__in=ids) | Q(answers_id__in=ids))
        .filter(claim__status=Claim.Status.PUBLISHED, answers__status=Claim.Status.PUBLISHED)
        .select_related("claim__speaker", "answers__speaker")
        .order_by("id")
    )
    by_claim: dict[int, list[Response]] = {}
    for response in answers:
        for end in {response.claim_id, response.answers_id} & set(ids):
            by_claim.setdefault(end, []).append(response)
    for draft in drafts:
        if not draft.refused:
            draft.standing = standings.get(draft.claim.pk, "")
            draft.answers = by_claim.get(draft.claim.pk, [])


def _shared_rows_used_by(ids: list[int]) -> dict[str, set[int]]:
    """The actors, incidents and documents the claims ``ids`` name, by their ids."""
    claims = Claim.objects.filter(pk__in=ids)
    actors = set(claims.values_list("speaker_id", flat=True))
    actors |= set(claims.exclude(spokesperson=None).values_list("spokesperson_id", flat=True))
    actors |= set(ClaimTarget.objects.filter(claim_id__in=ids).values_list("actor_id", flat=True))
    hops = Attribution.objects.filter(claim_id__in=ids)
    actors |= set(hops.values_list("actor_id", flat=True))
    figures = CasualtyFigure.objects.filter(claim_id__in=ids).exclude(reported_by=None)
    actors |= set(figures.values_list("reported_by_id", flat=True))
    return {
        "actors": actors,
        "incidents": set(claims.exclude(incident=None).values_list("incident_id", flat=True)),
        "documents": set(hops.exclude(document=None).values_list("document_id", flat=True)),
    }


def _public_among(used: dict[str, set[int]]) -> dict[str, list[models.Model]]:
    visible: dict[str, Any] = {
        "actors": actors_visible_to(None),
        "incidents": incidents_visible_to(None),
        "documents": documents_visible_to(None).select_related("publisher"),
    }
    return {name: list(visible[name].filter(pk__in=used[name])) for name in visible}


def _reason(error: RecordInvalid | Refused | StaleVersion) -> str:
    return " ".join(error.messages) if isinstance(error, RecordInvalid) else error.message
