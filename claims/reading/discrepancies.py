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

A rule finds its flags without writing them: the busiest incident at a million claims has half
a million ``apart`` flags and a page shows forty. Each rule gives a group's findings as a
``Found``, which counts them, lists them in order one at a time and answers per figure; a flag's
words are written only for a flag asked for.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import islice, pairwise
from typing import Protocol

from django.conf import settings
from django.db import models

from claims.reading.apart_pairs import ApartPairs, ratio_of
from claims.reading.figures import FigureRecord, FigureRow, group_label, order_key
from claimtracker.dates import describe


class Rule(models.TextChoices):
    LOWERED = "lowered", "lowered by its own speaker, no correction recorded"
    APART = "apart", "parties' ranges do not overlap"
    RELAY_SUPERSEDED = "relay_superseded", "relays a figure its originator has since superseded"
    COUNTED_TWICE = "counted_twice", "one originator's figure carried by several relays"


@dataclass(frozen=True)
class Flag:
    rule: Rule
    figures: tuple[FigureRow, ...]  # the figure flagged first, then those it is set against
    text: str
    ratio: float | None = None

    @property
    def figure(self) -> FigureRow:
        return self.figures[0]

    @property
    def figure_ids(self) -> list[int]:
        return [f.pk for f in self.figures]


@dataclass(frozen=True)
class Range:
    """A claim's figures for one group as one range: bottom, and top (None: open-ended)."""

    bottom: int
    top: int | None
    figure: FigureRow  # the claim's first figure in the group: where a flag attaches

    @classmethod
    def of(cls, figures: list[FigureRow]) -> Range:
        bottoms = [f.low if f.low is not None else 0 for f in figures]
        tops = [f.high for f in figures]
        top = None if None in tops else max(t for t in tops if t is not None)
        return cls(min(bottoms), top, figures[0])

    def below(self, other: Range) -> bool:
        """Wholly below ``other``: the ranges do not overlap and this one is the lower."""
        return self.top is not None and self.top < other.bottom


def _said(figure: FigureRow, *, naming_group: bool = False) -> str:
    """ "30 (5 Oct 2015)"; with ``naming_group``, "30 civilians killed (5 Oct 2015)"."""
    claim = figure.claim
    group = f" {group_label(figure.outcome, figure.category)}" if naming_group else ""
    return f"{figure.range_display}{group} ({describe(claim.made_on, claim.made_precision)})"


def _by_claim(figures: list[FigureRow]) -> list[list[FigureRow]]:
    """A group's figures bunched per claim, claims in date order."""
    claims: dict[int, list[FigureRow]] = {}
    for figure in sorted(figures, key=order_key):
        claims.setdefault(figure.claim_id, []).append(figure)
    return list(claims.values())


class Found(Protocol):
    """One rule's flags in one group: counted, listed in order, or taken per figure. ``mine``,
    where given, keeps the flags with at least one of those figures (by id). ``Listed`` and
    ``Apart`` are the two ways of holding them."""

    def count(self, mine: Collection[int] | None = None) -> int: ...

    def flags(self, mine: Collection[int] | None = None) -> Iterator[Flag]: ...

    def of_figure(self, pk: int, first: int | None) -> tuple[int, list[Flag]]:
        """How many flags the figure is in, and the first ``first`` of them (None: all)."""
        ...


@dataclass(frozen=True)
class Pending:
    """A flag found, its words not yet written."""

    figures: tuple[FigureRow, ...]
    write: Callable[[], Flag]

    def touches(self, mine: Collection[int] | None) -> bool:
        return mine is None or any(f.pk in mine for f in self.figures)


class Listed:
    """The findings of a rule that finds at most about one flag per figure: kept as a list."""

    def __init__(self, pending: list[Pending]) -> None:
        self.pending = pending
        self.by_figure: dict[int, list[Pending]] = defaultdict(list)
        for item in pending:
            # Once per flag, even where a flag names one figure twice (a relay set against
            # itself, its originator having corrected it).
            for pk in dict.fromkeys(f.pk for f in item.figures):
                self.by_figure[pk].append(item)

    def count(self, mine: Collection[int] | None = None) -> int:
        return sum(1 for item in self.pending if item.touches(mine))

    def flags(self, mine: Collection[int] | None = None) -> Iterator[Flag]:
        return (item.write() for item in self.pending if item.touches(mine))

    def of_figure(self, pk: int, first: int | None) -> tuple[int, list[Flag]]:
        items = self.by_figure.get(pk, [])
        return len(items), [item.write() for item in items[:first]]


def _lowered_flag(name: str, new: Range, old: Range) -> Flag:
    return Flag(
        Rule.LOWERED,
        (new.figure, old.figure),
        f"{name} gives {_said(new.figure, naming_group=True)}, below its own earlier "
        f"{_said(old.figure)}; the record holds no correction by {name} of the earlier claim.",
    )


def lowered(record: FigureRecord, group: list[FigureRow]) -> Found:
    drop = settings.FIGURE_FLAG_LOWERED_BY
    own: dict[int, list[list[FigureRow]]] = defaultdict(list)
    for claim_figures in _by_claim(group):
        if not record.is_relay(claim_figures[0]):
            own[claim_figures[0].claim.speaker_id].append(claim_figures)
    found = []
    for speaker_id, claims in own.items():
        # Each claim's range once, not once as the later of a pair and again as the earlier.
        for (before, old), (_, new) in pairwise(zip(claims, map(Range.of, claims), strict=True)):
            if new.top is None or not new.below(old) or (old.bottom - new.top) / old.bottom < drop:
                continue
            if (before[0].claim_id, speaker_id) in record.corrected:
                continue
            name = record.actors[speaker_id].name
            found.append(Pending((new.figure, old.figure), partial(_lowered_flag, name, new, old)))
    return Listed(found)


class Apart:
    """The ``apart`` flags of a group, from each party's latest range: counted and listed by
    bisection (claims.reading.apart_pairs), never all built."""

    def __init__(self, record: FigureRecord, parties: list[tuple[int, Range]]) -> None:
        self.record, self.parties = record, parties  # parties by id: the flags' order
        spans = [(r.bottom, r.top) for _, r in parties]
        self.pairs = ApartPairs(spans, settings.FIGURE_FLAG_APART_RATIO)
        self.index = {r.figure.pk: i for i, (_, r) in enumerate(parties)}

    def _chosen(self, mine: Collection[int] | None) -> list[int] | None:
        return None if mine is None else [i for pk, i in self.index.items() if pk in mine]

    def count(self, mine: Collection[int] | None = None) -> int:
        return self.pairs.count(self._chosen(mine))

    def flags(self, mine: Collection[int] | None = None) -> Iterator[Flag]:
        return (self._flag(i, j) for i, j in self.pairs.pairs(self._chosen(mine)))

    def of_figure(self, pk: int, first: int | None) -> tuple[int, list[Flag]]:
        if (i := self.index.get(pk)) is None:
            return 0, []
        partners = self.pairs.partners(i, first)
        return self.pairs.partner_count(i), [self._flag(min(i, j), max(i, j)) for j in partners]

    def _flag(self, i: int, j: int) -> Flag:
        """The flag of parties ``i`` < ``j``, the lower-starting range second (the earlier
        party's, the lower, on a tie of bottoms)."""
        (first_party, first), (second_party, second) = self.parties[i], self.parties[j]
        (low_party, low), (high_party, high) = (
            ((second_party, second), (first_party, first))
            if second.bottom < first.bottom
            else ((first_party, first), (second_party, second))
        )
        ratio = ratio_of(high.bottom, low.top or 0)
        times = f"{ratio:g} times" if ratio is not None else "above"
        actors = self.record.actors
        return Flag(
            Rule.APART,
            (high.figure, low.figure),
            f"{actors[high_party].name}'s latest figure, {_said(high.figure, naming_group=True)}, "
            f"and {actors[low_party].name}'s, {_said(low.figure)}, do not "
            f"overlap: the lowest of the first is {times} the highest of the second.",
            ratio,
        )


def apart(record: FigureRecord, group: list[FigureRow]) -> Found:
    latest: dict[int, Range] = {}
    # A party's latest word is its own latest claim; a relay stands in only for a party that
    # has none here (a relay dated later may carry an older figure).
    claims = _by_claim(group)
    for claim_figures in [c for c in claims if record.is_relay(c[0])] + [
        c for c in claims if not record.is_relay(c[0])
    ]:
        latest[record.origin(claim_figures[0])] = Range.of(claim_figures)
    return Apart(record, sorted(latest.items(), key=lambda item: item[0]))


def _relay_flag(
    record: FigureRecord, figure: FigureRow, against: FigureRow, *, corrected: bool
) -> Flag:
    """``against``: the originator's newer figure, or, when it corrected the statement instead,
    the statement relayed."""
    name = record.actors[record.origin(figure)].name
    relays = f"{figure.claim.speaker.name} relays {name}'s {_said(figure, naming_group=True)}"
    since = "corrected it" if corrected else f"given {_said(against)}"
    return Flag(Rule.RELAY_SUPERSEDED, (figure, against), f"{relays}; {name} has since {since}.")


Said = tuple[int | None, int | None]  # a figure's range as stated: (low, high)


@dataclass
class OwnFigures:
    """An originator's own figures in a group, read once in date order: those of each range,
    with their dates to bisect, and the latest two of different ranges. A relay finds in them
    the statement it carries and the originator's newest other figure without reading them."""

    by_range: dict[Said, tuple[list[dt.date], list[FigureRow]]]
    last: FigureRow | None = None
    last_other: FigureRow | None = None  # the latest whose range is not the last one's

    @classmethod
    def of(cls, ordered: list[FigureRow]) -> OwnFigures:
        own = cls({})
        for f in ordered:
            dates, same = own.by_range.setdefault((f.low, f.high), ([], []))
            dates.append(f.claim.made_on)
            same.append(f)
            if own.last is not None and (own.last.low, own.last.high) != (f.low, f.high):
                own.last_other = own.last
            own.last = f
        return own

    def latest_saying(self, said: Said, by: dt.date) -> FigureRow | None:
        """The latest figure of this range made by ``by``."""
        dates, same = self.by_range.get(said, ([], []))
        at = bisect_right(dates, by)
        return same[at - 1] if at else None

    def latest_not_saying(self, said: Said) -> FigureRow | None:
        """The latest figure of another range."""
        if self.last is not None and (self.last.low, self.last.high) != said:
            return self.last
        return self.last_other


def relay_superseded(record: FigureRecord, group: list[FigureRow]) -> Found:
    days = dt.timedelta(days=settings.FIGURE_FLAG_SUPERSEDED_DAYS)
    relays = [f for f in group if record.is_relay(f)]
    if not relays:  # most groups: nothing to gather
        return Listed([])
    # The originators' own figures, gathered once and in date order. Read whole for every
    # relay, they made the rule grow with relays times own figures; each relay now bisects them.
    origins = {record.origin(f) for f in relays}
    own_figures: dict[int, list[FigureRow]] = defaultdict(list)
    for f in sorted(group, key=order_key):
        if f.claim.speaker_id in origins and not record.is_relay(f):
            own_figures[f.claim.speaker_id].append(f)
    own = {party: OwnFigures.of(figures) for party, figures in own_figures.items()}
    nothing = OwnFigures({})
    found = []
    for figure in relays:
        origin = record.origin(figure)
        # A relay's claim is never one of its originator's own: its chain starts elsewhere.
        its = own.get(origin, nothing)
        said = (figure.low, figure.high)
        relayed = its.latest_saying(said, figure.claim.made_on) or figure
        # The newest figure of another range is the only one to test: any other is older and
        # no later, so meets neither test if it fails them.
        newest = its.latest_not_saying(said)
        newer = (
            newest is not None
            and order_key(newest) > order_key(relayed)
            and newest.claim.made_on - relayed.claim.made_on >= days
        )
        corrected = {(relayed.claim_id, origin), (figure.claim_id, origin)} & record.corrected
        if not newer and not corrected:
            continue
        against = newest if newer and newest is not None else relayed
        write = partial(_relay_flag, record, figure, against, corrected=not newer)
        found.append(Pending((figure, against), write))
    return Listed(found)


def _counted_flag(record: FigureRecord, origin: int, relays: list[FigureRow]) -> Flag:
    speakers = sorted({f.claim.speaker.name for f in relays})
    return Flag(
        Rule.COUNTED_TWICE,
        tuple(relays),
        f"{' and '.join(speakers)} each carry {record.actors[origin].name}'s "
        f"figure of {relays[0].range_display} "
        f"{group_label(relays[0].outcome, relays[0].category)}: one originator, "
        "to be counted once.",
    )


def counted_twice(record: FigureRecord, group: list[FigureRow]) -> Found:
    least = settings.FIGURE_FLAG_COUNTED_TWICE_RELAYS
    carried: dict[tuple[int, int | None, int | None], list[FigureRow]] = defaultdict(list)
    for figure in group:
        if record.is_relay(figure):
            carried[(record.origin(figure), figure.low, figure.high)].append(figure)
    found = []
    for (origin, _low, _high), relays in carried.items():
        if len({f.claim.speaker.name for f in relays}) < least:
            continue
        ordered = sorted(relays, key=order_key)
        found.append(Pending(tuple(ordered), partial(_counted_flag, record, origin, ordered)))
    return Listed(found)


RULES: tuple[tuple[Rule, Callable[[FigureRecord, list[FigureRow]], Found]], ...] = (
    (Rule.LOWERED, lowered),
    (Rule.APART, apart),
    (Rule.RELAY_SUPERSEDED, relay_superseded),
    (Rule.COUNTED_TWICE, counted_twice),
)


def readings(
    record: FigureRecord, having: Collection[int] | None = None
) -> Iterator[tuple[list[FigureRow], list[tuple[Rule, Found]]]]:
    """Each group's findings, rule by rule, in the flags' order (figures with no incident are
    not compared); with ``having``, only the groups holding one of those figures (by id)."""
    for (incident_id, _outcome, _category), group in record.groups().items():
        if incident_id is None or (having is not None and not any(f.pk in having for f in group)):
            continue
        yield group, [(rule, read(record, group)) for rule, read in RULES]


def discrepancies(record: FigureRecord) -> list[Flag]:
    """Every flag over the record's groups, each written: for records of a normal size."""
    return [flag for _, rules in readings(record) for _, found in rules for flag in found.flags()]


@dataclass(frozen=True)
class FirstFlags:
    flags: list[Flag]  # the first ones, in the order discrepancies() gives them
    count: int  # all of them


def first_flags(record: FigureRecord, mine: Collection[int] | None, first: int) -> FirstFlags:
    """The first ``first`` flags with a figure of ``mine`` (by id; None: every flag), in the
    order discrepancies() gives them, and how many there are: only those shown are written."""
    shown: list[Flag] = []
    count = 0
    for _, rules in readings(record, mine):
        for _, found in rules:
            count += found.count(mine)
            if len(shown) < first:
                shown.extend(islice(found.flags(mine), first - len(shown)))
    return FirstFlags(shown, count)


@dataclass(frozen=True)
class FigureFlags:
    """One figure's flags: how many under each rule, and the first of them, in order."""

    counts: dict[Rule, int]
    flags: list[Flag]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def flags_of_figures(
    record: FigureRecord, figure_ids: Iterable[int], first: int | None
) -> dict[int, FigureFlags]:
    """Each of those figures' flags: the first ``first`` (None: all) in the order
    discrepancies() gives them, and the count under every rule; written only when listed."""
    wanted = set(figure_ids)
    answer = {pk: FigureFlags(dict.fromkeys(Rule, 0), []) for pk in wanted}
    for group, rules in readings(record, wanted):
        for figure in group:
            if figure.pk not in wanted:
                continue
            mine = answer[figure.pk]
            for rule, found in rules:
                left = None if first is None else max(0, first - len(mine.flags))
                mine.counts[rule], listed = found.of_figure(figure.pk, left)
                mine.flags.extend(listed)
    return answer
