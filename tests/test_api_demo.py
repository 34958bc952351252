"""The running example read back through the API: the allegation, its denial, the figure spread."""

from __future__ import annotations

import pytest

from claims.models import Claim

pytestmark = pytest.mark.usefixtures("demo")

INCIDENT = "idlib-airstrikes-september-2017"


@pytest.fixture
def allegation() -> Claim:
    return Claim.objects.get(speaker__slug="white-helmets", kind=Claim.Kind.CASUALTY_COUNT)


@pytest.fixture
def denial() -> Claim:
    return Claim.objects.get(
        responses_made__kind="denies", speaker__slug="russian-defence-ministry"
    )


def test_the_white_helmets_claim_shows_the_ministrys_denial(api_client, allegation, denial):
    body = api_client.get(f"/api/v1/claims/{allegation.pk}/").json()

    denials = [r for r in body["responses_received"] if r["kind"] == "denies"]
    assert [r["by"]["id"] for r in denials] == [denial.pk]
    assert denials[0]["by"]["speaker"]["slug"] == "russian-defence-ministry"
    assert body["standing"] == "denied"
    assert body["spokesperson"]["kind"] == "unidentified"
    assert [a["slug"] for a in body["accused"]] == ["russia", "syrian-government"]
    assert [hop["actor"]["slug"] for hop in body["attribution_chain"]] == [
        "white-helmets",
        "reuters",
        "rt",
    ]
    assert body["attribution_chain"][-1]["document"]["publisher"]["slug"] == "rt"
    assert body["made_precision"] == "week"
    assert body["independent_originator_count"] == 1
    assert body["incident"]["slug"] == INCIDENT


def test_the_ministrys_claim_shows_what_it_denies(api_client, allegation, denial):
    body = api_client.get(f"/api/v1/claims/{denial.pk}/").json()

    assert [(r["kind"], r["to"]["id"]) for r in body["responses_made"]] == [
        ("denies", allegation.pk)
    ]
    assert body["spokesperson"]["slug"] == "igor-konashenkov"


def test_the_evidence_the_ministry_cites_is_asserted_but_not_produced(api_client):
    claim = Claim.objects.get(evidence__kind="intelligence")

    [evidence] = api_client.get(f"/api/v1/claims/{claim.pk}/").json()["evidence"]

    assert evidence["availability"] == "not_produced"
    assert evidence["relation"] == "cited"


def test_the_figure_spread_lists_152_and_more_than_150(api_client):
    figures = api_client.get(f"/api/v1/incidents/{INCIDENT}/figures/").json()["results"]

    assert [(f["range_display"], f["as_stated"]) for f in figures] == [
        ("152", "152"),
        ("more than 150", "over 150"),
    ]
    assert figures[1]["low"] == 150
    assert figures[1]["high"] is None
    assert figures[1]["reported_by"]["slug"] == "rt"
    assert {f["claim"]["speaker"]["slug"] for f in figures} == {"white-helmets"}


def test_actors_are_found_by_an_alias(api_client):
    body = api_client.get("/api/v1/actors/", {"q": "Jabhat"}).json()

    assert [a["slug"] for a in body["results"]] == ["nusra-front"]
    assert api_client.get("/api/v1/actors/nusra-front/").json()["name"] == "Nusra Front"


def test_the_timeline_of_the_incident_is_chronological_and_shows_answers(api_client, allegation):
    rows = api_client.get("/api/v1/timeline/", {"incident": INCIDENT}).json()["results"]

    dates = [row["made_on"] for row in rows]
    assert dates == sorted(dates)
    answering = [row for row in rows if row["responds_to"]]
    assert answering
    assert all(r["to"]["id"] == allegation.pk for row in answering for r in row["responds_to"])


def test_the_timeline_of_an_actor_includes_claims_accusing_it(api_client, allegation):
    rows = api_client.get("/api/v1/timeline/", {"actor": "russia"}).json()["results"]

    assert allegation.pk in [row["id"] for row in rows]
    assert all(
        row["speaker"]["slug"] == "russia" or "russia" in [a["slug"] for a in row["accused"]]
        for row in rows
    )
