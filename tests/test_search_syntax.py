"""Search reads the same web-search syntax on both backends (SQLite's FTS5 on the embedded
default, PostgreSQL's full-text search in production): "or", "-word", quoted phrases, accents
folded, and an actor's alias finds its claims."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from claims.reading.search import search
from tests.factories import ActorFactory, AliasFactory, ClaimFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kunduz():
    msf = ActorFactory(name="Médecins Sans Frontières", slug="msf")
    AliasFactory(actor=msf, name="Doctors Without Borders")
    taliban = ActorFactory(name="Taliban", slug="taliban")
    campbell = ActorFactory(name="John Campbell", slug="campbell")
    return {
        "msf": ClaimFactory(speaker=msf, summary="MSF says its hospital in Kunduz was struck."),
        "taliban": ClaimFactory(speaker=taliban, summary="The Taliban say they held the city."),
        "campbell": ClaimFactory(
            speaker=campbell, summary="General Campbell says the hospital was struck by mistake."
        ),
    }


def _claims(query: str) -> set:
    return {hit.obj for hit in search(query, user=AnonymousUser()).get("claim", [])}


def test_or_finds_either_word(kunduz) -> None:
    assert _claims("Taliban or Campbell") == {kunduz["taliban"], kunduz["campbell"]}


def test_a_minus_word_leaves_its_claims_out(kunduz) -> None:
    assert _claims("hospital -MSF") == {kunduz["campbell"]}


def test_a_quoted_phrase_is_matched_as_a_phrase(kunduz) -> None:
    assert _claims('"struck by mistake"') == {kunduz["campbell"]}
    assert _claims('"mistake struck"') == set()


def test_an_alias_finds_the_actor_and_its_claims(kunduz) -> None:
    hits = search("Doctors Without Borders", user=AnonymousUser())
    assert [hit.obj.slug for hit in hits["actor"]] == ["msf"]
    assert {hit.obj for hit in hits["claim"]} == {kunduz["msf"]}


def test_a_word_without_its_accent_finds_the_actor(kunduz) -> None:
    hits = search("Medecins", user=AnonymousUser())
    assert [hit.obj.slug for hit in hits["actor"]] == ["msf"]
    assert "<mark>Médecins</mark>" in hits["actor"][0].fragment


def test_the_found_words_are_marked_in_the_fragment(kunduz) -> None:
    (hit,) = search("mistake", user=AnonymousUser())["claim"]
    assert "<mark>mistake</mark>" in hit.fragment
