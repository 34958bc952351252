"""Search's kept SQL (claims.reading.search_kept): the same answers as the querysets it is
compiled from, for every kind of reader, and the record's changes in the next search."""

from __future__ import annotations

import datetime as dt
import random

import hypothesis
import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchQuery
from django.db.models.expressions import RawSQL
from hypothesis import strategies as st

from claims.models import Claim
from claims.reading import search as search_service
from claims.reading.search import (
    CONFIGS,
    KINDS,
    _actors_named,
    _kept,
    _page,
    _visible,
    clean_query,
    required_phrases,
    search,
)
from claims.reading.search_fragments import escape_marked
from claims.reading.search_kept import KeptSQL, array_text, slot
from claims.record.actors import save_actor
from claims.record.claims import publish_claim, withdraw_claim
from claims.record.workflow import OPERATOR
from sources.models import Actor
from tests.factories import (
    ActorFactory,
    AliasFactory,
    AttributionFactory,
    ClaimFactory,
    DocumentFactory,
    IncidentFactory,
    UserFactory,
)

WORDS = ["shelling", "convoy", "hospital", "market", "bridge", "drone", "Idlib", "Hama"]


@pytest.fixture
def varied_record(db) -> None:
    """Claims of every status over a small vocabulary, with ties of date, actors whose names and
    aliases use the same words, and documents and incidents used by drafts only or by public
    claims."""
    rng = random.Random(19)
    speakers = [
        ActorFactory(name="Hospital Watch"),
        ActorFactory(name="Convoy Monitor"),
        ActorFactory(name="Plain Agency"),
    ]
    AliasFactory(actor=speakers[2], name="Bridge Network", language="en")
    incidents = [
        IncidentFactory(title=f"Shelling near the {w} in {rng.choice(WORDS[6:])}")
        for w in WORDS[:4]
    ]
    for n in range(36):
        status = rng.choice([Claim.Status.PUBLISHED] * 4 + [Claim.Status.DRAFT, "withdrawn"])
        claim = ClaimFactory(
            speaker=rng.choice(speakers),
            summary=" ".join(rng.choices(WORDS, k=rng.randint(2, 7))),
            quote=" ".join(rng.choices(WORDS, k=rng.randint(0, 9))),
            made_on=dt.date(2017, 9, 1) + dt.timedelta(days=n // 3),
            incident=rng.choice([None, *incidents]),
            status=status,
            withdrawal_reason="Withdrawn by the desk." if status == "withdrawn" else "",
        )
        if n % 4 == 0:
            title = f"Report on the {' '.join(rng.choices(WORDS, k=3))}"
            AttributionFactory(claim=claim, document=DocumentFactory(title=title))


def _fresh(query: str, user) -> dict[str, list[tuple]]:
    """The answers of the querysets themselves, built for these words: the path before SQL was
    kept."""
    query = clean_query(query)
    names = SearchQuery(query, config=CONFIGS["actor"], search_type="websearch")
    named = sorted(_actors_named(names))
    phrases = required_phrases(query)
    answers = {}
    for kind in KINDS:
        if kind == "actor" and not named:
            answers[kind] = []
            continue
        array = array_text(named) if named and kind in ("claim", "actor") else None
        page = _page(kind, _visible(kind, user), query, 20, array, phrases)
        answers[kind] = [
            (hit.pk, round(float(hit.rank), 6), getattr(hit, "headline", None)) for hit in page
        ]
    return answers


def _kept_answers(query: str, user) -> dict[str, list[tuple]]:
    results = search(query, user=user)
    return {
        kind: [(hit.obj.pk, round(hit.rank, 6)) for hit in hits] for kind, hits in results.items()
    }


_terms = st.sampled_from(WORDS).map(str.lower)
_queries = st.one_of(
    _terms,
    st.lists(_terms, min_size=2, max_size=3).map(" ".join),
    st.lists(_terms, min_size=2, max_size=3).map(lambda w: '"' + " ".join(w) + '"'),
    st.tuples(_terms, _terms).map(" or ".join),
    st.tuples(_terms, _terms).map(lambda w: f"{w[0]} -{w[1]}"),
    st.tuples(_terms, _terms, _terms).map(lambda w: f'"{w[0]} {w[1]}" "{w[1]} {w[2]}"'),
)


@pytest.mark.postgres  # the kept SQL is PostgreSQL's; SQLite's FTS5 path is built per search
@hypothesis.settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    # The record is written once; the examples only read it.
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)
@hypothesis.given(query=_queries)
def test_kept_sql_answers_as_the_querysets_built_for_the_words(varied_record, query):
    readers = [AnonymousUser(), _user("reader", []), _user("editor", ["editors"])]
    for user in readers:
        fresh = _fresh(query, user)
        kept = _kept_answers(query, user)

        assert kept == {kind: [row[:2] for row in rows] for kind, rows in fresh.items()}
        fragments = [hit.fragment for hit in search(query, user=user)["claim"]]
        assert fragments == [escape_marked(row[2]) for row in fresh["claim"]]


def _user(username: str, groups: list[str]):
    """A signed-in reader, written by the first example that needs it."""
    model = UserFactory._meta.model
    return model.objects.filter(username=username).first() or UserFactory(
        username=username, is_staff=True, groups=groups
    )


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("first", "second", "drafts"),
    [("anonymous", "reader", False), ("editor", "analyst", True)],
)
def test_readers_of_the_same_kind_share_the_kept_text(db, first, second, drafts):
    users = {
        "anonymous": AnonymousUser(),
        "reader": UserFactory(username="reader", is_staff=True),
        "editor": UserFactory(username="editor", is_staff=True, groups=["editors"]),
        "analyst": UserFactory(username="analyst", is_staff=True, groups=["analysts"]),
    }
    compiled = []
    for name in (first, second):
        search_service._KEPT.clear()
        compiled.append(
            [
                (k.sql, k.params)
                for k in (
                    _kept(kind, users[name], drafts, 20, True, 1)
                    for kind in ("claim", "actor", "document", "incident")
                )
            ]
        )

    assert compiled[0] == compiled[1]


@pytest.mark.postgres
def test_a_word_the_sql_would_hold_as_text_is_refused(db):
    word = slot("word")
    as_parameter = Actor.objects.filter(name=word)
    as_text = Actor.objects.annotate(word=RawSQL(f"'{word}'", ()))

    KeptSQL.compile(as_parameter, [word])
    with pytest.raises(ValueError, match="would not be a parameter"):
        KeptSQL.compile(as_text, [word])
    with pytest.raises(ValueError, match="would not be a parameter"):
        KeptSQL.compile(Actor.objects.all(), [word])


def test_a_published_draft_is_found_by_the_next_search_and_a_withdrawn_claim_is_not(
    white_helmets,
):
    public = ClaimFactory(speaker=white_helmets, summary="Convoy hit near the bridge")
    draft = ClaimFactory(
        speaker=white_helmets, summary="Convoy hit near the market", status=Claim.Status.DRAFT
    )
    assert [h.obj for h in search("convoy", user=AnonymousUser())["claim"]] == [public]

    publish_claim(by=OPERATOR, claim=draft)
    assert {h.obj for h in search("convoy", user=AnonymousUser())["claim"]} == {public, draft}

    withdraw_claim(by=OPERATOR, claim=public, reason="Given in error.")
    assert [h.obj for h in search("convoy", user=AnonymousUser())["claim"]] == [draft]
    assert Claim.objects.get(pk=public.pk).status == Claim.Status.WITHDRAWN


def test_a_renamed_actor_is_found_by_its_new_name_in_the_next_search(white_helmets):
    claim = ClaimFactory(speaker=white_helmets, summary="Bodies recovered after the strike")
    assert [h.obj for h in search("helmets", user=AnonymousUser())["actor"]] == [white_helmets]

    save_actor(by=OPERATOR, actor=white_helmets, values={"name": "Civil Defence Volunteers"})

    assert search("helmets", user=AnonymousUser())["actor"] == []
    [hit] = search("volunteers", user=AnonymousUser())["actor"]
    assert hit.obj.name == "Civil Defence Volunteers"
    assert "<mark>Volunteers</mark>" in hit.fragment
    # Its claims are found by the new name too, and show it.
    [found] = search("volunteers", user=AnonymousUser())["claim"]
    assert found.obj == claim
    assert found.obj.speaker.name == "Civil Defence Volunteers"


def test_the_api_answers_the_record_as_changed_after_a_publish(api_client, white_helmets):
    draft = ClaimFactory(
        speaker=white_helmets, summary="Drone seen over the market", status=Claim.Status.DRAFT
    )
    assert api_client.get("/api/v1/search/", {"q": "drone"}).json()["claim"] == []

    publish_claim(by=OPERATOR, claim=draft)

    [row] = api_client.get("/api/v1/search/", {"q": "drone"}).json()["claim"]
    assert row["id"] == draft.pk


@pytest.mark.postgres
def test_the_kept_shapes_are_emptied_past_their_bound_and_searches_answer_alike(
    white_helmets, monkeypatch
):
    claims = [ClaimFactory(speaker=white_helmets, summary=f"Convoy report {n}") for n in range(3)]
    monkeypatch.setattr(search_service, "KEPT_SHAPES", 2)
    search_service._KEPT.clear()

    found = [search("convoy", user=AnonymousUser(), limit_per_kind=n)["claim"] for n in (1, 2, 3)]

    assert len(search_service._KEPT) <= 2
    assert [len(hits) for hits in found] == [1, 2, 3]
    assert {hit.obj for hit in found[2]} == set(claims)
