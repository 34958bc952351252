"""World time's one rule: a claim counts "as of" a day once its whole (loose) period has passed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from claims.models import Claim
from claims.reading.asof import as_of_from
from claimtracker.dates import known_by, normalise
from tests.factories import ClaimFactory

D = dt.date


@pytest.mark.parametrize(
    ("made_on", "precision", "as_of", "counted"),
    [
        (D(2015, 10, 3), "day", D(2015, 10, 3), True),
        (D(2015, 10, 3), "day", D(2015, 10, 2), False),
        # The week of Mon 5 Oct 2015 ends on Sunday 11 Oct.
        (D(2015, 10, 7), "week", D(2015, 10, 10), False),
        (D(2015, 10, 7), "week", D(2015, 10, 11), True),
        # "In October 2015" is not yet made as of 10 October, but is by its last day.
        (D(2015, 10, 1), "month", D(2015, 10, 10), False),
        (D(2015, 10, 1), "month", D(2015, 10, 31), True),
        (D(2016, 2, 1), "month", D(2016, 2, 29), True),
        (D(2015, 1, 1), "year", D(2015, 12, 30), False),
        (D(2015, 1, 1), "year", D(2015, 12, 31), True),
    ],
)
def test_a_loose_date_counts_by_the_end_of_its_period(made_on, precision, as_of, counted):
    stored = normalise(made_on, precision)
    assert (stored < known_by(as_of)[precision]) is counted


@pytest.mark.django_db
def test_made_by_filters_claims_in_sql():
    in_october = ClaimFactory(made_on=D(2015, 10, 1), made_precision="month")
    on_the_3rd = ClaimFactory(made_on=D(2015, 10, 3))
    later = ClaimFactory(made_on=D(2015, 10, 11))
    as_of_10th = set(Claim.objects.made_by(D(2015, 10, 10)))
    assert as_of_10th == {on_the_3rd}
    assert set(Claim.objects.made_by(D(2015, 10, 31))) == {in_october, on_the_3rd, later}


def test_as_of_parameter_is_an_iso_date_or_a_field_message():
    assert as_of_from({"as_of": "2015-10-10"}) == D(2015, 10, 10)
    assert as_of_from({"as_of": ""}) is None
    assert as_of_from({}) is None
    with pytest.raises(ValidationError) as refused:
        as_of_from({"as_of": "10/10/2015"})
    assert "YYYY-MM-DD" in refused.value.message_dict["as_of"][0]
