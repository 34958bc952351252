"""Who stands behind a claim: the actors its report originates with, relays counted once."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from claims.models import Attribution, Claim, Response, made_by


def origin(claim: str = "pk", speaker: str = "speaker_id") -> Coalesce:
    """The actor a claim's report originates with, as an expression over rows that reach the
    claim by ``claim`` (its id) and ``speaker`` (its speaker's id).

    The origin is the actor of the first hop of the attribution chain, or the speaker when the
    chain is empty: an outlet's claim whose chain starts at a ministry originates with the ministry.
    A sub-query per row, which the index on (claim, position) answers with one probe: the figures
    read it as one of their columns instead of sending every claim id back in an IN list.
    """
    first_hop = (
        Attribution.objects.filter(claim=OuterRef(claim)).order_by("position").values("actor")[:1]
    )
    return Coalesce(Subquery(first_hop), F(speaker), output_field=models.BigIntegerField())


def _origin_ids(claim_ids: Iterable[int]) -> dict[int, int]:
    """Map each claim to the actor its report originates with (``origin``)."""
    rows = Claim.objects.filter(pk__in=list(claim_ids)).annotate(origin=origin())
    return dict(rows.values_list("pk", "origin"))


def independent_originators(
    claim_ids: Iterable[int], as_of: dt.date | None = None
) -> dict[int, set[int]]:
    """For each claim, the distinct actors its assertion and its published corroborations come from
    (with ``as_of``, only corroborations made by that day).

    Five outlets each corroborating a claim by relaying one ministry bring one originator, not
    five. Two queries whatever the number of claims.
    """
    claim_ids = list(claim_ids)
    supporters: dict[int, list[int]] = defaultdict(list)
    supporting = Response.objects.filter(
        answers_id__in=claim_ids,
        kind__in=Response.SUPPORTING,
        claim__status=Claim.Status.PUBLISHED,
    )
    if as_of is not None:
        supporting = supporting.filter(made_by(as_of, prefix="claim__"))
    for answered, supporter in supporting.values_list("answers_id", "claim_id"):
        supporters[answered].append(supporter)
    every_id = set(claim_ids).union(*supporters.values())
    origins = _origin_ids(every_id)
    return {
        claim_id: {origins[claim_id]} | {origins[s] for s in supporters[claim_id]}
        for claim_id in claim_ids
        if claim_id in origins
    }


def independent_originator_count(claim: Claim) -> int:
    return len(independent_originators([claim.pk]).get(claim.pk, set()))
