"""``/api/v1/figures/``: every figure of the claims a reader may list, with filters (issue 16)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import CasualtyFigure, Claim
from tests.factories import ClaimFactory, FigureFactory, IncidentFactory
from tests.problems import fields

pytestmark = pytest.mark.django_db


def test_figures_are_listed_with_their_claim_and_incident(api_client, white_helmets):
    incident = IncidentFactory(slug="idlib")
    claim = ClaimFactory(speaker=white_helmets, incident=incident)
    FigureFactory(claim=claim, low=152, high=152, as_stated="152")

    answer = api_client.get("/api/v1/figures/")

    assert answer.status_code == 200, answer.json()
    [row] = answer.json()["results"]
    assert row["as_stated"] == "152"
    assert row["claim"]["speaker"]["slug"] == "white-helmets"
    assert row["incident"]["slug"] == "idlib"
    assert answer.json()["count"] == 1


def test_figures_filter_by_speaker_outcome_and_incident(api_client, white_helmets, reuters):
    incident = IncidentFactory(slug="idlib")
    FigureFactory(claim=ClaimFactory(speaker=white_helmets, incident=incident), as_stated="a")
    FigureFactory(
        claim=ClaimFactory(speaker=white_helmets),
        outcome=CasualtyFigure.Outcome.INJURED,
        as_stated="b",
    )
    FigureFactory(claim=ClaimFactory(speaker=reuters, incident=incident), as_stated="c")

    def shown(query: str) -> list[str]:
        answer = api_client.get(f"/api/v1/figures/?{query}")
        assert answer.status_code == 200, answer.json()
        return sorted(row["as_stated"] for row in answer.json()["results"])

    assert shown("speaker=white-helmets") == ["a", "b"]
    assert shown("speaker=white-helmets&outcome=killed") == ["a"]
    assert shown("incident=idlib") == ["a", "c"]


def test_the_public_sees_no_figure_of_a_draft(api_client, reviewer_client):
    FigureFactory(claim=ClaimFactory(status=Claim.Status.DRAFT))

    assert api_client.get("/api/v1/figures/").json()["results"] == []
    assert len(reviewer_client.get("/api/v1/figures/").json()["results"]) == 1


def test_figures_made_after_as_of_are_left_out(api_client):
    FigureFactory(claim=ClaimFactory(made_on="2017-09-26"))

    assert api_client.get("/api/v1/figures/?as_of=2017-09-01").json()["results"] == []


def test_a_claim_filter_that_is_not_an_id_is_refused(api_client):
    figure = FigureFactory()

    assert api_client.get(f"/api/v1/figures/?claim={figure.claim_id}.9").status_code == 400
    assert len(api_client.get(f"/api/v1/figures/?claim={figure.claim_id}").json()["results"]) == 1


def test_an_unknown_figure_filter_is_refused(api_client):
    answer = api_client.get("/api/v1/figures/?outcom=killed")

    assert answer.status_code == 400
    assert "outcom" in fields(answer)


def test_the_figure_list_makes_a_fixed_number_of_queries(api_client):
    FigureFactory.create_batch(2)
    few = _queries(api_client, "/api/v1/figures/")
    FigureFactory.create_batch(8)

    # Count of the page, the figures with claim, speaker, incident and who worded them.
    assert _queries(api_client, "/api/v1/figures/") == few == 2


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)
