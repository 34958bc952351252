"""Proposals against the record: its actors, the claims a text repeats, the claims it answers.

- already in the record: a proposal by the same speaker as a record claim made within
  ``WINDOW`` of publication, with an overlapping figure or similar wording, is offered as one
  more attribution hop on that claim instead of a duplicate;
- an answer whose claim is not in the text ("The ministry rejected reports that its aircraft
  bombed a hospital") goes to the latest record claim, in that window, by an actor the sentence
  names, or else accusing the answering speaker;
- an incident of the record whose region the text names is proposed for the claim.
Three queries whatever the length of the text (actors and aliases, affiliations, candidate
claims with their figures and targets prefetched) and one for incidents.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from rapidfuzz import fuzz

from claims.assistant.catalogue import Catalogue
from claims.assistant.pipeline import propose
from claims.assistant.proposals import Proposals, ProposedClaim
from claims.models import Claim, Incident

WINDOW = dt.timedelta(days=21)
SIMILAR = 70


def propose_from_record(text: str, *, published_on: dt.date, publisher: str) -> Proposals:
    """Proposals for ``text`` read against the whole record."""
    proposals = propose(
        text, published_on=published_on, publisher=publisher, catalogue=Catalogue.from_record()
    )
    candidates = _candidates(proposals)
    for claim in proposals.claims:
        claim.existing = _repeated(claim, candidates)
        _answer_record(proposals, claim, candidates)
    _incidents(proposals)
    return proposals


def _candidates(proposals: Proposals) -> list[Claim]:
    slugs = {m.slug for m in proposals.actors if m.slug}
    slugs |= {c.speaker.slug for c in proposals.claims if c.speaker.slug}
    day = proposals.published_on
    return list(
        Claim.objects.filter(speaker__slug__in=slugs, made_on__range=(day - WINDOW, day))
        .exclude(status=Claim.Status.WITHDRAWN)
        .select_related("speaker")
        # Figures and targets are compared for every candidate: without these, a query each.
        .prefetch_related("figures", "claim_targets__actor")
        .order_by("-made_on", "-id")[:300]
    )


def _repeated(claim: ProposedClaim, candidates: list[Claim]) -> int | None:
    for other in candidates:
        if other.speaker.slug != claim.speaker.slug:
            continue
        if _figures_meet(claim, other) or _similar(claim, other) >= SIMILAR:
            return other.pk
    return None


def _figures_meet(claim: ProposedClaim, other: Claim) -> bool:
    for a in claim.figures:
        for b in other.figures.all():
            if a.outcome != b.outcome:
                continue
            low_a, high_a = a.low or 0, a.high if a.high is not None else 10**9
            low_b, high_b = b.low or 0, b.high if b.high is not None else 10**9
            if low_a <= high_b and low_b <= high_a:
                return True
    return False


def _similar(claim: ProposedClaim, other: Claim) -> float:
    mine = f"{claim.summary} {claim.quote}"
    return fuzz.token_set_ratio(mine, f"{other.summary} {other.quote}")


def _answer_record(proposals: Proposals, claim: ProposedClaim, candidates: list[Claim]) -> None:
    named = {
        m.slug for m in proposals.actors if m.slug and claim.span[0] <= m.span[0] < claim.span[1]
    }
    for answer in claim.answers:
        if answer.to_proposal is not None or answer.to_claim is not None:
            continue
        fitting = [
            c
            for c in candidates
            if c.speaker.slug != claim.speaker.slug
            and (
                c.speaker.slug in named
                or any(t.actor.slug == claim.speaker.slug for t in c.claim_targets.all())
            )
        ]
        answer.to_claim = fitting[0].pk if fitting else None
    claim.answers = [a for a in claim.answers if a.to_proposal is not None or a.to_claim]


def _incidents(proposals: Proposals) -> None:
    words = {w.strip(".,;:") for w in proposals.text.split() if w[:1].isupper()}
    if not words:
        return
    incidents = list(Incident.objects.filter(Q(region__in=words) | Q(place__in=words)))
    for claim in proposals.claims:
        sentence = proposals.text[claim.span[0] : claim.span[1]]
        found = [i for i in incidents if i.region in sentence or i.place in sentence]
        claim.incident = found[0].slug if found else ""
