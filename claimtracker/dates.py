"""Loose dates: a date people state as "last week" or "in September" is a date plus a precision.

The stored date is normalised to the first day of its period (Monday for a week, the 1st for a
month, 1 January for a year), so ordering by the date column orders periods by their start, and
``period()`` gives the whole span for timelines that draw a week as a band rather than a point.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
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


# --- reading a typed date: the one rule every door (admin, API, importer) goes through ---

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_NUMERIC = re.compile(r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})")
_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
_MONTHS["sept"] = 9
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
HOW_TO_WRITE = "Write it as YYYY-MM-DD (2015-10-03) or with the month in words (3 Oct 2015)."


def read_date(value: Any) -> dt.date:
    """A date typed by a person or a tool: ISO (2015-10-03) or written (3 Oct 2015, October 3,
    2015). Numeric dates in any other order (03/10/2015) are refused, never guessed: the same
    text is 3 October to one reader and 10 March to another."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = " ".join(str(value).strip().lower().split())
    if match := _ISO.fullmatch(text):
        return _day(text, int(match[1]), int(match[2]), int(match[3]))
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        return _day(text, int(match[3]), _month(text, match[2]), int(match[1]))
    if match := _MONTH_DAY_YEAR.fullmatch(text):
        return _day(text, int(match[3]), _month(text, match[1]), int(match[2]))
    if match := _NUMERIC.fullmatch(text):
        raise ValidationError(_ambiguous(str(value).strip(), match), code="ambiguous_date")
    raise ValidationError(f"“{value}” is not a date. {HOW_TO_WRITE}", code="invalid_date")


def _month(text: str, name: str) -> int:
    if name not in _MONTHS:
        raise ValidationError(f"“{text}”: no month is called “{name}”. {HOW_TO_WRITE}")
    return _MONTHS[name]


def _day(text: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValidationError(
            f"{text}: {_why_not_a_day(year, month, day)}", code="invalid_date"
        ) from None


def _why_not_a_day(year: int, month: int, day: int) -> str:
    """Why no such day exists, in the words a person checks: "February 2015 has 28 days"."""
    if not 1 <= year <= dt.MAXYEAR:
        return f"years run from 1 to {dt.MAXYEAR}."
    if not 1 <= month <= 12:
        return f"there is no month {month}; months run from 1 to 12."
    days = calendar.monthrange(year, month)[1]
    return f"{calendar.month_name[month]} {year} has {days} days."


def _ambiguous(text: str, match: re.Match) -> str:
    """Say why a numeric date is refused, naming the days it could be."""
    first, second, year = (int(part) for part in match.groups())
    if len(match[1]) == 4:  # 2015/10/03: year first, then still two orders of the rest
        first, second, year = second, year, first
    elif len(match[3]) == 2:
        year += 2000
    readings = []
    for day, month in ((first, second), (second, first)):
        try:
            readings.append(f"{dt.date(year, month, day):%-d %B %Y}")
        except ValueError:
            continue
    readings = list(dict.fromkeys(readings))
    if len(readings) == 2:
        why = f"“{text}” could be {readings[0]} or {readings[1]}."
    else:
        why = (
            f"“{text}” gives the day and month as numbers, which readers take in different orders."
        )
    return f"{why} {HOW_TO_WRITE}"


class DayFormField(forms.DateField):
    """A form's date field that reads dates as ``read_date`` does."""

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        return read_date(value)


class DayField(models.DateField):
    """A date column whose typed values are read by ``read_date``, whatever door they come
    through: a form, the API, or a row of an imported file checked by ``full_clean()``."""

    def to_python(self, value: Any) -> dt.date | None:
        if value is None:
            return None
        return read_date(value)

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": DayFormField, **kwargs})
