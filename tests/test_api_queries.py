"""Every list endpoint makes as many queries for 50 rows as for 5: eager loading, no N+1."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Claim, Response
from sources.models import Actor
from tests.factories import (
    ActorFactory,
    AliasFactory,
    AssessmentFactory,
    AttributionFactory,
    ClaimFactory,
    ClaimTargetFactory,
    DocumentFactory,
    EvidenceFactory,
    FigureFactory,
    IncidentFactory,
)

LISTS = [
    "/api/v1/actors/?limit=200",
    "/api/v1/documents/?limit=200",
    "/api/v1/incidents/?limit=200",
    "/api/v1/claims/?page_size=200",
    "/api/v1/claims/?page_size=200&standing=denied&actor=russia",
    "/api/v1/claims/?page_size=200&order=oldest&facets=kind,standing,speaker,accused,incident",
    "/api/v1/responses/?limit=200",
    "/api/v1/evidence/?limit=200",
    "/api/v1/timeline/?page_size=200&incident=idlib",
    "/api/v1/incidents/idlib/figures/",
    "/api/v1/incidents/idlib/claimreview/",
    "/api/v1/search/?q=shelling&limit=50",
    "/api/v1/claims/export/csv/",
    "/api/v1/claims/export/jsonl/",
]


def add_claims(count: int, incident, russia: Actor) -> None:
    """``count`` published claims, each with every part a list shows, answering the one before."""
    previous = Claim.objects.order_by("-id").first()
    for _ in range(count):
        speaker = ActorFactory()
        AliasFactory(actor=speaker, name=f"{speaker.name} shelling monitor")
        IncidentFactory()
        document = DocumentFactory(title=f"Shelling report on {speaker.name}")
        claim = ClaimFactory(
            speaker=speaker,
            spokesperson=ActorFactory(kind=Actor.Kind.PERSON),
            incident=incident,
            summary=f"{speaker.name} reports shelling.",
            made_on=dt.date(2017, 9, 26),
        )
        ClaimTargetFactory(claim=claim, actor=russia)
        ClaimTargetFactory(claim=claim, actor=ActorFactory(), role="subject")
        FigureFactory(claim=claim, reported_by=document.publisher)
        AttributionFactory(claim=claim, position=1, actor=speaker, verb="said")
        AttributionFactory(claim=claim, position=2, actor=document.publisher, document=document)
        EvidenceFactory(claim=claim)
        AssessmentFactory(claim=claim)
        if previous is not None:
            Response.objects.create(claim=claim, answers=previous, kind="denies")
        previous = claim


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, (url, response.content[:300])
    return len(queries)


@pytest.fixture
def rows(db):
    russia = ActorFactory(slug="russia", name="Russia")
    incident = IncidentFactory(slug="idlib")
    return lambda count: add_claims(count, incident, russia)


def query_counts(client, rows) -> dict[str, tuple[int, int]]:
    """Queries per list endpoint with 5 rows, then with 50 (rows built once for all endpoints)."""
    client.get("/api/v1/")  # a token's first use of the minute records it: not part of a list
    rows(5)
    with_five = {url: count_queries(client, url) for url in LISTS}
    rows(45)
    return {url: (with_five[url], count_queries(client, url)) for url in LISTS}


def test_every_list_makes_as_many_queries_for_50_rows_as_for_5(api_client, rows):
    counts = query_counts(api_client, rows)

    assert {url: c for url, c in counts.items() if c[0] != c[1]} == {}


def test_every_list_read_with_a_token_makes_as_many_queries_for_50_rows_as_for_5(
    editor_client, rows
):
    counts = query_counts(editor_client, rows)

    assert {url: c for url, c in counts.items() if c[0] != c[1]} == {}


def test_a_claim_detail_makes_a_fixed_number_of_queries(
    api_client, rows, django_assert_num_queries
):
    rows(3)
    claim = Claim.objects.order_by("id")[1]
    # The record's head (the key of the kept answer, claims/api/kept.py); the claim with
    # standing; figures, chain, targets, evidence, both directions of responses; then the two
    # queries of independent_originators().
    with django_assert_num_queries(1 + 9):
        response = api_client.get(f"/api/v1/claims/{claim.pk}/")

    assert response.status_code == 200
    assert len(response.json()["responses_received"]) == 1
    assert len(response.json()["responses_made"]) == 1
    # The same record again: the answer is kept; only the head is read.
    with django_assert_num_queries(1):
        again = api_client.get(f"/api/v1/claims/{claim.pk}/")
    assert again.json() == response.json()
    assert again["ETag"] == response["ETag"]


def test_a_page_of_the_claim_list_is_two_queries(api_client, rows, django_assert_num_queries):
    rows(60)
    # The record's head (the key of the kept answer); the claims with standing, people and
    # incident; then the accused of the whole page.
    with django_assert_num_queries(1 + 2):
        first = api_client.get("/api/v1/claims/?page_size=50")
    with django_assert_num_queries(1 + 2):
        second = api_client.get(first.json()["next"])

    assert len(first.json()["results"]) == 50
    assert len(second.json()["results"]) == 10
    # The same record again: each page is kept; only the head is read.
    with django_assert_num_queries(1):
        assert api_client.get(first.json()["next"]).json() == second.json()


def test_the_claim_list_with_facets_adds_one_query_per_facet(
    api_client, rows, django_assert_num_queries
):
    rows(60)
    url = "/api/v1/claims/?facets=kind,standing,speaker,accused,incident"
    # The record's head (the key of the kept answer), the page's two, the head again (the key
    # of the kept facets, which a page of another position reuses), then one GROUP BY per
    # facet asked for.
    with django_assert_num_queries(1 + 2 + 1 + 5):
        answer = api_client.get(url)
    assert answer.status_code == 200
    # The same record again: the whole answer is kept.
    with django_assert_num_queries(1):
        again = api_client.get(url)
    assert again.json()["facets"] == answer.json()["facets"]
    # Another position builds its page but keeps the facets.
    with django_assert_num_queries(1 + 2 + 1):
        api_client.get(answer.json()["next"])
    # A filter naming an actor looks it up for the page and again for the facets' query.
    with django_assert_num_queries(1 + 2 + 1 + 1 + 2):
        api_client.get("/api/v1/claims/?facets=accused&actor=russia")
