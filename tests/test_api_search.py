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
