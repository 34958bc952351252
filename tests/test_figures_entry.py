"""Figures fit real statements: categories people report, said in words, and an exact figure
typed once (its high follows its low) at every door."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from claims.exchange.importer import import_text
from claims.models import CasualtyFigure, Claim
from claims.reading.figures import group_label
from claims.record.workflow import OPERATOR
from tests.factories import ClaimFactory, FigureFactory
from tests.test_admin import ADD_URL, _empty_inline_forms, _rows

pytestmark = pytest.mark.django_db


def test_people_of_no_stated_kind_read_as_people_killed() -> None:
    figure = FigureFactory(claim=ClaimFactory(), category="people", low=22, high=22)
    assert str(figure) == "22 people killed"
    assert group_label("killed", "people") == "people killed"
    assert group_label("killed", "unknown") == "people (category not stated) killed"


@pytest.mark.parametrize(
    "category", ["people", "aid_workers", "medical_staff", "journalists", "women", "men"]
)
def test_categories_people_report_can_be_recorded(category: str) -> None:
    figure = FigureFactory(claim=ClaimFactory(), category=category, low=3, high=3)
    figure.full_clean()
    figure.refresh_from_db()
    assert figure.category == category


def test_admin_takes_an_exact_figure_typed_once(client: Client, editor, white_helmets) -> None:
    client.force_login(editor)
    data = _empty_inline_forms(client) | {
        "speaker": white_helmets.pk,
        "kind": "casualty_count",
        "summary": "Médecins Sans Frontières says 22 staff and patients were killed.",
        "quote_language": "en",
        "made_on": "2015-10-03",
        "made_precision": "day",
        "status": "draft",
        **_rows(
            "figures",
            [{"category": "people", "outcome": "killed", "qualifier": "exactly", "low": 22}],
        ),
    }
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    figure = CasualtyFigure.objects.get()
    assert (figure.category, figure.low, figure.high) == ("people", 22, 22)


def test_api_takes_an_exact_figure_typed_once(reviewer_client, white_helmets) -> None:
    response = reviewer_client.post(
        "/api/v1/claims/",
        {
            "speaker": "white-helmets",
            "kind": "casualty_count",
            "summary": "The White Helmets say 152 civilians were killed.",
            "made_on": "2017-09-26",
            "status": "draft",
            "figures": [
                {
                    "category": "medical_staff",
                    "outcome": "killed",
                    "low": 152,
                    "qualifier": "exactly",
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    figure = CasualtyFigure.objects.get()
    assert (figure.category, figure.low, figure.high) == ("medical_staff", 152, 152)


def test_importer_takes_an_exact_figure_typed_once() -> None:
    rows = [
        {
            "type": "actor",
            "slug": "msf",
            "name": "Médecins Sans Frontières",
            "kind": "organisation",
        },
        {
            "type": "claim",
            "uid": "6f1c3d0e-9b7a-4c1e-8f00-000000000002",
            "speaker": "msf",
            "kind": "casualty_count",
            "summary": "MSF says 22 staff and patients were killed.",
            "made_on": "2015-10-03",
            "status": "draft",
            "figures": [
                {"category": "people", "outcome": "killed", "qualifier": "exactly", "high": 22}
            ],
        },
    ]
    text = "\n".join(json.dumps(r) for r in rows) + "\n"
    outcome = import_text(text, name="f.jsonl", by=OPERATOR)
    assert outcome.ok, outcome.errors
    figure = Claim.objects.get().figures.get()
    assert (figure.low, figure.high) == (22, 22)
