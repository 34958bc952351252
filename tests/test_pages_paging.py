"""Timeline and incident pages at scale: keyset pages, the bounded timeline band, the incident
page reading only the threads it shows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from claims.models import Claim, Response
from claims.reading.bands import TOP_SPEAKERS, bucket_for
from claimtracker.dates import Precision
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    FigureFactory,
    IncidentFactory,
    ResponseFactory,
)
from tests.test_pages_claims import get_ok, text_of

pytestmark = pytest.mark.django_db

DAY = dt.date(2020, 3, 2)


def summaries(html: str) -> list[str]:
    return re.findall(r'class="claim-summary"><a href="[^"]+">([^<]+)</a>', html)


def link(html: str, rel: str) -> str:
    """The query string of the page's previous or next link."""
    return re.search(rf'<a href="(\?[^"#]*)[^"]*" rel="{rel}">', html)[1].replace("&amp;", "&")


# --- Keyset pages -------------------------------------------------------------------------


@pytest.fixture
def sixty_claims() -> list[Claim]:
    """Sixty claims over three dates, twenty a day, so pages break inside a date."""
    return [
        ClaimFactory(summary=f"Claim number {n:02}.", made_on=DAY + dt.timedelta(days=n // 20))
        for n in range(60)
    ]


def test_next_and_previous_walk_the_timeline_without_gaps_or_repeats(
    client: Client, sixty_claims: list[Claim]
) -> None:
    seen, html = [], get_ok(client, "/timeline/")
    while True:
        seen += summaries(html)
        if 'rel="next"' not in html:
            break
        html = get_ok(client, "/timeline/" + link(html, "next"))
    assert seen == [claim.summary for claim in sixty_claims]
    # ...and back again from the last page.
    back = summaries(html)
    while 'rel="prev"' in html:
        html = get_ok(client, "/timeline/" + link(html, "prev"))
        back = summaries(html) + back
    assert back == seen
    assert 'rel="prev"' not in get_ok(client, "/timeline/")


def test_a_later_page_says_in_its_title_where_it_starts(
    client: Client, sixty_claims: list[Claim]
) -> None:
    first = get_ok(client, "/timeline/")
    second = get_ok(client, "/timeline/" + link(first, "next"))

    title = re.compile(r"<title>([^<]*)</title>")
    assert ", from" not in title.search(first)[1]
    assert ", from 3 Mar 2020" in title.search(second)[1]  # claim 25 of 20 a day


def test_a_page_link_survives_claims_added_before_it(
    client: Client, sixty_claims: list[Claim]
) -> None:
    second = "/timeline/" + link(get_ok(client, "/timeline/"), "next")
    ClaimFactory(summary="An older claim added later.", made_on=DAY - dt.timedelta(days=1))
    assert summaries(get_ok(client, second))[0] == "Claim number 25."


@pytest.mark.parametrize(
    "query",
    ["after=yesterday", "after=2020-13-45.3", "before=2020-03-02", "after=1.1&before=1.1"],
)
def test_a_malformed_page_link_shows_the_first_page_and_says_so(
    client: Client, sixty_claims: list[Claim], query: str
) -> None:
    html = get_ok(client, f"/timeline/?{query}")
    assert "The page link was not understood" in text_of(html)
    assert summaries(html)[0] == "Claim number 00."


def test_a_page_past_the_end_says_so_and_links_back(
    client: Client, sixty_claims: list[Claim]
) -> None:
    html = get_ok(client, f"/timeline/?after=2030-01-01.{sixty_claims[-1].pk}")
    assert "No more claims on this side of the page you came from." in text_of(html)
    assert summaries(get_ok(client, "/timeline/" + link(html, "prev")))[-1] == "Claim number 59."


def test_page_links_keep_the_filters(client: Client, sixty_claims: list[Claim]) -> None:
    html = get_ok(client, "/timeline/?kind=other")
    assert link(html, "next").startswith("?kind=other&after=")


# --- The band ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, Precision.DAY),
        (92, Precision.DAY),
        (93, Precision.WEEK),
        (800, Precision.MONTH),
        (3000, Precision.YEAR),
    ],
)
def test_the_band_counts_per_a_period_fitted_to_the_span(days: int, bucket: str) -> None:
    assert bucket_for(DAY, DAY + dt.timedelta(days=days)) == bucket


def test_the_band_draws_the_busiest_parties_and_states_what_it_leaves_out(client: Client) -> None:
    for n in range(TOP_SPEAKERS + 2):
        ClaimFactory.create_batch(n + 1, speaker=ActorFactory(name=f"Party {n:02}"), made_on=DAY)
    html = get_ok(client, "/timeline/")
    band = html.split('class="band"', 1)[1].split("</figure>", 1)[0]
    drawn = re.findall(r'<text class="lane-label wide-only"[^>]*>(Party \d+)', band)
    assert drawn == [f"Party {n:02}" for n in range(TOP_SPEAKERS + 1, 1, -1)]
    words = text_of(band)
    assert "the 10 parties with most claims in this range; 2 other parties, with 3 claims" in words
    table = text_of(html.split("(the chart above as a table)", 1)[1].split("</table>", 1)[0])
    assert "Party 11 12 2 Mar 2020 (12 claims)" in table
    assert "2 other parties (not drawn) 3" in table
    assert "78 claims" in text_of(html)  # 1 + 2 + ... + 12, drawn or not


def test_over_years_the_band_counts_claims_per_year_and_says_so(client: Client) -> None:
    speaker = ActorFactory(name="The Ministry")
    for year in (2011, 2015, 2019):
        ClaimFactory.create_batch(2, speaker=speaker, made_on=dt.date(year, 5, 4))
    ClaimFactory(speaker=speaker, made_on=dt.date(2015, 9, 1), made_precision=Precision.MONTH)
    html = get_ok(client, "/timeline/")
    band = html.split('class="band"', 1)[1].split("</figure>", 1)[0]
    assert band.count('<rect class="mark span"') == 3  # one bar a year, none for each claim
    assert "Each bar counts a party's claims in one year" in text_of(band)
    table = text_of(html.split("(the chart above as a table)", 1)[1].split("</table>", 1)[0])
    assert "2011 (2 claims); 2015 (3 claims); 2019 (2 claims)" in table


def test_a_looser_date_than_the_period_keeps_its_own(client: Client) -> None:
    speaker = ActorFactory(name="The Ministry")
    ClaimFactory(speaker=speaker, made_on=dt.date(2016, 1, 1), made_precision=Precision.YEAR)
    ClaimFactory(speaker=speaker, made_on=dt.date(2017, 9, 20))
    table = get_ok(client, "/timeline/").split("(the chart above as a table)", 1)[1]
    # 628 days: counted per week, and the claim dated only to 2016 still spans its year.
    assert "2016; week of 18 Sep 2017 – 24 Sep 2017" in text_of(table)


# --- Incident page -----------------------------------------------------------------------


@pytest.fixture
def busy_incident() -> dict[str, object]:
    """Thirty allegations on one incident, each answered by a denial, and one more answer to
    the first allegation's denial: thirty threads, sixty-one claims."""
    incident = IncidentFactory(slug="busy")
    ministry = ActorFactory(name="The Ministry")
    allegations = []
    for n in range(30):
        allegation = ClaimFactory(
            incident=incident, summary=f"Allegation {n:02}.", made_on=DAY + dt.timedelta(days=n)
        )
        denial = ClaimFactory(
            incident=incident,
            speaker=ministry,
            summary=f"Denial of allegation {n:02}.",
            made_on=DAY + dt.timedelta(days=n + 40),
        )
        ResponseFactory(claim=denial, answers=allegation, kind=Response.Kind.DENIES)
        allegations.append((allegation, denial))
    rebuttal = ClaimFactory(incident=incident, summary="A rebuttal of the first denial.")
    ResponseFactory(claim=rebuttal, answers=allegations[0][1], kind=Response.Kind.DISPUTES)
    return {"incident": incident, "allegations": allegations}


def threads_of(html: str) -> list[str]:
    """The allegations on the page, in order: in the fixture each starts a thread."""
    threads = html.split('<ol class="threads">', 1)[1].split("</section>", 1)[0]
    return re.findall(r'">(Allegation \d+\.)</a>', threads)


def test_the_incident_page_shows_a_page_of_threads_with_their_answers(
    client: Client, busy_incident: dict
) -> None:
    html = get_ok(client, "/incidents/busy/")
    assert threads_of(html) == [f"Allegation {n:02}." for n in range(25)]
    words = text_of(html)
    # Answers sit under what they answer, down the chain, and start no thread of their own.
    first = words.index("Allegation 00.")
    assert first < words.index("Denial of allegation 00.") < words.index("A rebuttal of the")
    assert "Denial of allegation 24." in words
    assert "Allegation 25." not in words
    assert "Claims recorded 61" in words
    following = get_ok(client, "/incidents/busy/" + link(html, "next"))
    assert threads_of(following) == [f"Allegation {n:02}." for n in range(25, 30)]
    assert "Denial of allegation 29." in text_of(following)
    back = get_ok(client, "/incidents/busy/" + link(following, "prev"))
    assert threads_of(back) == threads_of(html)


def test_the_incident_page_shows_evidence_and_documents_of_the_threads_on_it(
    client: Client, busy_incident: dict
) -> None:
    words = text_of(get_ok(client, "/incidents/busy/"))
    assert "Evidence offered by the claims in the threads on this page" in words


def test_a_malformed_thread_page_link_shows_the_first_threads(
    client: Client, busy_incident: dict
) -> None:
    html = get_ok(client, "/incidents/busy/?after=somewhere")
    assert "The page link was not understood" in text_of(html)
    assert threads_of(html)[0] == "Allegation 00."


def test_a_huge_figure_spread_draws_the_first_figures_and_says_so(client: Client) -> None:
    incident = IncidentFactory(slug="many-figures")
    for n in range(61):
        FigureFactory(claim__incident=incident, claim__made_on=DAY, low=n + 1, high=n + 1)
    html = get_ok(client, "/incidents/many-figures/")
    svg = html.split('class="spread"', 1)[1].split("</figure>", 1)[0]
    assert svg.count('<circle class="figure point"') == 60
    assert "The first 60 figures" in text_of(html)
