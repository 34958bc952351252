"""``relay_superseded`` finds, for each relay, the statement it carries and its originator's newer
figure without reading every figure of the originator's again: its work grows with the figures
and the relays, not with their product. Held against the rule read relay by relay over every
figure of the originator, on random groups with corrections recorded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.test import override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from claims.models import CasualtyFigure
from claims.reading.discrepancies import Flag, _relay_flag, relay_superseded
from claims.reading.figures import FigureRecord, FigureRow, SpeakerRow, order_key
from tests.test_discrepancies_counting import ACTORS, claims, record_of

Q = CasualtyFigure.Qualifier


def reference(record: FigureRecord, group: list[FigureRow]) -> list[Flag]:
    """The rule as first written: for every relay, every figure of its originator's read."""
    days = dt.timedelta(days=settings.FIGURE_FLAG_SUPERSEDED_DAYS)
    found = []
    for figure in group:
        if not record.is_relay(figure):
            continue
        origin = record.origin(figure)
        own = [
            f
            for f in group
            if not record.is_relay(f)
            and f.claim.speaker_id == origin
            and f.claim_id != figure.claim_id
        ]
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
        if newer or corrected:
            against = max(newer, key=order_key) if newer else relayed
            found.append(_relay_flag(record, figure, against, corrected=not newer))
    return found


corrections = st.sets(st.tuples(st.integers(1, 18), st.integers(1, 7)), max_size=6)


@hypothesis_settings(max_examples=200, deadline=None)
@given(claims, corrections, st.integers(0, 3))
def test_the_relays_flagged_are_those_read_over_every_figure_of_the_originator(
    drawn, corrected, days
) -> None:
    with override_settings(FIGURE_FLAG_SUPERSEDED_DAYS=days):
        plain = record_of(drawn)
        record = FigureRecord(plain.figures, plain.origins, ACTORS, corrected)
        for group in record.groups().values():
            assert list(relay_superseded(record, group).flags()) == reference(record, group)


@dataclass(eq=False)
class CountedClaim:
    """A claim that counts how often its date is read: every comparison of figures reads it."""

    pk: int
    speaker_id: int
    speaker: SpeakerRow
    day: dt.date
    made_precision: str = "day"
    incident_id: int = 1
    reads: list[int] | None = None

    @property
    def made_on(self) -> dt.date:
        if self.reads is not None:
            self.reads[0] += 1
        return self.day


def many_relays(count: int, reads: list[int]) -> tuple[FigureRecord, list[FigureRow]]:
    """An originator raising its toll ``count`` times, day by day, and ``count`` outlets each
    relaying its first toll after the last rise."""
    start = dt.date(2015, 1, 1)
    speakers = {n: SpeakerRow(n, f"Party {n}", f"party-{n}") for n in range(1, count + 2)}
    figures, origins = [], {}
    for n in range(count):
        claim = CountedClaim(n + 1, 1, speakers[1], start + dt.timedelta(days=n), reads=reads)
        figures.append(
            FigureRow(n + 1, n + 1, claim, "civilians", "killed", 10 + n, 10 + n, Q.EXACTLY)
        )
    for n in range(count):
        pk = count + n + 1
        day = start + dt.timedelta(days=count + n)
        claim = CountedClaim(pk, n + 2, speakers[n + 2], day, reads=reads)
        figures.append(FigureRow(pk, pk, claim, "civilians", "killed", 10, 10, Q.EXACTLY))
        origins[pk] = 1
    return FigureRecord(figures, origins, dict(speakers), set()), figures


def test_its_work_grows_with_the_relays_and_figures_not_their_product() -> None:
    def work(count: int) -> int:
        reads = [0]
        record, group = many_relays(count, reads)
        reads[0] = 0
        found = relay_superseded(record, group)
        assert found.count() == count  # every relay carries a toll raised since
        return reads[0]

    small, large = work(100), work(400)
    # Relay by relay over every figure of the originator's, 400 relays and 400 own figures
    # read the dates 799,200 times (and four times the figures, sixteen times as often);
    # bisecting each originator's figures reads them 3,200 times (800 for 100).
    assert large <= 10 * 800
    assert large <= 5 * small
