"""Search: the shared service and /api/v1/search/, full-text on PostgreSQL, fallback on SQLite."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from claims.models import Claim
from claims.search import SearchHit, search
from tests.factories import ClaimFactory, DocumentFactory, IncidentFactory


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


def test_search_finds_an_actor_by_an_alias(white_helmets):
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
    DocumentFactory(title="Airstrikes in Idlib province")
    IncidentFactory(title="Airstrikes on Idlib", place="Idlib")

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


def test_the_search_endpoint_finds_an_actor_by_alias(api_client, white_helmets):
    body = api_client.get("/api/v1/search/", {"q": "Syrian Civil Defence"}).json()

    assert [hit["id"] for hit in body["actor"]] == [white_helmets.pk]


@pytest.mark.parametrize("query", ["", "   ", "\x00", "!!!"])
def test_the_search_endpoint_answers_400_to_a_query_without_words(api_client, query):
    response = api_client.get("/api/v1/search/", {"q": query})

    assert response.status_code == 400
    assert "q" in response.json()


def test_the_search_endpoint_caps_hits_per_kind(api_client, white_helmets):
    for n in range(4):
        ClaimFactory(speaker=white_helmets, summary=f"Shelling report {n}")

    response = api_client.get("/api/v1/search/", {"q": "shelling", "limit": 2})
    too_many = api_client.get("/api/v1/search/", {"q": "shelling", "limit": 500})

    assert len(response.json()["claim"]) == 2
    assert too_many.status_code == 400
    assert "limit" in too_many.json()


@pytest.mark.parametrize(
    ("kind", "index"),
    [
        ("claim", "claim_search_idx"),
        ("actor", "actor_search_idx"),
        ("document", "document_search_idx"),
        ("incident", "incident_search_idx"),
    ],
)
@pytest.mark.postgres  # the indexes exist only there; deselected on SQLite
def test_postgresql_search_uses_the_gin_index_of_each_kind(db, kind, index):
    from django.contrib.postgres.search import SearchQuery
    from django.db import connection

    from claims.models import Incident
    from claims.search import CONFIGS, search_vector
    from sources.models import Actor, Document

    model = {"claim": Claim, "actor": Actor, "document": Document, "incident": Incident}[kind]
    query = SearchQuery("idlib", config=CONFIGS[kind], search_type="websearch")
    matches = model.objects.annotate(search_vector=search_vector(kind)).filter(search_vector=query)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = matches.explain()

    assert index in plan
