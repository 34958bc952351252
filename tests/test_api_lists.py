"""Claim lists and the timeline: filters as query parameters, stable cursors, capped pages."""

from __future__ import annotations

import datetime as dt

import pytest

from claims.models import Claim
from claimtracker.dates import Precision
from tests.factories import ClaimFactory, ClaimTargetFactory, ResponseFactory
from tests.problems import fields


def _walk(client, url: str, **params) -> list[dict]:
    rows, response = [], client.get(url, params).json()
    rows += response["results"]
    while response["next"]:
        response = client.get(response["next"]).json()
        rows += response["results"]
    return rows


def test_claims_page_by_cursor_without_counting(api_client, white_helmets):
    for _ in range(5):
        ClaimFactory(speaker=white_helmets)

    first = api_client.get("/api/v1/claims/", {"page_size": 2}).json()

    assert "count" not in first
    assert len(first["results"]) == 2
    assert "cursor=" in first["next"]


def test_walking_every_page_returns_each_claim_once_newest_first(api_client, white_helmets):
    made = [dt.date(2017, 9, 26)] * 3 + [dt.date(2017, 9, 20), dt.date(2017, 10, 1)]
    claims = [ClaimFactory(speaker=white_helmets, made_on=day) for day in made]

    rows = _walk(api_client, "/api/v1/claims/", page_size=2)

    expected = sorted(claims, key=lambda c: (c.made_on, c.pk), reverse=True)
    assert [row["id"] for row in rows] == [c.pk for c in expected]


def test_the_timeline_runs_oldest_first_across_pages(api_client, white_helmets):
    for day in (5, 1, 3, 2, 4):
        ClaimFactory(speaker=white_helmets, made_on=dt.date(2017, 9, day))

    rows = _walk(api_client, "/api/v1/timeline/", page_size=2)

    assert [row["made_on"] for row in rows] == [f"2017-09-0{d}" for d in range(1, 6)]


def test_ordering_by_creation_keeps_an_id_tiebreak(api_client, white_helmets):
    claims = [ClaimFactory(speaker=white_helmets) for _ in range(3)]

    rows = _walk(api_client, "/api/v1/claims/", ordering="created_at", page_size=1)

    assert [row["id"] for row in rows] == [c.pk for c in claims]


def test_the_page_size_is_capped(api_client, white_helmets):
    Claim.objects.bulk_create(
        Claim(speaker=white_helmets, kind="other", summary="s", made_on=dt.date(2017, 9, 1),
              status="published")
        for _ in range(205)
    )  # fmt: skip

    body = api_client.get("/api/v1/claims/", {"page_size": 1000}).json()

    assert len(body["results"]) == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"speaker": "nobody"}, "speaker"),
        ({"since": "last week"}, "since"),
        ({"kind": "rumour"}, "kind"),
        ({"standing": "true"}, "standing"),
        ({"incident": "\x00"}, "incident"),
    ],
)
def test_a_bad_filter_answers_400_naming_the_parameter(api_client, db, params, field):
    for url in ("/api/v1/claims/", "/api/v1/timeline/"):
        response = api_client.get(url, params)

        assert response.status_code == 400
        assert field in fields(response)


def test_a_bad_cursor_answers_404_in_json(api_client, db):
    response = api_client.get("/api/v1/claims/", {"cursor": "not-a-cursor"})

    assert response.status_code == 404
    assert response.json()["detail"]


def test_claims_filter_by_standing_and_accused(api_client, white_helmets, defence_ministry):
    allegation = ClaimFactory(speaker=white_helmets)
    ClaimTargetFactory(claim=allegation, actor=defence_ministry)
    ResponseFactory(claim=ClaimFactory(speaker=defence_ministry), answers=allegation)
    ClaimFactory(speaker=white_helmets)

    denied = api_client.get("/api/v1/claims/", {"standing": "denied"}).json()["results"]
    accusing = api_client.get("/api/v1/claims/", {"accused": defence_ministry.slug}).json()

    assert [row["id"] for row in denied] == [allegation.pk]
    assert [row["id"] for row in accusing["results"]] == [allegation.pk]
    assert denied[0]["standing"] == "denied"


def test_the_timeline_counts_a_loose_date_by_its_whole_period(api_client, white_helmets):
    week = ClaimFactory(
        speaker=white_helmets, made_on=dt.date(2017, 9, 18), made_precision=Precision.WEEK
    )
    ClaimFactory(speaker=white_helmets, made_on=dt.date(2017, 9, 1))

    rows = api_client.get("/api/v1/timeline/", {"since": "2017-09-20"}).json()["results"]

    assert [row["id"] for row in rows] == [week.pk]


def test_list_pages_of_the_registries_are_capped(editor_client, db):
    from sources.models import Actor

    Actor.objects.bulk_create(
        Actor(name=f"Actor {n}", slug=f"actor-{n}", kind="organisation") for n in range(205)
    )

    # A reader of drafts: the public sees only actors a public claim uses (test_visibility.py).
    body = editor_client.get("/api/v1/actors/", {"limit": 10_000}).json()

    assert body["count"] == 205
    assert len(body["results"]) == 200


@pytest.mark.parametrize(
    ("url", "ordering", "key"),
    [
        ("/api/v1/actors/", "-name", "name"),
        ("/api/v1/incidents/", "title", "title"),
        ("/api/v1/documents/", "-title", "title"),
    ],
)
def test_registries_order_by_a_query_parameter(api_client, white_helmets, url, ordering, key):
    from tests.factories import (
        ActorFactory,
        AttributionFactory,
        ClaimFactory,
        DocumentFactory,
        IncidentFactory,
    )

    for name in ("Beta", "Alpha", "Gamma"):
        # Each used by a published claim, so public (test_visibility.py).
        claim = ClaimFactory(speaker=ActorFactory(name=name), incident=IncidentFactory(title=name))
        AttributionFactory(
            claim=claim,
            actor=white_helmets,
            document=DocumentFactory(title=name, publisher=white_helmets),
        )

    values = [row[key] for row in api_client.get(url, {"ordering": ordering}).json()["results"]]

    assert len(values) >= 3
    assert values == sorted(values, reverse=ordering.startswith("-"))
