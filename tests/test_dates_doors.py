"""Dates are read one way at every door: ISO and written dates are taken, numeric dates whose
day and month could be swapped are refused with a message saying how to write them."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from claims.exchange.importer import import_text
from claims.models import Claim
from claims.record.workflow import OPERATOR
from claimtracker.dates import read_date
from tests.test_admin import ADD_URL, _empty_inline_forms

pytestmark = pytest.mark.django_db

OCT_3 = dt.date(2015, 10, 3)


@pytest.mark.parametrize(
    "text",
    ["2015-10-03", "3 Oct 2015", "3 October 2015", "03 oct. 2015", "Oct 3, 2015", "October 3 2015"],
)
def test_iso_and_written_dates_are_read_as_3_october(text: str) -> None:
    assert read_date(text) == OCT_3


@pytest.mark.parametrize("text", ["03/10/2015", "3.10.2015", "10-03-2015", "3/10/15"])
def test_numeric_dates_are_refused_with_how_to_write_them(text: str) -> None:
    with pytest.raises(ValidationError) as refused:
        read_date(text)
    message = " ".join(refused.value.messages)
    assert "2015-10-03" in message or "YYYY-MM-DD" in message
    assert "3 Oct 2015" in message


def test_a_refusal_names_both_readings_when_both_are_dates() -> None:
    with pytest.raises(ValidationError) as refused:
        read_date("03/10/2015")
    message = " ".join(refused.value.messages)
    assert "3 October 2015" in message
    assert "10 March 2015" in message


@pytest.mark.parametrize("text", ["2015-02-30", "31 Sep 2015", "someday", "2015-W40-6", "20151003"])
def test_what_is_no_date_is_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        read_date(text)


def _claim_post(client: Client, made_on: str, speaker) -> dict:
    return _empty_inline_forms(client) | {
        "speaker": speaker.pk,
        "kind": "other",
        "summary": "The White Helmets say something.",
        "quote_language": "en",
        "made_on": made_on,
        "made_precision": "day",
        "status": "draft",
    }


def test_admin_refuses_an_ambiguous_date_beside_the_field(
    client: Client, editor, white_helmets
) -> None:
    client.force_login(editor)
    response = client.post(ADD_URL, _claim_post(client, "03/10/2015", white_helmets))
    assert response.status_code == 200
    assert "could be 3 October 2015 or 10 March 2015" in response.content.decode()
    assert response.context["adminform"].form.errors["made_on"]
    assert not Claim.objects.exists()


def test_admin_reads_a_written_date(client: Client, editor, white_helmets) -> None:
    client.force_login(editor)
    response = client.post(ADD_URL, _claim_post(client, "3 Oct 2015", white_helmets))
    assert response.status_code == 302
    assert Claim.objects.get().made_on == OCT_3


def _api_claim(made_on: str) -> dict:
    return {
        "speaker": "white-helmets",
        "kind": "other",
        "summary": "The White Helmets say something.",
        "made_on": made_on,
        "status": "draft",
    }


def test_api_refuses_an_ambiguous_date_at_its_field(reviewer_client, white_helmets) -> None:
    response = reviewer_client.post("/api/v1/claims/", _api_claim("03/10/2015"), format="json")
    assert response.status_code == 400
    assert "could be 3 October 2015 or 10 March 2015" in json.dumps(response.json())
    assert "made_on" in json.dumps(response.json())
    assert not Claim.objects.exists()


def test_api_reads_a_written_date(reviewer_client, white_helmets) -> None:
    response = reviewer_client.post("/api/v1/claims/", _api_claim("3 Oct 2015"), format="json")
    assert response.status_code == 201, response.json()
    assert Claim.objects.get().made_on == OCT_3


def _import(made_on: str):
    rows = [
        {"type": "actor", "slug": "wh", "name": "White Helmets", "kind": "organisation"},
        {
            "type": "claim",
            "uid": "6f1c3d0e-9b7a-4c1e-8f00-000000000001",
            "speaker": "wh",
            "kind": "other",
            "summary": "The White Helmets say something.",
            "made_on": made_on,
            "status": "draft",
        },
    ]
    return import_text("\n".join(json.dumps(r) for r in rows) + "\n", name="d.jsonl", by=OPERATOR)


def test_importer_refuses_an_ambiguous_date_with_its_line() -> None:
    outcome = _import("03/10/2015")
    assert not outcome.ok
    assert "could be 3 October 2015 or 10 March 2015" in json.dumps(outcome.errors)
    assert not Claim.objects.exists()


def test_importer_reads_a_written_date() -> None:
    outcome = _import("3 Oct 2015")
    assert outcome.ok, outcome.errors
    assert Claim.objects.get().made_on == OCT_3
