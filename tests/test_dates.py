"""Loose dates: a date plus a precision stands for a whole period."""

from __future__ import annotations

import datetime as dt

import pytest

from claimtracker.dates import describe, normalise, period


@pytest.mark.parametrize(
    ("day", "precision", "expected"),
    [
        (dt.date(2017, 9, 26), "day", (dt.date(2017, 9, 26), dt.date(2017, 9, 26))),
        (dt.date(2017, 9, 24), "week", (dt.date(2017, 9, 18), dt.date(2017, 9, 24))),
        (dt.date(2016, 2, 10), "month", (dt.date(2016, 2, 1), dt.date(2016, 2, 29))),
        (dt.date(2017, 9, 26), "year", (dt.date(2017, 1, 1), dt.date(2017, 12, 31))),
    ],
)
def test_a_loose_date_stands_for_its_whole_period(day, precision, expected) -> None:
    assert period(day, precision) == expected
    assert normalise(day, precision) == expected[0]


def test_description_names_the_precision() -> None:
    assert describe(dt.date(2017, 9, 20), "week") == "week of 18 Sep 2017 – 24 Sep 2017"
    assert describe(dt.date(2017, 9, 20), "month") == "September 2017"
    assert describe(None, "day") == "date unknown"
