"""Search: the shared service and /api/v1/search/, full-text on PostgreSQL, fallback on SQLite."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchQuery

from claims.models import Claim
from claims.reading.search import CONFIGS, SearchHit, search
from tests.factories import (
    AliasFactory,
    AttributionFactory,
    ClaimFactory,
    DocumentFactory,
    IncidentFactory,
)
from tests.problems import fields


@pytest.fixture
def bodies_claim(white_helmets):
    return ClaimFactory(
        speaker=white_helmets,
        kind=Claim.Kind.CASUALTY_COUNT,
        summary="The White Helmets say their members recovered 152 bodies of civilians in Idlib.",
    )


def test_search_finds_a_claim_by_a_word_of_its_summary_with_the_word_marked(bodies_claim):
    results = search("bodies", user=AnonymousUser())

    assert list(results) == ["claim", "actor", "document", "incident"]
    [hit] = results["claim"]
    assert isinstance(hit, SearchHit)
    assert hit.obj == bodies_claim
    assert "<mark>bodies</mark>" in hit.fragment


def test_search_finds_an_actor_by_an_alias(white_helmets, bodies_claim):
    [hit] = search("civil defence", user=AnonymousUser())["actor"]

    assert hit.obj == white_helmets
    assert "<mark>Civil</mark>" in hit.fragment


def test_search_escapes_html_in_the_fragment(white_helmets):
    ClaimFactory(speaker=white_helmets, summary='<script>alert(1)</script> "A & B" shelling < 5')

    [hit] = search("shelling", user=AnonymousUser())["claim"]

    assert "<script>" not in hit.fragment
    assert "&amp;" in hit.fragment
    assert "&lt; 5" in hit.fragment


def test_search_hides_drafts_from_anonymous_users_and_shows_them_to_editors(white_helmets, editor):
    ClaimFactory(speaker=white_helmets, summary="A draft about shelling", status="draft")

    assert search("shelling", user=AnonymousUser())["claim"] == []
    assert len(search("shelling", user=editor)["claim"]) == 1


def test_a_blank_query_returns_nothing(bodies_claim):
    assert search("   ", user=AnonymousUser()) == {}
    assert search("\x00", user=AnonymousUser()) == {}


def test_search_covers_documents_and_incidents(db):
    # Used by a published claim: what only drafts use is not found (test_visibility.py).
    document = DocumentFactory(title="Airstrikes in Idlib province")
    incident = IncidentFactory(title="Airstrikes on Idlib", place="Idlib")
    AttributionFactory(claim=ClaimFactory(incident=incident), document=document)

    results = search("idlib", user=AnonymousUser())

    assert len(results["document"]) == 1
    assert len(results["incident"]) == 1
    assert "<mark>" in results["document"][0].fragment


def test_the_search_endpoint_returns_hits_per_kind_with_fragments_and_links(
    api_client, bodies_claim, white_helmets
):
    response = api_client.get("/api/v1/search/", {"q": "bodies"})

    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "bodies"
    [hit] = body["claim"]
    assert hit["id"] == bodies_claim.pk
    assert "<mark>bodies</mark>" in hit["fragment"]
    assert hit["url"].endswith(f"/api/v1/claims/{bodies_claim.pk}/")
    assert hit["html_url"].endswith(f"/claims/{bodies_claim.pk}/")
    assert body["actor"] == []


def test_the_search_endpoint_finds_an_actor_by_alias(api_client, white_helmets, bodies_claim):
    body = api_client.get("/api/v1/search/", {"q": "Syrian Civil Defence"}).json()

    assert [hit["id"] for hit in body["actor"]] == [white_helmets.pk]


@pytest.mark.parametrize("query", ["", "   ", "\x00", "!!!"])
def test_the_search_endpoint_answers_400_to_a_query_without_words(api_client, query):
    response = api_client.get("/api/v1/search/", {"q": query})

    assert response.status_code == 400
    assert "q" in fields(response)


def test_the_search_endpoint_caps_hits_per_kind(api_client, white_helmets):
    for n in range(4):
        ClaimFactory(speaker=white_helmets, summary=f"Shelling report {n}")

    response = api_client.get("/api/v1/search/", {"q": "shelling", "limit": 2})
    too_many = api_client.get("/api/v1/search/", {"q": "shelling", "limit": 500})

    assert len(response.json()["claim"]) == 2
    assert too_many.status_code == 400
    assert "limit" in fields(too_many)


@pytest.mark.parametrize(
    ("kind", "index"),
    [
        ("claim", "claim_search_vector_idx"),
        ("document", "document_search_vector_idx"),
        ("incident", "incident_search_vector_idx"),
    ],
)
@pytest.mark.postgres  # the stored vectors and indexes exist only there; deselected on SQLite
def test_postgresql_search_candidates_come_from_the_gin_index_of_the_stored_vector(db, kind, index):
    from django.db import connection

    from claims.models import Incident
    from claims.reading.search import candidates
    from sources.models import Document

    model = {"claim": Claim, "document": Document, "incident": Incident}[kind]
    with connection.cursor() as cursor:
        # Tiny test tables: walking the list-order index would look as cheap as anything.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = candidates(kind, model.objects.all(), "idlib").explain()

    assert index in plan
    assert "search_vector @@" in plan


def test_a_search_naming_no_actor_skips_the_actors_query(
    api_client, white_helmets, django_assert_num_queries
):
    claim = ClaimFactory(speaker=white_helmets, summary="Shelling report on Idlib")
    AttributionFactory(claim=claim, document=DocumentFactory(title="Shelling in Idlib"))

    # The record's head, the actors named (none), claims, documents and incidents.
    with django_assert_num_queries(5):
        response = api_client.get("/api/v1/search/", {"q": "shelling"})

    body = response.json()
    assert [len(body[kind]) for kind in ("claim", "actor", "document", "incident")] == [1, 0, 1, 0]


@pytest.mark.parametrize("index", ["actor_search_idx", "alias_search_idx"])
@pytest.mark.postgres  # the expression indexes exist only there; deselected on SQLite
def test_postgresql_actor_search_uses_the_name_and_alias_gin_indexes(db, index):
    from django.db import connection

    from claims.reading.search import _actors_named

    query = SearchQuery("idlib", config=CONFIGS["actor"], search_type="websearch")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = _actors_named(query).explain()

    assert index in plan


@pytest.mark.postgres  # the candidate cap is PostgreSQL's; the fallback ranks limit × 10 rows
def test_search_ranks_only_the_newest_candidates(white_helmets, monkeypatch):
    from claims.reading import search as search_service

    ClaimFactory(
        speaker=white_helmets,
        summary="Shelling, shelling and more shelling",
        made_on=dt.date(2017, 1, 1),
    )
    newer = [
        ClaimFactory(
            speaker=white_helmets,
            summary=f"Report {n} of shelling in a long text about other things",
            made_on=dt.date(2017, 9, n),
        )
        for n in (1, 2)
    ]
    monkeypatch.setitem(search_service.CANDIDATES, "claim", 2)

    hits = search("shelling", user=AnonymousUser())["claim"]

    # The oldest claim would rank first, but only the two newest matches are ranked.
    assert {hit.obj for hit in hits} == set(newer)


@pytest.mark.postgres  # the candidate cap is PostgreSQL's
def test_documents_and_incidents_rank_only_their_newest_200_matches(white_helmets):
    claim = ClaimFactory(speaker=white_helmets, summary="A report")
    oldest = DocumentFactory(title="Shelling, shelling, shelling", published_on=dt.date(2016, 1, 1))
    AttributionFactory(claim=claim, document=oldest)
    for n in range(200):
        newer = DocumentFactory(
            title=f"Report {n} of shelling in a long text about other things",
            published_on=dt.date(2017, 1, 1) + dt.timedelta(days=n),
        )
        AttributionFactory(claim=claim, document=newer, position=n + 2)

    hits = search("shelling", user=AnonymousUser(), limit_per_kind=50)["document"]

    # The oldest title would rank first, but only the 200 newest matches are ranked.
    assert len(hits) == 50
    assert oldest not in {hit.obj for hit in hits}


@pytest.mark.postgres  # the stored vectors exist only there
def test_search_ranks_the_best_candidate_first_by_its_weighted_vector(white_helmets):
    in_quote = ClaimFactory(
        speaker=white_helmets,
        summary="A statement about the situation",
        quote="There was shelling",
        made_on=dt.date(2017, 9, 2),
    )
    in_summary = ClaimFactory(
        speaker=white_helmets,
        summary="A statement about shelling",
        quote="There was fighting",
        made_on=dt.date(2017, 9, 1),
    )

    hits = search("shelling", user=AnonymousUser())["claim"]

    # The summary weighs more than the quote, so the older claim ranks first.
    assert [hit.obj for hit in hits] == [in_summary, in_quote]
    assert hits[0].rank > hits[1].rank


@pytest.mark.postgres  # only PostgreSQL tables have a stored search vector
def test_the_stored_search_vector_stays_out_of_the_change_history(white_helmets):
    from django.core.management import call_command
    from django.db import connection

    from claims.ledger.history import history_of

    claim = ClaimFactory(speaker=white_helmets, summary="A first account of shelling")
    Claim.objects.filter(pk=claim.pk).update(summary="A second account of shelling")
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM claims_claim WHERE id = %s", [claim.pk])
        [vector] = cursor.fetchone()

    records = list(history_of(claim))
    assert "second" in vector
    assert records[-1].operation == "UPDATE"
    assert records[-1].after["summary"] == "A second account of shelling"
    assert all("search_vector" not in {**r.before, **r.after} for r in records)
    call_command("verify_integrity", stdout=StringIO())  # raises CommandError on any problem


def test_the_search_endpoint_makes_a_fixed_number_of_queries(
    api_client, white_helmets, django_assert_num_queries
):
    for n in range(3):
        claim = ClaimFactory(
            speaker=white_helmets,
            summary=f"Shelling report {n} on Idlib",
            incident=IncidentFactory(title=f"Shelling of Idlib {n}", place="Idlib"),
        )
        AttributionFactory(claim=claim, document=DocumentFactory(title=f"Shelling in Idlib, {n}"))
    AliasFactory(actor=white_helmets, name="Idlib shelling responders")

    # The record's head (the answer is kept per state), one query per kind, and one for the
    # aliases of the actors found; the same question again reads the head alone.
    with django_assert_num_queries(6):
        response = api_client.get("/api/v1/search/", {"q": "shelling idlib", "limit": 50})
    with django_assert_num_queries(1):
        assert api_client.get("/api/v1/search/", {"q": "shelling idlib", "limit": 50}).json() == (
            response.json()
        )

    body = response.json()
    assert response.status_code == 200
    assert [len(body[kind]) for kind in ("claim", "actor", "document", "incident")] == [3, 1, 3, 3]
