"""Geometry for the server-drawn SVG charts: the timeline band (figures: figure_charts.py).

The functions here only compute coordinates; the templates draw them, and every chart is followed
by a table holding the same data as text. Horizontal positions are percentages of the chart's
width and vertical ones are pixels, so a chart fills a phone or a laptop screen while its text
keeps the page's size (a scaled viewBox would shrink the labels to nothing on a phone). Labels sit
above their row rather than in a left margin, for the same reason.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from claims.reading.bands import SpeechRow
from claimtracker.dates import Precision, describe, period

LEFT = 1.0  # percent of the width kept free on the left
RIGHT = 3.0  # ...and on the right, where open-ended ranges end in an arrow
LANE_HEIGHT = 46  # pixels: a label line, then the marks
FIGURE_LANE_HEIGHT = 64  # pixels: who, the figure as worded, then the range
AXIS_HEIGHT = 30
MIN_SPAN = 1.2  # percent: a span never draws narrower, so a week stays visibly a span


@dataclass(frozen=True)
class Tick:
    x: float
    label: str

    @property
    def anchor(self) -> str:
        """Where the label hangs from its tick, so the first and last stay inside the chart."""
        if self.x < 6:
            return "start"
        return "end" if self.x > 94 else "middle"


@dataclass(frozen=True)
class Mark:
    """One or more claims by one party on one loose date: a point (a day) or a span."""

    x: float
    width: float
    is_span: bool
    count: int
    when: str  # the loose date in words
    weight: float = 1.0  # the count against the band's largest, when thickness shows counts

    @property
    def bar_height(self) -> int:
        """Pixels: 14 for the band's largest count, down to 4 for the smallest."""
        return round(4 + 10 * self.weight)

    @property
    def bar_y(self) -> float:
        """Top of the bar, so bars of every thickness share one middle line."""
        return 31 - self.bar_height / 2

    @property
    def cx(self) -> float:
        """The middle of the mark: where a day's dot sits."""
        return round(self.x + self.width / 2, 2)


@dataclass
class Lane:
    label: str
    slug: str
    y: float
    marks: list[Mark] = field(default_factory=list)
    total: int = 0
    dates: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Band:
    height: int
    lanes: list[Lane]
    ticks: list[Tick]
    omitted: int  # parties not drawn because the band holds only the busiest few


def percent(fraction: float) -> float:
    return round(LEFT + fraction * (100 - LEFT - RIGHT), 2)


def date_scale(start: dt.date, end: dt.date) -> Callable[[dt.date], float]:
    days = max((end - start).days, 1)
    return lambda day: percent((day - start).days / days)


def date_ticks(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of months (or years, or Mondays for short ranges) inside [start, end]."""
    days = (end - start).days
    if days <= 70:
        first = start + dt.timedelta(days=(7 - start.weekday()) % 7)
        ticks = [first + dt.timedelta(weeks=n) for n in range(days // 7 + 1)]
    elif days <= 3 * 366:
        ticks, month = [], dt.date(start.year, start.month, 1)
        while month <= end:
            ticks.append(month)
            month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    else:
        ticks = [dt.date(year, 1, 1) for year in range(start.year, end.year + 1)]
    ticks = [t for t in ticks if start <= t <= end]
    step = max(1, math.ceil(len(ticks) / 8))
    return ticks[::step]


def tick_label(day: dt.date, span_days: int) -> str:
    if span_days <= 70:
        return f"{day:%-d %b}"
    if span_days <= 3 * 366:
        return f"{day:%b %Y}"
    return f"{day:%Y}"


def timeline_band(
    rows: Iterable[SpeechRow], *, max_lanes: int = 10, thickness_counts: bool = False
) -> Band | None:
    """Lay out when each party spoke: one lane per party, busiest first, a mark per loose date.

    With ``thickness_counts`` (rows that count claims per period) a bar's thickness shows its
    count against the largest drawn, so a busy year does not look like a quiet one.
    """
    rows = list(rows)
    if not rows:
        return None
    largest = max(row.count for row in rows)
    totals: dict[str, int] = {}
    for row in rows:
        totals[row.slug] = totals.get(row.slug, 0) + row.count
    drawn = sorted(totals, key=lambda slug: (-totals[slug], slug))[:max_lanes]
    periods = [period(row.made_on, row.precision) for row in rows]
    start = min(p[0] for p in periods)
    end = max(p[1] for p in periods) + dt.timedelta(days=1)
    # A margin either side, so a lone week does not fill the band and read as "all the time".
    margin = dt.timedelta(days=max(2, (end - start).days // 10))
    start, end = start - margin, end + margin
    x = date_scale(start, end)
    lanes: dict[str, Lane] = {}
    for index, slug in enumerate(drawn):
        name = next(row.name for row in rows if row.slug == slug)
        lanes[slug] = Lane(label=name, slug=slug, y=index * LANE_HEIGHT, total=totals[slug])
    for row, (first, last) in sorted(zip(rows, periods, strict=True), key=lambda r: r[1]):
        lane = lanes.get(row.slug)
        if lane is None:
            continue
        is_span = row.precision != Precision.DAY
        left, right = x(first), x(last + dt.timedelta(days=1))
        when = describe(row.made_on, row.precision)
        width = round(max(right - left, MIN_SPAN), 2) if is_span else round(right - left, 2)
        weight = row.count / largest if thickness_counts else 1.0
        lane.marks.append(
            Mark(x=left, width=width, is_span=is_span, count=row.count, when=when, weight=weight)
        )
        lane.dates.append(when if row.count == 1 else f"{when} ({row.count} claims)")
    span_days = (end - start).days
    ticks = [Tick(x=x(day), label=tick_label(day, span_days)) for day in date_ticks(start, end)]
    if len(set(periods)) == 1 and rows[0].precision == Precision.DAY:
        # Every claim on one day: its date under its dot, not a Monday beside it.
        dot = next(iter(lanes.values())).marks[0]
        ticks = [Tick(x=dot.cx, label=f"{rows[0].made_on:%-d %b %Y}")]
    return Band(
        height=len(lanes) * LANE_HEIGHT + AXIS_HEIGHT,
        lanes=list(lanes.values()),
        ticks=ticks,
        omitted=len(totals) - len(drawn),
    )
