"""``?count=exact`` on lists: claims and the timeline count only when asked (issue 16)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ClaimFactory
from tests.problems import fields

pytestmark = pytest.mark.django_db


def test_the_claim_list_counts_every_match_when_asked(api_client, white_helmets, reuters):
    for _ in range(3):
        ClaimFactory(speaker=white_helmets)
    ClaimFactory(speaker=reuters)

    answer = api_client.get("/api/v1/claims/?speaker=white-helmets&page_size=2&count=exact")

    assert answer.status_code == 200, answer.json()
    assert answer.json()["count"] == 3
    assert len(answer.json()["results"]) == 2


def test_the_claim_list_does_not_count_unless_asked(api_client):
    ClaimFactory()

    answer = api_client.get("/api/v1/claims/")

    assert "count" not in answer.json()


def test_counting_costs_one_query(api_client):
    ClaimFactory.create_batch(3)
    plain = _queries(api_client, "/api/v1/claims/")
    counted = _queries(api_client, "/api/v1/claims/?count=exact")

    assert counted == plain + 1


def test_the_timeline_counts_when_asked(api_client):
    ClaimFactory.create_batch(2)

    assert api_client.get("/api/v1/timeline/?count=exact").json()["count"] == 2


def test_registries_accept_count_and_always_count(api_client, white_helmets):
    ClaimFactory(speaker=white_helmets)

    assert api_client.get("/api/v1/actors/?count=exact").json()["count"] == 1


def test_another_count_value_is_refused(api_client):
    answer = api_client.get("/api/v1/claims/?count=estimate")

    assert answer.status_code == 400
    assert "count" in fields(answer)


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


NOT_A_NUMBER = "A valid integer is required."
AT_LEAST_1 = "Ensure this value is greater than or equal to 1."
AT_LEAST_0 = "Ensure this value is greater than or equal to 0."


@pytest.mark.parametrize(
    ("url", "asked", "field", "message"),
    [
        ("/api/v1/actors/", {"limit": "ten"}, "limit", NOT_A_NUMBER),
        ("/api/v1/documents/", {"limit": 0}, "limit", AT_LEAST_1),
        ("/api/v1/incidents/", {"offset": -1}, "offset", AT_LEAST_0),
        ("/api/v1/claims/", {"page_size": "all"}, "page_size", NOT_A_NUMBER),
        ("/api/v1/timeline/", {"page_size": 0}, "page_size", AT_LEAST_1),
    ],
)
def test_a_page_that_cannot_be_is_refused_by_every_list(api_client, url, asked, field, message):
    # DRF's paginators alone answer the first page, of the default size, for each of these.
    answer = api_client.get(url, asked)

    assert answer.status_code == 400
    assert fields(answer) == {field: [message]}
