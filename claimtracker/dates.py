"""Loose dates: a date people state as "last week" or "in September" is a date plus a precision.

The stored date is normalised to the first day of its period (Monday for a week, the 1st for a
month, 1 January for a year), so ordering by the date column orders periods by their start, and
``period()`` gives the whole span for timelines that draw a week as a band rather than a point.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.db import models


class Precision(models.TextChoices):
    DAY = "day", "day"
    WEEK = "week", "week"
    MONTH = "month", "month"
    YEAR = "year", "year"


def normalise(day: dt.date, precision: str) -> dt.date:
    """Return the first day of the period of ``precision`` that contains ``day``."""
    if precision == Precision.WEEK:
        return day - dt.timedelta(days=day.weekday())
    if precision == Precision.MONTH:
        return day.replace(day=1)
    if precision == Precision.YEAR:
        return day.replace(month=1, day=1)
    return day


def period(day: dt.date, precision: str) -> tuple[dt.date, dt.date]:
    """Return the first and last day (inclusive) that a loose date may stand for."""
    start = normalise(day, precision)
    if precision == Precision.WEEK:
        return start, start + dt.timedelta(days=6)
    if precision == Precision.MONTH:
        return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])
    if precision == Precision.YEAR:
        return start, start.replace(month=12, day=31)
    return start, start


def describe(day: dt.date | None, precision: str) -> str:
    """Human wording of a loose date: "week of 18 Sep 2017 – 24 Sep 2017", "September 2017"."""
    if day is None:
        return "date unknown"
    start, end = period(day, precision)
    if precision == Precision.WEEK:
        return f"week of {start:%-d %b %Y} – {end:%-d %b %Y}"
    if precision == Precision.MONTH:
        return f"{start:%B %Y}"
    if precision == Precision.YEAR:
        return f"{start:%Y}"
    return f"{start:%-d %b %Y}"


def known_by(day: dt.date) -> dict[str, dt.date]:
    """For each precision, the first stored date that is *not* yet counted "as of" ``day``.

    A loose date counts by the end of its period: a claim made "in October 2015" was made by
    31 October 2015 at the latest, so it is not counted as of 10 October. The period of a stored
    date ends on or before ``day`` exactly when ``day``'s next day lies in a later period, that
    is when the stored (normalised) date is before the start of the period holding ``day + 1``.
    One bound per precision keeps "made by" a plain range on the stored date.
    """
    after = day + dt.timedelta(days=1)
    return {precision: normalise(after, precision) for precision in Precision.values}
