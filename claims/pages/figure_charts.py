"""Geometry for the casualty-figure charts: the spread (one row per figure) and trajectories
(each speaker's figures over time), both drawn per group of outcome and category.

As in claims/pages/charts.py, horizontal positions are percentages of the width and vertical
ones pixels; the templates draw, and a table follows each chart with the same data. Killed and
injured, civilians and combatants never share a scale: each group chooses its own, so a toll
of 12 children is not a dot beside a thousand combatants.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from claims.models import CasualtyFigure
from claims.pages.charts import (
    AXIS_HEIGHT,
    FIGURE_LANE_HEIGHT,
    MIN_SPAN,
    Tick,
    date_scale,
    date_ticks,
    percent,
    tick_label,
)
from claims.reading.figures import FigureGroup, Trajectory
from claimtracker.dates import Precision, describe, period

ARROW = 6.0  # percent: an open-ended figure runs this far past its bound, then an arrow
ROWS_PER_AXIS = 12  # a spread this long repeats its scale between rows
PLOT_TOP = 24  # pixels above the trajectory plot, for the top value's label
PLOT_HEIGHT = 200  # pixels of the trajectory plot
ARROW_PX = 22  # pixels an open-ended figure rises above its bound in a trajectory
SERIES = 8  # trajectories drawn per group, each in its own colour and marker


def nice_ceiling(value: int) -> int:
    """The next round number at or above ``value``, at least 10: 1, 1.5, 2, 2.5, 3, 4, 5, 6 or
    8 times a power of ten, so the largest figure fills most of the scale (46 -> 60, not 100)
    and a fifth of it, where the ticks go, is still a whole number."""
    if value <= 10:
        return 10
    power = 10 ** int(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * power >= value and (step * power) % 5 == 0:
            return int(step * power)
    return 10 * power  # pragma: no cover - the loop always returns


def scale_top(figures: Iterable[CasualtyFigure]) -> int:
    """A group's scale: room to the right of its largest stated number, so an open end (which
    starts at its low) and the largest range both sit inside it."""
    largest = max(max(f.low or 0, f.high or 0) for f in figures)
    return nice_ceiling(math.ceil(largest * 1.25) or 1)


def value_ticks(top: int) -> list[int]:
    return [top * n // 5 for n in range(6)]


@dataclass(frozen=True)
class FigureBar:
    """One figure as a range; an open end is a short dashed stretch ending in an arrow."""

    figure: CasualtyFigure
    y: float
    x1: float
    x2: float
    open_low: bool
    open_high: bool
    is_point: bool
    axis_before: bool = False  # the scale repeats above this row

    @property
    def axis_y(self) -> float:
        """Where the repeated scale's numbers sit, in the gap above this row."""
        return self.y - 9


@dataclass(frozen=True)
class SpreadGroup:
    label: str
    slug: str
    incident: object  # the group's incident (None for figures about no incident)
    height: int
    top: int
    bars: list[FigureBar]
    ticks: list[Tick]
    right_edge: float


def _bar(figure: CasualtyFigure, y: float, top: int, axis_before: bool) -> FigureBar:
    low = figure.low if figure.low is not None else 0
    high = figure.high
    x1 = percent(low / top)
    x2 = percent(high / top) if high is not None else min(round(x1 + ARROW, 2), percent(1))
    return FigureBar(
        figure=figure,
        y=y,
        x1=x1,
        x2=x2,
        open_low=figure.low is None,
        open_high=high is None,
        is_point=high is not None and figure.low == high,
        axis_before=axis_before,
    )


def figure_spread(groups: Iterable[FigureGroup]) -> list[SpreadGroup]:
    """One spread per group, each on its own scale from zero.

    "More than 150" has no high: its bar starts at 150 and runs a short way, open, to an arrow.
    "Up to 40" has no low: its bar runs from zero, drawn open at the left. Every
    ``ROWS_PER_AXIS`` rows the scale's numbers repeat, so a long spread is readable mid-way.
    """
    spreads = []
    for group in groups:
        top = scale_top(group.figures)
        bars, y = [], 0
        for index, figure in enumerate(group.figures):
            repeat = index > 0 and index % ROWS_PER_AXIS == 0
            y += AXIS_HEIGHT if repeat else 0
            bars.append(_bar(figure, y, top, repeat))
            y += FIGURE_LANE_HEIGHT
        ticks = [Tick(x=percent(v / top), label=f"{v}") for v in value_ticks(top)]
        spreads.append(
            SpreadGroup(
                label=group.label,
                slug=group.slug,
                incident=group.incident,
                height=y + AXIS_HEIGHT,
                top=top,
                bars=bars,
                ticks=ticks,
                right_edge=percent(1),
            )
        )
    return spreads


@dataclass(frozen=True)
class Step:
    """One figure on a trajectory: its loose date across, its range up."""

    figure: CasualtyFigure
    x: float
    width: float
    y_top: float
    y_bottom: float
    open_high: bool
    is_span: bool
    when: str

    @property
    def cx(self) -> float:
        return round(self.x + self.width / 2, 2)

    @property
    def cy(self) -> float:
        return round((self.y_top + self.y_bottom) / 2, 1)

    @property
    def height(self) -> float:
        return round(self.y_bottom - self.y_top, 1)


@dataclass(frozen=True)
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Line:
    speaker: object
    series: int
    steps: list[Step]
    segments: list[Segment]


@dataclass(frozen=True)
class ValueTick:
    y: float
    label: str

    @property
    def label_y(self) -> float:
        return round(self.y - 4, 1)


@dataclass(frozen=True)
class TrajectoryChart:
    label: str
    slug: str
    incident: object
    top: int
    height: int
    lines: list[Line]
    date_ticks: list[Tick]
    value_ticks: list[ValueTick]
    omitted: int  # speakers not drawn (the table lists them all)
    trajectories: list[Trajectory]
    plot_top: int = PLOT_TOP
    plot_bottom: int = PLOT_TOP + PLOT_HEIGHT

    @property
    def label_y(self) -> int:
        """Where the dates sit, under the plot."""
        return self.plot_bottom + 20


def _y(value: float, top: int) -> float:
    return round(PLOT_TOP + (1 - value / top) * PLOT_HEIGHT, 1)


def _steps(line: Trajectory, x: Callable[[dt.date], float], top: int) -> list[Step]:
    steps = []
    for figure in line.figures:
        claim = figure.claim
        first, last = period(claim.made_on, claim.made_precision)
        left, right = x(first), x(last + dt.timedelta(days=1))
        is_span = claim.made_precision != Precision.DAY
        width = round(max(right - left, MIN_SPAN if is_span else 0.6), 2)
        low = figure.low if figure.low is not None else 0
        bottom = _y(low, top)
        upper = _y(figure.high, top) if figure.high is not None else bottom - ARROW_PX
        # An exact figure is a thin bar, still visible.
        y_top, y_bottom = (upper - 3, bottom + 3) if bottom - upper < 6 else (upper, bottom)
        when = describe(claim.made_on, claim.made_precision)
        steps.append(Step(figure, left, width, y_top, y_bottom, figure.high is None, is_span, when))
    return steps


def trajectory_charts(groups: Iterable[FigureGroup]) -> list[TrajectoryChart]:
    """Per group, one line of ranges per speaker across the dates they gave them: a speaker's
    figures in date order joined, a loose date drawn as a span over its period."""
    charts = []
    for group in groups:
        periods = [period(f.claim.made_on, f.claim.made_precision) for f in group.figures]
        start = min(p[0] for p in periods)
        end = max(p[1] for p in periods) + dt.timedelta(days=1)
        margin = dt.timedelta(days=max(2, (end - start).days // 10))
        start, end = start - margin, end + margin
        x = date_scale(start, end)
        top = scale_top(group.figures)
        drawn = sorted(group.trajectories, key=lambda t: -len(t.figures))[:SERIES]
        lines: list[Line] = []
        for line in group.trajectories:
            if line not in drawn:
                continue
            steps = _steps(line, x, top)
            segments = [Segment(a.cx, a.cy, b.cx, b.cy) for a, b in itertools.pairwise(steps)]
            lines.append(Line(line.speaker, len(lines), steps, segments))
        span_days = (end - start).days
        charts.append(
            TrajectoryChart(
                label=group.label,
                slug=group.slug,
                incident=group.incident,
                top=top,
                height=PLOT_TOP + PLOT_HEIGHT + AXIS_HEIGHT,
                lines=lines,
                date_ticks=[
                    Tick(x=x(day), label=tick_label(day, span_days))
                    for day in date_ticks(start, end)
                ],
                value_ticks=[ValueTick(_y(v, top), f"{v}") for v in value_ticks(top)],
                omitted=len(group.trajectories) - len(lines),
                trajectories=group.trajectories,
            )
        )
    return charts
