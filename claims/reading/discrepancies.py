"""Discrepancy flags on casualty figures: each rule written once, its threshold in settings.

Every rule compares figures of one group only (one incident, outcome and category) and reads a
figure as the range it states: "up to 40" runs from 0, "more than 150" has no top. A claim that
gives several figures for one group (152, and its relay's "over 150") counts as the range that
covers them all. Flags say who claims what; they judge no one right.

- ``lowered``: a speaker's figure lies wholly below its own previous one, by at least
  ``FIGURE_FLAG_LOWERED_BY`` of it, and the record holds no correction, update or retraction of
  the earlier claim by that speaker. Relayed claims are left to the relay rules.
- ``apart``: two originators' latest ranges (their own claims first, else a relay's) do not
  overlap, the higher one's bottom being at least ``FIGURE_FLAG_APART_RATIO`` times the lower
  one's top (the ratio goes with the flag).
- ``relay_superseded``: a relay carries a figure of its originator, and the originator gave a
  different figure for the group at least ``FIGURE_FLAG_SUPERSEDED_DAYS`` days after the
  statement relayed (the originator's own claim with that figure, else the relay's date), or
  corrected that statement or the relay.
- ``counted_twice``: at least ``FIGURE_FLAG_COUNTED_TWICE_RELAYS`` relays by different speakers
  carry the same figure from one originator (the independent-originator logic: one origin).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations, pairwise

from django.conf import settings
from django.db import models

from claims.models import CasualtyFigure
from claims.reading.figures import FigureRecord, group_label, order_key
from claimtracker.dates import describe


class Rule(models.TextChoices):
    LOWERED = "lowered", "lowered by its own speaker, no correction recorded"
    APART = "apart", "parties' ranges do not overlap"
    RELAY_SUPERSEDED = "relay_superseded", "relays a figure its originator has since superseded"
    COUNTED_TWICE = "counted_twice", "one originator's figure carried by several relays"


@dataclass(frozen=True)
class Flag:
    rule: Rule
    figures: tuple[CasualtyFigure, ...]  # the figure flagged first, then those it is set against
    text: str
    ratio: float | None = None

    @property
    def figure(self) -> CasualtyFigure:
        return self.figures[0]

    @property
    def figure_ids(self) -> list[int]:
        return [f.pk for f in self.figures]


@dataclass(frozen=True)
class Range:
    """A claim's figures for one group as one range: bottom, and top (None: open-ended)."""

    bottom: int
    top: int | None
    figure: CasualtyFigure  # the claim's first figure in the group: where a flag attaches

    @classmethod
    def of(cls, figures: list[CasualtyFigure]) -> Range:
        bottoms = [f.low if f.low is not None else 0 for f in figures]
        tops = [f.high for f in figures]
        top = None if None in tops else max(t for t in tops if t is not None)
        return cls(min(bottoms), top, figures[0])

    def below(self, other: Range) -> bool:
        """Wholly below ``other``: the ranges do not overlap and this one is the lower."""
        return self.top is not None and self.top < other.bottom


def _said(figure: CasualtyFigure, *, naming_group: bool = False) -> str:
    """ "30 (5 Oct 2015)"; with ``naming_group``, "30 civilians killed (5 Oct 2015)"."""
    claim = figure.claim
    group = f" {group_label(figure.outcome, figure.category)}" if naming_group else ""
    return f"{figure.range_display}{group} ({describe(claim.made_on, claim.made_precision)})"


def _by_claim(figures: list[CasualtyFigure]) -> list[list[CasualtyFigure]]:
    """A group's figures bunched per claim, claims in date order."""
    claims: dict[int, list[CasualtyFigure]] = {}
    for figure in sorted(figures, key=order_key):
        claims.setdefault(figure.claim_id, []).append(figure)
    return list(claims.values())


def lowered(record: FigureRecord, group: list[CasualtyFigure]) -> list[Flag]:
    drop = settings.FIGURE_FLAG_LOWERED_BY
    own: dict[int, list[list[CasualtyFigure]]] = defaultdict(list)
    for claim_figures in _by_claim(group):
        if not record.is_relay(claim_figures[0]):
            own[claim_figures[0].claim.speaker_id].append(claim_figures)
    flags = []
    for speaker_id, claims in own.items():
        for before, after in pairwise(claims):
            old, new = Range.of(before), Range.of(after)
            if new.top is None or not new.below(old) or (old.bottom - new.top) / old.bottom < drop:
                continue
            if (before[0].claim_id, speaker_id) in record.corrected:
                continue
            name = record.actors[speaker_id].name
            flags.append(
                Flag(
                    Rule.LOWERED,
                    (new.figure, old.figure),
                    f"{name} gives {_said(new.figure, naming_group=True)}, below its own earlier "
                    f"{_said(old.figure)}; the record holds no correction by {name} of the "
                    "earlier claim.",
                )
            )
    return flags


def apart(record: FigureRecord, group: list[CasualtyFigure]) -> list[Flag]:
    least = settings.FIGURE_FLAG_APART_RATIO
    latest: dict[int, Range] = {}
    # A party's latest word is its own latest claim; a relay stands in only for a party that
    # has none here (a relay dated later may carry an older figure).
    claims = _by_claim(group)
    for claim_figures in [c for c in claims if record.is_relay(c[0])] + [
        c for c in claims if not record.is_relay(c[0])
    ]:
        latest[record.origin(claim_figures[0])] = Range.of(claim_figures)
    # Each party's words, written once: a busy incident has thousands of pairs of parties, and
    # a party's figure is in one pair with every other.
    named = {party: _said(r.figure, naming_group=True) for party, r in latest.items()}
    plain = {party: _said(r.figure) for party, r in latest.items()}
    flags = []
    for first, second in combinations(sorted(latest.items()), 2):
        # The lower-starting range first (the earlier party on a tie), without a sort per pair:
        # a busy incident has over a million pairs.
        (low_party, low), (high_party, high) = (
            (second, first) if second[1].bottom < first[1].bottom else (first, second)
        )
        if not low.below(high):
            continue
        ratio = round(high.bottom / low.top, 2) if low.top else None
        if ratio is not None and ratio < least:
            continue
        times = f"{ratio:g} times" if ratio is not None else "above"
        flags.append(
            Flag(
                Rule.APART,
                (high.figure, low.figure),
                f"{record.actors[high_party].name}'s latest figure, {named[high_party]}, "
                f"and {record.actors[low_party].name}'s, {plain[low_party]}, do not "
                f"overlap: the lowest of the first is {times} the highest of the second.",
                ratio,
            )
        )
    return flags


def relay_superseded(record: FigureRecord, group: list[CasualtyFigure]) -> list[Flag]:
    days = dt.timedelta(days=settings.FIGURE_FLAG_SUPERSEDED_DAYS)
    # Each party's own figures, gathered once: read from the whole group for every relay,
    # they made the rule grow with the square of the group's size.
    own_figures: dict[int, list[CasualtyFigure]] = defaultdict(list)
    for f in group:
        if not record.is_relay(f):
            own_figures[f.claim.speaker_id].append(f)
    flags = []
    for figure in group:
        if not record.is_relay(figure):
            continue
        origin = record.origin(figure)
        own = [f for f in own_figures[origin] if f.claim_id != figure.claim_id]
        said = (figure.low, figure.high)
        source = [
            f for f in own if (f.low, f.high) == said and f.claim.made_on <= figure.claim.made_on
        ]
        relayed = max(source, key=order_key) if source else figure
        newer = [
            f
            for f in own
            if (f.low, f.high) != said
            and order_key(f) > order_key(relayed)
            and f.claim.made_on - relayed.claim.made_on >= days
        ]
        corrected = {(relayed.claim_id, origin), (figure.claim_id, origin)} & record.corrected
        if not newer and not corrected:
            continue
        name, relay = record.actors[origin].name, figure.claim.speaker.name
        if newer:
            last = max(newer, key=order_key)
            text = (
                f"{relay} relays {name}'s {_said(figure, naming_group=True)}; "
                f"{name} has since given {_said(last)}."
            )
        else:
            last, text = (
                relayed,
                f"{relay} relays {name}'s {_said(figure, naming_group=True)}; "
                f"{name} has since corrected it.",
            )
        flags.append(Flag(Rule.RELAY_SUPERSEDED, (figure, last), text))
    return flags


def counted_twice(record: FigureRecord, group: list[CasualtyFigure]) -> list[Flag]:
    least = settings.FIGURE_FLAG_COUNTED_TWICE_RELAYS
    carried: dict[tuple[int, int | None, int | None], list[CasualtyFigure]] = defaultdict(list)
    for figure in group:
        if record.is_relay(figure):
            carried[(record.origin(figure), figure.low, figure.high)].append(figure)
    flags = []
    for (origin, _low, _high), relays in carried.items():
        speakers = {f.claim.speaker.name for f in relays}
        if len(speakers) < least:
            continue
        flags.append(
            Flag(
                Rule.COUNTED_TWICE,
                tuple(sorted(relays, key=order_key)),
                f"{' and '.join(sorted(speakers))} each carry {record.actors[origin].name}'s "
                f"figure of {relays[0].range_display} "
                f"{group_label(relays[0].outcome, relays[0].category)}: one originator, "
                "to be counted once.",
            )
        )
    return flags


RULES = (lowered, apart, relay_superseded, counted_twice)


def discrepancies(record: FigureRecord) -> list[Flag]:
    """Every flag over the record's groups (figures with no incident are not compared)."""
    flags = []
    for (incident_id, _outcome, _category), group in record.groups().items():
        if incident_id is None:
            continue
        for rule in RULES:
            flags.extend(rule(record, group))
    return flags


def flags_by_figure(flags: list[Flag]) -> dict[int, list[Flag]]:
    """Each figure's flags, whether it is the figure flagged or one it is set against."""
    by_figure: dict[int, list[Flag]] = defaultdict(list)
    for flag in flags:
        for figure in flag.figures:
            by_figure[figure.pk].append(flag)
    return by_figure
