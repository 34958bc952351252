"""Timeline band geometry: loose dates as spans (figure charts: test_figure_charts.py)."""

from __future__ import annotations

import datetime as dt

from claims.pages import charts
from claims.reading import bands
from claimtracker.dates import Precision


def test_no_claims_draw_no_band() -> None:
    assert charts.timeline_band([]) is None


def test_a_week_is_drawn_as_a_span_seven_times_as_wide_as_a_day() -> None:
    rows = [
        bands.SpeechRow("A", "a", dt.date(2017, 9, 18), Precision.WEEK, 1),
        bands.SpeechRow("B", "b", dt.date(2017, 9, 26), Precision.DAY, 2),
    ]
    band = charts.timeline_band(rows)
    week, day = band.lanes[1].marks[0], band.lanes[0].marks[0]
    assert week.is_span
    assert not day.is_span
    assert abs(week.width - 7 * day.width) < 0.05
    assert band.lanes[0].label == "B"  # the busiest party comes first
    assert band.lanes[0].dates == ["26 Sep 2017 (2 claims)"]


def test_the_band_keeps_the_busiest_parties_and_counts_the_rest() -> None:
    rows = [
        bands.SpeechRow(f"P{n}", f"p{n}", dt.date(2017, 1, 1 + n), Precision.DAY, 1 + n)
        for n in range(12)
    ]
    band = charts.timeline_band(rows, max_lanes=10)
    assert len(band.lanes) == 10
    assert band.omitted == 2
    assert band.lanes[0].label == "P11"


def test_ticks_stay_inside_the_chart() -> None:
    rows = [
        bands.SpeechRow("A", "a", dt.date(2016, 1, 1), Precision.YEAR, 1),
        bands.SpeechRow("A", "a", dt.date(2019, 6, 1), Precision.MONTH, 1),
    ]
    band = charts.timeline_band(rows)
    assert band.ticks
    assert all(charts.LEFT <= tick.x <= 100 - charts.RIGHT for tick in band.ticks)
    assert band.ticks[0].label.isdigit()  # a multi-year range is ticked by year
