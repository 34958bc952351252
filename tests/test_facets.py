"""Facets: counts per kind, standing, speaker, accused and incident of the claims a list's
filters match, in SQL, respecting what the reader may see; on the timeline page as links."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from claims.models import Claim, Response
from claims.reading.facets import facets_of
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    ClaimTargetFactory,
    IncidentFactory,
    ResponseFactory,
    UserFactory,
)
from tests.test_pages_claims import get_ok, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def record() -> dict:
    """Three claims by the ministry (one a draft), two by the helmets; one of the helmets'
    claims denied by the ministry; the ministry accused twice."""
    ministry = ActorFactory(name="Defence Ministry", slug="ministry")
    helmets = ActorFactory(name="White Helmets", slug="helmets")
    secret = ActorFactory(name="Drafted Only", slug="drafted-only")
    idlib = IncidentFactory(title="Idlib airstrikes", slug="idlib")
    allegation = ClaimFactory(speaker=helmets, incident=idlib, kind=Claim.Kind.CASUALTY_COUNT)
    ClaimTargetFactory(claim=allegation, actor=ministry)
    second = ClaimFactory(speaker=helmets, incident=idlib, kind=Claim.Kind.CASUALTY_COUNT)
    ClaimTargetFactory(claim=second, actor=ministry)
    denial = ClaimFactory(speaker=ministry, incident=idlib, kind=Claim.Kind.TARGETING)
    ResponseFactory(claim=denial, answers=allegation, kind=Response.Kind.DENIES)
    ClaimFactory(speaker=ministry, kind=Claim.Kind.EVENT)
    draft = ClaimFactory(speaker=ministry, kind=Claim.Kind.EVENT, status=Claim.Status.DRAFT)
    ClaimTargetFactory(claim=draft, actor=secret)
    return {"ministry": ministry, "helmets": helmets, "draft": draft}


def counts(facet) -> dict[str, int]:
    return {value.value: value.count for value in facet.values}


def test_each_facet_counts_the_matching_claims_by_its_value(record: dict) -> None:
    facets = facets_of(Claim.objects.published())
    assert counts(facets["kind"]) == {"casualty_count": 2, "targeting": 1, "event": 1}
    assert counts(facets["standing"]) == {"unanswered": 3, "denied": 1}
    assert counts(facets["speaker"]) == {"helmets": 2, "ministry": 2}
    assert counts(facets["accused"]) == {"ministry": 2}
    # The claim with no incident is in no incident's count.
    assert counts(facets["incident"]) == {"idlib": 3}
    assert facets["speaker"].values[0].label in ("White Helmets", "Defence Ministry")
    assert facets["standing"].values[1].label == "denied"


def test_a_facet_lists_its_top_values_and_counts_the_rest(record: dict) -> None:
    facet = facets_of(Claim.objects.published(), ["speaker"], top=1)["speaker"]
    assert len(facet.values) == 1
    assert (facet.other_values, facet.other_count) == (1, 2)


def test_facets_are_those_of_the_filtered_claims(record: dict) -> None:
    facets = facets_of(Claim.objects.published().filter(speaker=record["helmets"]), ["kind"])
    assert counts(facets["kind"]) == {"casualty_count": 2}


def test_timeline_shows_facets_and_never_names_what_only_a_draft_uses(
    client: Client, record: dict
) -> None:
    html = get_ok(client, "/timeline/")
    text = text_of(html)
    assert "Narrow the list" in text
    assert 'href="?speaker=helmets#results-heading">White Helmets</a>' in html
    assert 'href="?standing=denied#results-heading">denied</a>' in html
    assert "Drafted Only" not in text


def test_a_draft_reader_sees_the_drafts_in_the_facets(client: Client, record: dict) -> None:
    client.force_login(UserFactory(groups=["analysts"]))
    html = get_ok(client, "/timeline/")
    assert 'href="?accused=drafted-only#results-heading">Drafted Only</a>' in html


def test_a_facet_link_narrows_the_list_and_the_chosen_value_removes_its_filter(
    client: Client, record: dict
) -> None:
    html = get_ok(client, "/timeline/?kind=event&after=2000-01-01.1")
    assert "1 claim matching the filters" in text_of(html)
    # The chosen value: active, its link drops the filter (and the page position).
    chosen = re.search(r'<li class="is-active"><a href="([^"]*)"', html)[1]
    assert chosen == "?#results-heading"
    # Another facet's link keeps the kind and adds its own filter.
    assert 'href="?kind=event&amp;speaker=ministry#results-heading"' in html


def test_timeline_reads_newest_first_when_asked(client: Client, record: dict) -> None:
    ClaimFactory(summary="The oldest claim of all.", made_on=dt.date(2001, 1, 1))
    ClaimFactory(summary="The newest claim of all.", made_on=dt.date(2030, 1, 1))
    oldest_first = text_of(get_ok(client, "/timeline/"))
    newest_first = text_of(get_ok(client, "/timeline/?order=newest"))
    assert oldest_first.index("The oldest claim") < oldest_first.index("The newest claim")
    assert newest_first.index("The newest claim") < newest_first.index("The oldest claim")
    assert "newest first" in newest_first


def test_an_unknown_order_is_refused_on_its_field(client: Client, record: dict) -> None:
    html = get_ok(client, "/timeline/?order=sideways")
    assert "Unknown order &#x27;sideways&#x27;: give one of oldest, newest." in html


def link(html: str, rel: str) -> str:
    return re.search(rf'<a href="(\?[^"#]*)[^"]*" rel="{rel}">', html)[1].replace("&amp;", "&")


def summaries(html: str) -> list[str]:
    return re.findall(r'class="claim-summary"><a href="[^"]+">([^<]+)</a>', html)


def test_newest_first_pages_walk_back_in_time_and_return_without_gaps(client: Client) -> None:
    day = dt.date(2020, 3, 2)
    claims = [
        ClaimFactory(summary=f"Claim number {n:02}.", made_on=day + dt.timedelta(days=n // 20))
        for n in range(60)
    ]
    newest = [c.summary for c in sorted(claims, key=lambda c: (c.made_on, c.pk), reverse=True)]
    seen, html, pages = [], get_ok(client, "/timeline/?order=newest"), []
    while True:
        seen += summaries(html)
        pages.append(summaries(html))
        if 'rel="next"' not in html:
            break
        html = get_ok(client, "/timeline/" + link(html, "next"))
    assert seen == newest
    back = get_ok(client, "/timeline/" + link(html, "prev"))
    assert summaries(back) == pages[-2]
    assert "order=newest" in link(back, "prev")


def test_incident_page_lists_its_threads_newest_first_when_asked(client: Client) -> None:
    idlib = IncidentFactory(slug="idlib-order")
    ClaimFactory(incident=idlib, summary="The earlier thread.", made_on=dt.date(2017, 9, 1))
    later = ClaimFactory(incident=idlib, summary="The later thread.", made_on=dt.date(2017, 9, 9))
    ResponseFactory(claim=ClaimFactory(incident=idlib, summary="An answer."), answers=later)
    default = text_of(get_ok(client, "/incidents/idlib-order/"))
    newest = text_of(get_ok(client, "/incidents/idlib-order/?order=newest"))
    assert default.index("The earlier thread") < default.index("The later thread")
    assert (
        newest.index("The later thread")
        < newest.index("An answer")
        < newest.index("The earlier thread")
    )
    assert "Unknown order" in get_ok(client, "/incidents/idlib-order/?order=up")


def test_a_bounded_count_reads_only_the_most_recent_claims_and_says_so() -> None:
    # Five claims, the newest three by the helmets: counted over three, the facet gives floors.
    ministry = ActorFactory(name="Defence Ministry", slug="ministry")
    helmets = ActorFactory(name="White Helmets", slug="helmets")
    for day, speaker in enumerate([ministry, ministry, helmets, helmets, helmets], start=1):
        ClaimFactory(speaker=speaker, made_on=dt.date(2017, 9, day))
    matching = Claim.objects.published()
    bounded = facets_of(matching, ["speaker", "kind"], scan=3, total=5)
    assert counts(bounded["speaker"]) == {"helmets": 3}
    assert bounded["speaker"].scanned == 3
    assert sum(counts(bounded["kind"]).values()) == 3
    # No more claims than the bound: the count is exact and says nothing of a bound.
    exact = facets_of(matching, ["speaker"], scan=5, total=5)["speaker"]
    assert (counts(exact), exact.scanned) == ({"helmets": 3, "ministry": 2}, None)


def test_the_timeline_says_its_facet_counts_are_floors_when_bounded(
    client: Client, record: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("claims.pages.claims.FACET_SCAN", 2)
    text = text_of(get_ok(client, "/timeline/"))
    assert "Counted over the 2 most recent of the 4 matching claims" in text
    assert "at least 1" in text
    monkeypatch.setattr("claims.pages.claims.FACET_SCAN", 4)
    assert "at least" not in text_of(get_ok(client, "/timeline/?kind=event"))
