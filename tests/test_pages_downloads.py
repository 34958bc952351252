"""Every list page offers the records it shows as CSV and JSON (the API's exports, with the
page's filters) and a link to the API query; each link, followed, answers with those records."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from claims.models import ChangeRecord
from tests.factories import ActorFactory, AliasFactory, ClaimFactory, IncidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene() -> None:
    msf = ActorFactory(name="Médecins Sans Frontières", slug="msf")
    AliasFactory(actor=msf, name="Doctors Without Borders")
    kunduz = IncidentFactory(slug="kunduz", title="Strike on the Kunduz trauma centre")
    ClaimFactory(speaker=msf, incident=kunduz, summary="MSF says its hospital was hit.")
    ClaimFactory(summary="Someone else says something else.")


def downloads(html: str) -> dict[str, str]:
    """The download section's links, by their text."""
    section = html.split('class="downloads"')[1].split("</section>")[0]
    return {
        re.sub(r"<[^>]+>", "", text).strip(): href.replace("&amp;", "&")
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', section)
    }


def test_the_timeline_downloads_what_its_filters_show(client: Client, scene: None) -> None:
    links = downloads(
        client.get("/timeline/", {"actor": "Doctors Without Borders"}).content.decode()
    )
    assert links["CSV"] == "/api/v1/claims/export/csv/?actor=msf"
    assert links["JSON"] == "/api/v1/claims/export/jsonl/?actor=msf"
    assert "/api/v1/timeline/?actor=msf" in links.values()  # the API query
    csv = b"".join(client.get(links["CSV"]).streaming_content).decode()
    assert "MSF says its hospital was hit." in csv
    assert "Someone else says" not in csv
    json = b"".join(client.get(links["JSON"]).streaming_content).decode()
    assert len(json.strip().splitlines()) == 1


def test_a_refused_filter_offers_no_download(client: Client, scene: None) -> None:
    page = client.get("/timeline/", {"actor": "Nobody"}).content.decode()
    assert "/api/v1/claims/export/csv/" not in page


@pytest.mark.parametrize(
    ("url", "query"),
    [("/incidents/kunduz/", "incident=kunduz"), ("/actors/msf/", "actor=msf")],
)
def test_incident_and_actor_pages_download_their_claims(
    client: Client, scene: None, url: str, query: str
) -> None:
    links = downloads(client.get(url).content.decode())
    assert links["CSV"] == f"/api/v1/claims/export/csv/?{query}"
    assert links["JSON"] == f"/api/v1/claims/export/jsonl/?{query}"
    assert client.get(links["CSV"]).status_code == 200


def test_the_search_page_links_its_query_in_the_api(client: Client, scene: None) -> None:
    links = downloads(client.get("/search/", {"q": "hospital"}).content.decode())
    assert links["JSON"] == "/api/v1/search/?q=hospital"
    assert client.get(links["JSON"]).status_code == 200


@pytest.mark.parametrize("query", [{}, {"q": ""}, {"q": "   "}])
def test_a_search_page_with_nothing_asked_links_no_api_query_that_would_refuse(
    client: Client, scene: None, query: dict[str, str]
) -> None:
    html = client.get("/search/", query).content.decode()
    api_links = re.findall(r'href="(/api/v1/search/[^"]*)"', html)
    # Nothing was searched, so there are no results to fetch again (the link answered 400).
    assert [client.get(link.replace("&amp;", "&")).status_code for link in api_links] == [
        200 for _ in api_links
    ]


@pytest.mark.parametrize(
    "query",
    [
        {"order": "newest"},
        {"as_of": "2030-01-01"},
        {"recorded_by": "newest"},
        {"actor": "msf", "order": "oldest", "as_of": "2030-01-01"},
    ],
)
def test_every_api_link_of_the_timeline_answers_whatever_the_page_was_asked(
    client: Client, scene: None, query: dict
) -> None:
    """The page takes an order and both clocks; the exports take neither, and the timeline API
    takes no recorded_by: a link must never lead to a 400."""
    if query.get("recorded_by") == "newest":
        query = {"recorded_by": str(ChangeRecord.objects.latest("id").id)}
    page = client.get("/timeline/", query).content.decode()
    links = downloads(page)
    assert links
    for href in links.values():
        answer = client.get(href)
        assert answer.status_code == 200, (href, answer.content[:300])
    if "as_of" in query or "recorded_by" in query:
        assert "as the record stands now" in page
