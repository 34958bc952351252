"""The timeline's actor and incident filters take any name, alias or part of one, and a filter
that names nothing shows no claims and says why, with the names it might have meant."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import (
    ActorFactory,
    AliasFactory,
    ClaimFactory,
    ClaimTargetFactory,
    IncidentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene() -> dict:
    msf = ActorFactory(name="Médecins Sans Frontières", slug="medecins-sans-frontieres")
    AliasFactory(actor=msf, name="MSF", language="en")
    AliasFactory(actor=msf, name="Doctors Without Borders", language="en")
    nato = ActorFactory(name="NATO", slug="nato")
    kunduz = IncidentFactory(title="Strike on the Kunduz trauma centre, October 2015", slug="k1")
    other = IncidentFactory(title="Airstrikes in Idlib province", slug="idlib")
    by_msf = ClaimFactory(speaker=msf, incident=kunduz, summary="MSF says its hospital was hit.")
    by_nato = ClaimFactory(speaker=nato, incident=other, summary="NATO says something else.")
    ClaimTargetFactory(claim=by_msf, actor=nato)
    return {"msf": by_msf, "nato": by_nato}


@pytest.mark.parametrize(
    "typed", ["MSF", "Doctors Without Borders", "doctors without", "sans front"]
)
def test_actor_filter_takes_a_name_an_alias_or_part_of_one(
    client: Client, scene: dict, typed: str
) -> None:
    page = client.get("/timeline/", {"speaker": typed}).content.decode()
    assert "MSF says its hospital was hit." in page
    assert "NATO says something else." not in page
    assert "1 claim matching the filters" in page


def test_incident_filter_takes_part_of_its_title(client: Client, scene: dict) -> None:
    page = client.get("/timeline/", {"incident": "Kunduz"}).content.decode()
    assert "MSF says its hospital was hit." in page
    assert "NATO says something else." not in page


def test_a_filter_naming_nothing_shows_no_claims_and_says_why(client: Client, scene: dict) -> None:
    response = client.get("/timeline/", {"actor": "Nobody at all"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "No actor is named or also known as “Nobody at all”" in page
    assert "MSF says its hospital was hit." not in page
    assert "NATO says something else." not in page
    assert "claims matching the filters" not in page
    assert "No claims are shown" in page


def test_a_name_matching_several_actors_offers_each_as_a_link(client: Client, scene: dict) -> None:
    ClaimFactory(speaker=ActorFactory(name="MSF Belgium", slug="msf-belgium"))
    page = client.get("/timeline/", {"actor": "MS"}).content.decode()
    assert "MSF says its hospital was hit." not in page
    assert "Did you mean" in page
    assert 'href="/timeline/?actor=medecins-sans-frontieres"' in page
    assert 'href="/timeline/?actor=msf-belgium"' in page


def test_an_exact_alias_wins_over_names_that_only_contain_it(client: Client, scene: dict) -> None:
    ClaimFactory(speaker=ActorFactory(name="MSF Belgium", slug="msf-belgium"))
    page = client.get("/timeline/", {"actor": "msf"}).content.decode()
    assert "MSF says its hospital was hit." in page


def test_a_short_name_still_works_and_the_api_still_takes_slugs(
    client: Client, scene: dict
) -> None:
    page = client.get("/timeline/", {"actor": "nato"}).content.decode()
    assert "2 claims matching the filters" in page
    api = client.get("/api/v1/claims/", {"speaker": "MSF"})
    assert api.status_code == 400


def test_the_timeline_says_whom_a_typed_name_was_read_as(client: Client, scene: dict) -> None:
    page = client.get("/timeline/", {"speaker": "Doctors Without Borders"}).content.decode()
    assert "“Doctors Without Borders” is read as Médecins Sans Frontières." in page


def test_a_refused_filter_neither_lists_nor_links_the_api_query(
    client: Client, scene: dict
) -> None:
    page = client.get("/timeline/", {"actor": "Nobody at all"}).content.decode()
    assert "No claims match these filters" not in page
    assert "/api/v1/timeline/?actor=Nobody" not in page


def test_a_name_typed_as_it_is_needs_no_reading_note(client: Client, scene: dict) -> None:
    page = client.get("/timeline/", {"speaker": "nato"}).content.decode()
    assert "is read as" not in page
