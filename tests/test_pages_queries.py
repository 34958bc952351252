"""Query discipline: each page runs a pinned number of queries, whatever the number of rows."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from claims.models import Incident, Response
from sources.models import Actor, Document
from tests.factories import (
    ActorFactory,
    AliasFactory,
    AttributionFactory,
    ClaimFactory,
    ClaimTargetFactory,
    DocumentFactory,
    EvidenceFactory,
    FigureFactory,
    IncidentFactory,
    ResponseFactory,
)

pytestmark = pytest.mark.django_db


def add_exchanges(count: int, *, incident: Incident, actor: Actor, document: Document) -> None:
    """``count`` allegations by different speakers, each fully dressed and denied by ``actor``."""
    for _ in range(count):
        speaker = ActorFactory()
        AliasFactory(actor=speaker)
        allegation = ClaimFactory(speaker=speaker, incident=incident)
        ClaimTargetFactory(claim=allegation, actor=actor)
        FigureFactory(claim=allegation, reported_by=document.publisher)
        AttributionFactory(claim=allegation, actor=speaker, position=1)
        AttributionFactory(claim=allegation, position=2, document=document)
        EvidenceFactory(claim=allegation)
        denial = ClaimFactory(speaker=actor, incident=incident)
        AttributionFactory(claim=denial, document=document)
        ResponseFactory(claim=denial, answers=allegation, kind=Response.Kind.DENIES)


@pytest.fixture
def scene(db: None) -> dict[str, object]:
    actor = ActorFactory(slug="the-ministry")
    return {
        "actor": actor,
        # Placed, so that its page draws its map (and looks for incidents near it).
        "incident": IncidentFactory(slug="the-incident", latitude=35.9, longitude=36.6),
        "document": DocumentFactory(),
    }


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


PAGES = {
    # page: pinned query count
    # the record's head (the ETag), latest claims (with the count of answers received) + what
    # they answer, unanswered allegations, busiest incidents
    "/": 5,
    # the record's head (the ETag and the kept band's key), the band's busiest parties (with
    # the claim count) and their claims per period, the page (no count: keyset paging) + what
    # it answers, the five facets (one GROUP BY each); actors and incidents are typed, not listed
    "/timeline/": 10,
    # ...and the ?actor= slug look-up
    "/timeline/?actor=the-ministry&standing=unanswered&since=2017-01-01": 11,
    # a page further on costs the same, and so does the other order
    "/timeline/?after=2000-01-01.1": 10,
    "/timeline/?order=newest&before=2000-01-01.1": 10,
    # the index pages: the record's head (the ETag), then one page of rows with their counts
    # (sub-queries in the same query; a position's sort keys too); the incidents' index also
    # draws its map: every matching incident with coordinates and its count (one query), and
    # how many match with and without coordinates (one aggregate)
    "/incidents/": 4,
    "/incidents/?q=incident&country=sy&since=2000-01-01&after=1": 4,
    # ...and the claim filters' ?speaker= slug look-up
    "/incidents/?speaker=the-ministry&standing=denied&made_since=2017-01-01": 5,
    "/actors/": 2,
    "/actors/?q=actor&kind=organisation&before=1": 2,
    "/documents/": 2,
    "/documents/?publisher=actor&kind=article&until=2030-01-01&after=1": 2,
    # the record's head (the ETag and the kept page's key, claims/pages/kept.py), the incident
    # (with its claim count), a page of thread roots, their answers (one recursive
    # query), those claims + 7 prefetches (the 7th: their published assessments), the
    # incident's figures, their claims' origins and
    # the corrections recorded (claims/reading/figures.py), and the incidents near it on its map
    "/incidents/the-incident/": 16,
    "/incidents/the-incident/?after=2000-01-01.1": 16,
    "/incidents/the-incident/?order=newest&after=2100-01-01.1": 16,
    # the record's head (the ETag and the kept answers', band's and figures' key), the actor + 3
    # prefetches, three keyset-paged claim lists (made, accusing it, about it as their subject:
    # no count; 2 each, 1 when empty as the subjects list is here), documents, the band's span
    # and its periods, its figures (none here: see test_pages_figures.py), the answers to
    # allegations (kinds, delays, denials: 3) and the list of those never answered (empty
    # here: every allegation is denied, so no prefetch runs)
    "/actors/the-ministry/": 18,
    # the record's head (the ETag), the document, the count and the page of claims + what they
    # answer
    "/documents/{document}/": 5,
    # the record's head (the ETag and the kept page's key), the claim + 7 prefetches (the 7th:
    # its published assessments), the independent originators (2)
    # ... plus the record's last change record, for "Last changed".
    "/claims/{claim}/": 12,
    # the claim and its speaker, its change records, its parts' (those it has now, by id, in one
    # query; those written with each change of the claim, removed ones too, in another), the
    # names of the actors, incidents and documents they refer to (one query each kind), and the
    # claims on the other side of its answers: a history in words, not ids
    "/claims/{claim}/history/": 8,
}


@pytest.mark.parametrize(("page", "pinned"), PAGES.items())
def test_page_query_count_is_pinned_and_does_not_grow_with_rows(
    client: Client, scene: dict, page: str, pinned: int
) -> None:
    add_exchanges(2, **scene)
    first = scene["incident"].claims.order_by("id").first()
    url = page.format(document=scene["document"].pk, claim=first.pk)
    few = count_queries(client, url)
    add_exchanges(6, **scene)
    many = count_queries(client, url)
    assert (few, many) == (pinned, pinned)


@pytest.mark.parametrize(
    ("page", "pinned"),
    [("/timeline/", 10), ("/incidents/the-incident/", 16)],
)
def test_a_list_longer_than_a_page_costs_the_same_on_every_page(
    client: Client, scene: dict, page: str, pinned: int
) -> None:
    add_exchanges(27, **scene)  # 27 threads, 54 claims: more than a page of either
    html = client.get(page).content.decode()
    after = re.search(r'href="\?after=([0-9.-]+)#', html)[1]
    before = re.search(
        r'href="\?before=([0-9.-]+)#', client.get(f"{page}?after={after}").content.decode()
    )[1]
    for url in (page, f"{page}?after={after}", f"{page}?before={before}"):
        cache.clear()  # every page with the timeline band computed afresh
        assert count_queries(client, url) == pinned, url


def test_an_unchanged_record_reuses_the_timeline_page_and_a_write_renews_it(
    client: Client, scene: dict
) -> None:
    add_exchanges(2, **scene)
    assert count_queries(client, "/timeline/") == 10
    # Same record: the band, the facets and the page are kept; only the record's head is read
    # (its id is the ETag, its hash the kept parts' key).
    assert count_queries(client, "/timeline/") == 1
    # Another page position or order builds its page, but keeps the band and the facets.
    assert count_queries(client, "/timeline/?after=2000-01-01.1") == 3
    assert count_queries(client, "/timeline/?order=newest") == 3
    add_exchanges(1, **scene)
    assert count_queries(client, "/timeline/") == 10
    assert "6 claims" in client.get("/timeline/").content.decode()


def test_search_page_query_count_is_pinned_and_does_not_grow_with_hits(
    client: Client, scene: dict
) -> None:
    add_exchanges(2, **scene)
    few = count_queries(client, "/search/?q=Actor")
    add_exchanges(6, **scene)
    # The record's head (the page is kept per state), then claims.reading.search's: one per
    # kind, and one more for actors' aliases. Asked again on the same record: the head alone.
    assert (few, count_queries(client, "/search/?q=Actor")) == (6, 6)
    assert count_queries(client, "/search/?q=Actor") == 1


def test_editor_pages_add_only_the_session_and_user_queries(
    client: Client, scene: dict, editor
) -> None:
    add_exchanges(3, **scene)
    public = count_queries(client, "/timeline/")
    client.force_login(editor)
    assert count_queries(client, "/timeline/") <= public + 4


def test_an_unchanged_record_reuses_the_actor_answers_and_band(client: Client, scene: dict) -> None:
    add_exchanges(2, **scene)
    assert count_queries(client, "/actors/the-ministry/") == 18
    # Same record: the page is kept (claims/pages/kept.py); only the head is read.
    assert count_queries(client, "/actors/the-ministry/") == 1
    # Another page position builds the page, but keeps the answers (3 queries), the band (2)
    # and the figures (1 here).
    assert count_queries(client, "/actors/the-ministry/?made_after=2000-01-01.1") == 12
    add_exchanges(1, **scene)
    assert count_queries(client, "/actors/the-ministry/") == 18


@pytest.mark.parametrize(
    ("page", "built"),
    [("/incidents/", 4), ("/actors/", 2), ("/documents/", 2)],
)
def test_an_unchanged_record_reuses_an_index_page_and_a_write_renews_it(
    client: Client, scene: dict, page: str, built: int
) -> None:
    add_exchanges(2, **scene)
    assert count_queries(client, page) == built
    # Same record: only its head is read (the incidents' map is kept with the page).
    assert count_queries(client, page) == 1
    add_exchanges(1, **scene)
    assert count_queries(client, page) == built


def test_the_incidents_map_is_kept_for_every_page_of_the_same_filters(
    client: Client, scene: dict
) -> None:
    add_exchanges(2, **scene)
    assert count_queries(client, "/incidents/?q=incident") == 4
    # Another page of the same filters builds its rows (1) but keeps the map.
    assert count_queries(client, "/incidents/?q=incident&after=1") == 2
