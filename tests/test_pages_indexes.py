"""The index pages /incidents/, /actors/ and /documents/: filters, per-row counts, keyset pages,
and nothing a reader may not see."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from claims.models import Claim
from sources.models import Actor
from tests.factories import (
    ActorFactory,
    AliasFactory,
    AttributionFactory,
    ClaimFactory,
    ClaimTargetFactory,
    DocumentFactory,
    IncidentFactory,
    UserFactory,
)
from tests.test_pages_claims import get_ok, text_of

pytestmark = pytest.mark.django_db


def rows(html: str) -> list[str]:
    """The names in the first column of an index table, in order."""
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', html)


def link(html: str, rel: str) -> str:
    return re.search(rf'<a href="(\?[^"#]*)[^"]*" rel="{rel}">', html)[1].replace("&amp;", "&")


@pytest.fixture
def record() -> dict:
    ministry = ActorFactory(name="Defence Ministry", slug="ministry", kind=Actor.Kind.STATE_BODY)
    helmets = ActorFactory(name="White Helmets", slug="helmets", country="SY")
    AliasFactory(actor=helmets, name="Syrian Civil Defence")
    reuters = ActorFactory(name="Reuters", slug="reuters", kind=Actor.Kind.NEWS_AGENCY)
    idlib = IncidentFactory(title="Idlib airstrikes", slug="idlib", country="SY", place="Idlib")
    hama = IncidentFactory(title="Hama attack", slug="hama", start_on=dt.date(2017, 9, 19))
    report = DocumentFactory(title="Idlib report", publisher=reuters)
    for n in range(3):
        claim = ClaimFactory(speaker=helmets, incident=idlib, summary=f"Allegation {n}.")
        ClaimTargetFactory(claim=claim, actor=ministry)
        AttributionFactory(claim=claim, document=report, actor=reuters)
    ClaimFactory(speaker=ministry, incident=hama)
    # Only a draft uses these: the public never sees them.
    hidden = IncidentFactory(title="Drafted incident", slug="drafted")
    secret = ActorFactory(name="Drafted actor", slug="drafted-actor")
    memo = DocumentFactory(title="Drafted memo", publisher=secret)
    draft = ClaimFactory(speaker=secret, incident=hidden, status=Claim.Status.DRAFT)
    AttributionFactory(claim=draft, document=memo, actor=secret)
    return {"helmets": helmets, "idlib": idlib}


def test_incident_index_counts_each_incidents_claims_newest_start_first(
    client: Client, record: dict
) -> None:
    html = get_ok(client, "/incidents/")
    assert rows(html) == ["Hama attack", "Idlib airstrikes"]
    assert re.search(r'\?incident=idlib"[^>]*>3</a>', html)


def test_actor_index_counts_claims_made_and_accusing_by_name(client: Client, record: dict) -> None:
    html = get_ok(client, "/actors/")
    assert rows(html) == ["Defence Ministry", "Reuters", "White Helmets"]
    assert re.search(r'\?speaker=helmets">3</a>', html)
    assert re.search(r'\?accused=ministry">3</a>', html)


def test_document_index_counts_the_claims_citing_each_document(
    client: Client, record: dict
) -> None:
    html = get_ok(client, "/documents/")
    assert rows(html) == ["Idlib report"]
    assert "Claims citing it: </span>3" in html


@pytest.mark.parametrize("path", ["/incidents/", "/actors/", "/documents/"])
def test_indexes_never_list_what_only_a_draft_uses(client: Client, record: dict, path) -> None:
    assert "Drafted" not in text_of(get_ok(client, path))
    client.force_login(UserFactory(groups=["analysts"]))
    assert "Drafted" in text_of(get_ok(client, path))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/incidents/?q=idl", ["Idlib airstrikes"]),
        ("/incidents/?country=sy", ["Idlib airstrikes"]),
        ("/incidents/?since=2017-09-19", ["Hama attack"]),
        ("/actors/?q=civil+defence", ["White Helmets"]),
        ("/actors/?kind=news_agency", ["Reuters"]),
        ("/actors/?country=SY", ["White Helmets"]),
        ("/documents/?publisher=Reuters", ["Idlib report"]),
        ("/documents/?publisher=helmets", []),
        ("/documents/?q=report&since=2017-01-01&until=2017-12-31", ["Idlib report"]),
    ],
)
def test_index_filters_choose_the_rows(client: Client, record: dict, url, expected) -> None:
    assert rows(get_ok(client, url)) == expected


def test_a_bad_filter_value_is_refused_on_its_field(client: Client, record: dict) -> None:
    html = get_ok(client, "/incidents/?since=yesterday")
    assert "Enter a valid date." in html
    html = get_ok(client, "/actors/?kind=planet")
    assert "Select a valid choice." in html


def test_empty_filter_values_are_dropped_from_the_address(client: Client, record: dict) -> None:
    response = client.get("/actors/?q=&kind=person")
    assert (response.status_code, response["Location"]) == (302, "/actors/?kind=person")


def test_actor_index_pages_forward_and_back_without_gaps(client: Client) -> None:
    names = [ActorFactory(name=f"Party {n:02}").name for n in range(30)]
    for name in names:
        ClaimFactory(speaker=Actor.objects.get(name=name))
    seen, html = [], get_ok(client, "/actors/")
    while True:
        seen += rows(html)
        if 'rel="next"' not in html:
            break
        html = get_ok(client, "/actors/" + link(html, "next"))
    assert seen == sorted(names)
    back = rows(get_ok(client, "/actors/" + link(html, "prev")))
    assert back == sorted(names)[:25]


def test_a_malformed_position_starts_from_the_first_page(client: Client, record: dict) -> None:
    html = get_ok(client, "/documents/?after=nonsense")
    assert "The page link was not understood" in html
    assert rows(html) == ["Idlib report"]


def test_navigation_links_to_the_indexes(client: Client, record: dict) -> None:
    html = get_ok(client, "/")
    for path in ("/incidents/", "/actors/", "/documents/"):
        assert f'href="{path}"' in html
    assert 'href="/actors/" aria-current="page"' in get_ok(client, "/actors/")


def _walk(client: Client, path: str, html: str, rel: str) -> list[list[str]]:
    """The rows of every page from ``html`` on, following the ``rel`` link to the end."""
    pages = [rows(html)]
    while f'rel="{rel}"' in html:
        html = get_ok(client, path + link(html, rel))
        pages.append(rows(html))
    return pages


def _joined(pages: list[list[str]]) -> list[str]:
    return [name for page in pages for name in page]


def test_undated_documents_follow_the_oldest_dated_one_across_page_boundaries(
    client: Client,
) -> None:
    # 16 dated documents (two per date, so ties on the date are settled by title) and 20
    # without a date: the second page holds the last dated ones and the first undated ones,
    # the third only undated ones.
    dated = [
        DocumentFactory(title=f"Dated {n:02}", published_on=dt.date(2017, 1, 1 + n // 2))
        for n in range(16)
    ]
    undated = [DocumentFactory(title=f"Undated {n:02}", published_on=None) for n in range(20)]
    for document in dated + undated:
        AttributionFactory(claim=ClaimFactory(), document=document, actor=document.publisher)
    expected = [
        d.title for d in sorted(dated, key=lambda d: (-d.published_on.toordinal(), d.title))
    ] + sorted(d.title for d in undated)
    forward = _walk(client, "/documents/", get_ok(client, "/documents/"), "next")
    assert [len(page) for page in forward] == [25, 11]
    assert _joined(forward) == expected
    html = get_ok(client, "/documents/?after=" + str(undated[2].pk))  # within the undated
    assert rows(html) == expected[expected.index("Undated 02") + 1 :]
    last = get_ok(client, "/documents/" + link(get_ok(client, "/documents/"), "next"))
    backward = _walk(client, "/documents/", last, "prev")
    assert _joined(backward[::-1]) == expected
    # Backwards from an undated row reaches the dated ones before it.
    before = get_ok(client, f"/documents/?before={undated[5].pk}")
    assert rows(before) == expected[: expected.index("Undated 05")]  # 21 rows: one page
    # And back from the last dated row, only dated ones (the undated are all after it).
    html = get_ok(client, f"/documents/?before={dated[0].pk}")
    assert rows(html) == expected[: expected.index("Dated 00")]


def test_undated_incidents_follow_the_oldest_dated_one_newest_entered_first(
    client: Client,
) -> None:
    # 14 incidents over 7 start dates (ties settled by the newest entered) and 16 without a
    # start date, listed newest entered first after the oldest dated one.
    dated = [
        IncidentFactory(title=f"Dated {n:02}", start_on=dt.date(2016, 3, 1 + n // 2))
        for n in range(14)
    ]
    undated = [IncidentFactory(title=f"Undated {n:02}", start_on=None) for n in range(16)]
    for incident in dated + undated:
        ClaimFactory(incident=incident)
    newest = sorted(dated, key=lambda i: (-i.start_on.toordinal(), -i.pk))
    expected = [i.title for i in newest] + [i.title for i in sorted(undated, key=lambda i: -i.pk)]
    forward = _walk(client, "/incidents/", get_ok(client, "/incidents/"), "next")
    assert [len(page) for page in forward] == [25, 5]
    assert _joined(forward) == expected
    html = get_ok(client, "/incidents/?after=" + str(undated[10].pk))  # within the undated
    assert rows(html) == expected[expected.index("Undated 10") + 1 :]
    last = get_ok(client, "/incidents/" + link(get_ok(client, "/incidents/"), "next"))
    assert _joined(_walk(client, "/incidents/", last, "prev")[::-1]) == expected
    before = get_ok(client, f"/incidents/?before={undated[3].pk}")
    assert rows(before) == expected[: expected.index("Undated 03")][-25:]
    # Back from the newest dated row there is nothing; after the oldest, the undated ones.
    assert rows(get_ok(client, f"/incidents/?before={dated[-1].pk}")) == []
    oldest = get_ok(client, f"/incidents/?after={dated[1].pk}")
    assert rows(oldest) == expected[expected.index("Dated 01") + 1 :][:25]
