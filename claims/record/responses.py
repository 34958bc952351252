"""Writes of answers: one claim denies, disputes, corrects, confirms… another.

An answer is a part of the answering claim's statement: it is public when both claims are, and
an editor may link or change it only while the answering claim is a draft.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from claims.ledger.history import acting
from claims.models import Claim, Response
from claims.record import effects
from claims.record.shared import apply_values, stored_values
from claims.record.workflow import check_part_change


@transaction.atomic
def link_response(*, by: Any, claim: Claim, answers: Claim, kind: str, note: str = "") -> Response:
    """Record that ``claim`` answers ``answers`` in the way ``kind`` says."""
    return save_response(
        by=by, values={"claim": claim, "answers": answers, "kind": kind, "note": note}
    )


@transaction.atomic
def save_response(*, by: Any, values: dict[str, Any], response: Response | None = None) -> Response:
    """Create a response from ``values``, or change ``response``: the same rules either way."""
    response = Response() if response is None else response
    stored = stored_values(response)
    claim_id = values["claim"].pk if values.get("claim") is not None else response.claim_id
    # The answering claim, before and after: the answer is a part of its statement.
    for answering in {stored["claim_id"], claim_id} - {None}:
        check_part_change(by, Claim(pk=answering))
    if not apply_values(response, values) and response.pk is not None:
        return response
    with acting(by):
        response.save()
    effects.after_response_saved(response=response)
    return response


@transaction.atomic
def remove_response(*, by: Any, response: Response) -> None:
    """Unlink an answer; the history keeps the link and who removed it."""
    check_part_change(by, response.claim)
    with acting(by):
        response.delete()
    effects.after_response_removed(response=response)
