"""The API's claim filters (claims.reading.filters, which the pages extend with names typed)
take an actor or incident by id or by slug, as API reads show both and API writes take both
(issue 16)."""

from __future__ import annotations

import pytest

from tests.factories import ClaimFactory, IncidentFactory
from tests.problems import errors_by_field

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_claims(white_helmets, defence_ministry):
    incident = IncidentFactory(slug="idlib-airstrikes")
    mine = ClaimFactory(speaker=white_helmets, incident=incident)
    mine.claim_targets.create(actor=defence_ministry, role="accused")
    ClaimFactory(speaker=defence_ministry)
    return mine, incident


@pytest.mark.parametrize("name", ["speaker", "actor"])
def test_a_speaker_by_id_answers_as_by_slug(api_client, two_claims, white_helmets, name):
    by_id = api_client.get("/api/v1/claims/", {name: white_helmets.pk}).json()["results"]
    by_slug = api_client.get("/api/v1/claims/", {name: white_helmets.slug}).json()["results"]

    assert [c["id"] for c in by_id] == [c["id"] for c in by_slug] == [two_claims[0].pk]


def test_the_accused_and_the_incident_by_id(api_client, two_claims, defence_ministry):
    mine, incident = two_claims

    accused = api_client.get("/api/v1/claims/", {"accused": defence_ministry.pk}).json()
    about = api_client.get("/api/v1/timeline/", {"incident": incident.pk}).json()

    assert [c["id"] for c in accused["results"]] == [mine.pk]
    assert [c["id"] for c in about["results"]] == [mine.pk]


def test_an_id_no_row_has_is_refused_naming_the_filter(api_client, two_claims):
    answer = api_client.get("/api/v1/claims/", {"speaker": 987654})

    assert answer.status_code == 400
    assert errors_by_field(answer)["speaker"] == ["No actor that you can read has this slug or id."]


def test_a_slug_made_of_digits_is_read_as_the_slug_first(api_client, white_helmets):
    numbered = white_helmets.__class__.objects.create(
        slug="1983", name="Group 1983", kind="armed_group"
    )
    ClaimFactory(speaker=numbered)

    listed = api_client.get("/api/v1/claims/", {"speaker": "1983"}).json()["results"]

    assert [c["speaker"]["slug"] for c in listed] == ["1983"]
