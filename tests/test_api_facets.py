"""The API claim list's ?facets= and ?order=: counts over every matching claim, opt-in, and
which way the list and its cursors read; each refused with a 400 naming what is accepted."""

from __future__ import annotations

import datetime as dt

import pytest

from claims.models import Claim, Response
from sources.models import Actor
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    ClaimTargetFactory,
    IncidentFactory,
    ResponseFactory,
)
from tests.problems import fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def record() -> None:
    ministry = ActorFactory(name="Defence Ministry", slug="ministry")
    helmets = ActorFactory(name="White Helmets", slug="helmets")
    idlib = IncidentFactory(title="Idlib airstrikes", slug="idlib")
    for day in range(1, 5):
        claim = ClaimFactory(
            speaker=helmets,
            incident=idlib,
            kind=Claim.Kind.CASUALTY_COUNT,
            made_on=dt.date(2017, 9, day),
            summary=f"Allegation of day {day}.",
        )
        ClaimTargetFactory(claim=claim, actor=ministry)
    denial = ClaimFactory(speaker=ministry, made_on=dt.date(2017, 9, 10), summary="Denial.")
    ResponseFactory(claim=denial, answers=claim, kind=Response.Kind.DENIES)
    ClaimFactory(speaker=ministry, status=Claim.Status.DRAFT, summary="Draft.")


def test_facets_count_every_matching_claim_not_only_the_page(api_client, record) -> None:
    body = api_client.get("/api/v1/claims/?page_size=1&facets=speaker,standing,accused").json()
    assert len(body["results"]) == 1
    speaker = body["facets"]["speaker"]
    assert [(v["value"], v["label"], v["count"]) for v in speaker["values"]] == [
        ("helmets", "White Helmets", 4),
        ("ministry", "Defence Ministry", 1),
    ]
    assert (speaker["other_values"], speaker["other_count"]) == (0, 0)
    standing = {v["value"]: v["count"] for v in body["facets"]["standing"]["values"]}
    assert standing == {"unanswered": 4, "denied": 1}
    assert list(body["facets"]) == ["standing", "speaker", "accused"]


def test_facets_follow_the_filters(api_client, record) -> None:
    body = api_client.get("/api/v1/claims/?speaker=ministry&facets=kind").json()
    assert body["facets"]["kind"]["values"] == [{"value": "other", "label": "other", "count": 1}]


def test_the_plain_list_counts_no_facets(api_client, record) -> None:
    assert "facets" not in api_client.get("/api/v1/claims/").json()


def test_an_unknown_facet_answers_400_naming_the_accepted_ones(api_client, record) -> None:
    answer = api_client.get("/api/v1/claims/?facets=kind,colour")
    assert answer.status_code == 400
    assert fields(answer)["facets"] == [
        "Unknown facet colour: give any of kind, standing, speaker, accused, incident."
    ]


def summaries(body: dict) -> list[str]:
    return [row["summary"] for row in body["results"]]


def test_order_oldest_reads_forward_and_its_cursor_keeps_it(api_client, record) -> None:
    first = api_client.get("/api/v1/claims/?order=oldest&page_size=2").json()
    assert summaries(first) == ["Allegation of day 1.", "Allegation of day 2."]
    second = api_client.get(first["next"]).json()
    assert summaries(second) == ["Allegation of day 3.", "Allegation of day 4."]
    back = api_client.get(second["previous"]).json()
    assert summaries(back) == summaries(first)
    newest = api_client.get("/api/v1/claims/?order=newest&page_size=1").json()
    assert summaries(newest) == ["Denial."]


def test_the_timeline_api_reads_newest_first_when_asked(api_client, record) -> None:
    body = api_client.get("/api/v1/timeline/?order=newest&page_size=1").json()
    assert summaries(body) == ["Denial."]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("order=sideways", "Unknown order 'sideways': give one of oldest, newest."),
        ("order=newest&ordering=made_on", "Give order or ordering, not both."),
    ],
)
def test_a_bad_order_answers_400(api_client, record, query, message) -> None:
    answer = api_client.get(f"/api/v1/claims/?{query}")
    assert (answer.status_code, fields(answer)["order"]) == (400, [message])


def test_kept_facets_are_counted_again_once_the_record_changes(api_client, record) -> None:
    url = "/api/v1/claims/?facets=speaker"
    assert api_client.get(url).json()["facets"]["speaker"]["values"][1]["count"] == 1
    ClaimFactory(speaker=Actor.objects.get(slug="ministry"), summary="Another denial.")
    values = api_client.get(url).json()["facets"]["speaker"]["values"]
    assert {v["value"]: v["count"] for v in values}["ministry"] == 2
