"""Whole-statement writes for the API: a claim with its targets, figures and chain, all or nothing.

Every rule is the model's own (``full_clean()``: field validators, ``clean()``, named constraints);
this module only runs them on every row before writing any, and reports each message at the path
of the field it concerns (``{"figures": {"1": {"low": [...]}}}``, as DRF reports list items).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from claims.jobs import webhooks
from claims.jobs.quotes import request_quote_check
from claims.models import Attribution, CasualtyFigure, Claim, ClaimTarget
from sources.models import Actor


class RecordInvalid(Exception):
    """The statement breaks model rules; ``errors`` maps each field path to its messages."""

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__(errors)
        self.errors = errors


def _errors_of(row: models.Model, exclude: Sequence[str] = ()) -> dict[str, list[str]]:
    try:
        row.full_clean(exclude=list(exclude))
    except ValidationError as error:
        return {
            ("non_field_errors" if key == "__all__" else key): messages
            for key, messages in error.message_dict.items()
        }
    return {}


@transaction.atomic
def create_claim(
    *,
    created_by: models.Model | None,
    fields: dict[str, Any],
    accused: Sequence[Actor] = (),
    subjects: Sequence[Actor] = (),
    figures: Sequence[dict[str, Any]] = (),
    chain: Sequence[dict[str, Any]] = (),
) -> Claim:
    """Create a claim with its accused and subject actors, figures and attribution chain.

    ``chain`` lists the hops in order from the speaker outwards; positions are given from 1.
    Validates every row before writing any; raises ``RecordInvalid`` with all messages at once.
    Records the webhook events and queues the quote check the new claim calls for.
    """
    claim = Claim(created_by=created_by, **fields)
    errors: dict[str, Any] = _errors_of(claim)
    figure_rows = [CasualtyFigure(**figure) for figure in figures]
    hop_rows = [Attribution(position=n, **hop) for n, hop in enumerate(chain, start=1)]
    for name, rows in (("figures", figure_rows), ("attribution_chain", hop_rows)):
        # Keyed by the item's index, as DRF reports errors of items in a list.
        row_errors = {str(n): _errors_of(row, exclude=["claim"]) for n, row in enumerate(rows)}
        if any(row_errors.values()):
            errors[name] = {n: found for n, found in row_errors.items() if found}
    if errors:
        raise RecordInvalid(errors)
    claim.save()
    targets = [
        ClaimTarget(claim=claim, actor=actor, role=role)
        for role, actors in (
            (ClaimTarget.Role.ACCUSED, accused),
            (ClaimTarget.Role.SUBJECT, subjects),
        )
        for actor in dict.fromkeys(actors)  # one row per actor and role
    ]
    ClaimTarget.objects.bulk_create(targets)
    for row in [*figure_rows, *hop_rows]:
        row.claim = claim
    CasualtyFigure.objects.bulk_create(figure_rows)
    Attribution.objects.bulk_create(hop_rows)
    # What a new claim calls for, as in the admin and the importer: "claim published" for tools
    # when it is created published (written to the outbox in this transaction), and a check of
    # its quote against the chain's document once this commits.
    webhooks.record_claim_changes(claim=claim, previous_status=None)
    if claim.quote.strip():
        request_quote_check(claim=claim)
    return claim
