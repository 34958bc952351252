"""Quoted phrases: typed as people type them, found through the adjacent-word pairs on
PostgreSQL (claims.reading.search_phrases) with exactly the claims the plain ``<->`` test finds,
and the pairs kept exact when a claim's text changes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from claims.models import Claim
from claims.reading.search import CONFIGS, candidates, clean_query, search
from claims.reading.search_phrases import required_phrases
from tests.factories import ClaimFactory

# Phrases as typed: curly quotes, several phrases, a phrase beside words, "or", "-", one word,
# stop words inside, accents, an unclosed quote, words out of order.
QUERIES = [
    '"hospital convoy market"',
    "“hospital convoy market”",
    '"hospital convoy" "convoy market"',
    '"hospital convoy" Idlib',
    '"hospital convoy" or Latakia',
    '"convoy market" -"hospital convoy"',
    'convoy -"hospital convoy"',
    '"hospital"',
    '"the hospital in Idlib"',
    '"hospital in Idlib"',
    '"Medecins Sans Frontieres"',
    '"médecins sans frontières" hospital',
    '"hospital convoy',
    '"market convoy"',
    '"al-Shifa hospital"',
    '"convoy market" OR "convoy hospital"',
]


def test_only_the_phrases_every_match_must_hold_are_required() -> None:
    assert required_phrases(clean_query("“hospital convoy market”")) == ["hospital convoy market"]
    assert required_phrases('"a b" words "c d"') == ["a b", "c d"]
    assert required_phrases('"a b" or c') == []
    assert required_phrases('"a b" OR c') == []
    assert required_phrases('-"a b" c') == []
    assert required_phrases('"a"') == []
    assert required_phrases('"al-Shifa hospital"') == []  # not plain words: no pairs asked
    assert required_phrases('"a b') == []  # unclosed


@pytest.fixture
def record(db):
    texts = [
        "A hospital convoy market was struck near Idlib.",
        "The convoy market by the hospital was struck.",
        "The hospital convoy was stopped; the market stayed open.",
        "Shelling hit the hospital in Idlib at dawn.",
        "Médecins Sans Frontières says the hospital convoy market burned.",
        "Medecins Sans Frontieres counted the dead in Latakia.",
        "Al-Shifa hospital was raided; a convoy hospital followed.",
        "A market convoy left, and a hospital. Convoy market stalls closed.",
    ]
    claims = [ClaimFactory(summary=text) for text in texts]
    ClaimFactory(summary="A hospital convoy market draft.", status=Claim.Status.DRAFT)
    return claims


def _plain(query: str) -> set[int]:
    """The claims the stored vector's own ``<->`` test finds, without the pairs."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM claims_claim WHERE status = 'published' AND "
            "search_vector @@ websearch_to_tsquery(%s::regconfig, %s)",
            [CONFIGS["claim"], clean_query(query)],
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.postgres  # the pairs and <-> are PostgreSQL's; FTS5 matches phrases itself
@pytest.mark.parametrize("query", QUERIES)
def test_a_phrase_finds_the_same_claims_as_the_plain_phrase_test(record, query) -> None:
    found = candidates("claim", Claim.objects.listed_for(None), clean_query(query))

    assert {claim.pk for claim in found} == _plain(query)


@pytest.mark.postgres
def test_the_phrase_test_reads_the_pairs_index(record) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = candidates("claim", Claim.objects.all(), '"hospital convoy market"').explain()

    assert "claim_search_pairs_idx" in plan


@pytest.mark.postgres
def test_the_pairs_follow_a_claim_whose_text_changes(record) -> None:
    claim = record[3]
    assert claim.pk not in _pks('"hospital convoy market"')

    Claim.objects.filter(pk=claim.pk).update(summary="The hospital convoy market again.")
    assert claim.pk in _pks('"hospital convoy market"')

    claim.refresh_from_db()
    claim.summary = "Nothing of the kind."
    claim.quote = "hospital convoy market"
    claim.save()
    assert claim.pk in _pks('"hospital convoy market"')

    Claim.objects.filter(pk=claim.pk).update(quote="market convoy hospital")
    assert claim.pk not in _pks('"hospital convoy market"')


def _pks(query: str) -> set[int]:
    return {hit.obj.pk for hit in search(query, user=AnonymousUser())["claim"]}


def test_curly_quotes_make_a_phrase_on_either_engine(record) -> None:
    # "a hospital. Convoy market": a full stop does not part words of a phrase.
    assert _pks("“hospital convoy market”") == {record[0].pk, record[4].pk, record[7].pk}
    assert _pks("„convoy market“") == {record[0].pk, record[1].pk, record[4].pk, record[7].pk}
