"""Proposals that are one statement told twice, joined into one.

- a lede's paraphrase and the detailed statement of the same count: "The White Helmets say over
  150 civilians were killed … Reuters cited a spokesman … 152 bodies" → one claim with both
  figures, the paraphrase's as the publisher's wording;
- a bare answer and the statement that carries it: "The Russian Defence Ministry denied the
  claim. Its spokesman said Russian planes do not strike villages" → one claim that denies.
Answers to a claim merged away then answer the claim it joined.
"""

from __future__ import annotations

from dataclasses import dataclass

from claims.assistant.proposals import ActorRef, Figure, ProposedClaim


@dataclass
class _Claims:
    claims: list[ProposedClaim]
    bare: set[int]  # claims that only answer ("X denied it.")


def merged(
    claims: list[ProposedClaim], bare: set[int], publisher: ActorRef
) -> tuple[list[ProposedClaim], set[int]]:
    state = _Claims(claims, bare)
    _repeated_figures(state, publisher)
    _bare_answers(state)
    return state.claims, state.bare


def _repeated_figures(state: _Claims, publisher: ActorRef) -> None:
    joined: dict[int, int] = {}
    for n, claim in enumerate(state.claims):
        for m, other in enumerate(state.claims):
            if m == n or m in joined or n in joined or other.speaker.key != claim.speaker.key:
                continue
            if not (claim.figures and other.figures) or not _overlap(claim, other):
                continue
            if _weight(claim) > _weight(other):
                for figure in other.figures:
                    figure.reported_by = publisher.slug or publisher.name
                claim.figures += other.figures
                joined[m] = n
    _drop(state, joined)


def _weight(claim: ProposedClaim) -> int:
    """How much a claim says of its source: its quotes and a named spokesperson."""
    return len(claim.quotes) + bool(claim.spokesperson)


def _bare_answers(state: _Claims) -> None:
    joined: dict[int, int] = {}
    for n in sorted(state.bare):
        if n + 1 < len(state.claims) and n + 1 not in state.bare:
            bare, full = state.claims[n], state.claims[n + 1]
            if bare.speaker.key == full.speaker.key:
                kinds = {a.kind for a in bare.answers}
                full.answers = [*bare.answers, *(a for a in full.answers if a.kind not in kinds)]
                full.span = (bare.span[0], full.span[1])
                joined[n] = n + 1
    _drop(state, joined)


def _drop(state: _Claims, joined: dict[int, int]) -> None:
    """Remove the claims joined to others; answers to them now answer the one they joined."""
    if not joined:
        return
    kept = [n for n in range(len(state.claims)) if n not in joined]
    moved = {old: new for new, old in enumerate(kept)}
    for claim in state.claims:
        for answer in claim.answers:
            if answer.to_proposal is not None:
                target = joined.get(answer.to_proposal, answer.to_proposal)
                answer.to_proposal = moved.get(target)
    state.claims = [state.claims[n] for n in kept]
    for n, claim in enumerate(state.claims):
        claim.answers = [a for a in claim.answers if a.to_proposal != n]
    state.bare = {moved[n] for n in state.bare if n in moved}


def _band(figure: Figure) -> tuple[float, float]:
    low = figure.low if figure.low is not None else 0
    high = figure.high if figure.high is not None else (figure.low or 0) * 1.5 + 10
    return low, high


def _overlap(one: ProposedClaim, other: ProposedClaim) -> bool:
    return any(
        _band(a)[0] <= _band(b)[1] and _band(b)[0] <= _band(a)[1] and a.outcome == b.outcome
        for a in one.figures
        for b in other.figures
    )
