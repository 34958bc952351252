"""Numbers at the doors: digits Python calls digits but ``int()`` refuses answer a 4xx, never a 500.

Found by schemathesis: ``?incident=¹`` on the claims' CSV export raised ValueError, because
``"¹".isdigit()`` is true. Each door that reads an id, a size or a record number is asked for a
superscript, an Arabic-Indic digit and a fullwidth digit.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from claimtracker.numbers import plain_id, plain_int
from tests.factories import ClaimFactory

ODD_DIGITS = ["¹", "²3", "٣", "３", "1²"]


@pytest.mark.parametrize("text", [*ODD_DIGITS, "", " 1", "-1", "1.0", "+2"])
def test_plain_int_takes_ascii_digits_alone(text: str) -> None:
    assert plain_int(text) is None


def test_plain_int_reads_ascii_digits_and_its_limit() -> None:
    assert plain_int("0042") == 42
    assert plain_id("9" * 18) == int("9" * 18)
    assert plain_id("9" * 19) is None


FILTER_DOORS = [
    "/api/v1/claims/?incident={}",
    "/api/v1/claims/?speaker={}",
    "/api/v1/claims/?accused={}",
    "/api/v1/claims/?actor={}",
    "/api/v1/claims/export/csv/?incident={}",
    "/api/v1/claims/export/csv/?speaker={}",
    "/api/v1/responses/?claim={}",
    "/api/v1/ledger/proof/consistency/?from={}&to=1",
    "/api/v1/ledger/proof/inclusion/?record={}",
    "/api/v1/claims/?recorded_by={}",
    "/claims/?incident={}",
    "/claims/?speaker={}",
]


@pytest.mark.django_db
@pytest.mark.parametrize("door", FILTER_DOORS)
@pytest.mark.parametrize("text", ["¹", "٣"])
def test_odd_digits_are_refused_at_every_door(door: str, text: str) -> None:
    ClaimFactory()
    response = Client().get(door.format(text))
    assert 400 <= response.status_code < 500, (door, text, response.status_code)


@pytest.mark.django_db
def test_the_export_schemathesis_found() -> None:
    # The request as schemathesis sent it, control characters and all.
    ClaimFactory()
    url = (
        "/api/v1/claims/export/csv/?kind=event&since=0788-01-31&standing=%C2%B6&incident=%C2%B9"
        "&status=draft&until=0405-09-15&language=%0E&accused=%19&speaker=%19&actor=%03"
    )
    response = Client().get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "incident" in json.dumps(response.json())
