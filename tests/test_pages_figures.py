"""The figures sections of the incident and actor pages: flags, trajectories, as_of, queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from claims.models import CasualtyFigure
from tests.factories import (
    ActorFactory,
    AttributionFactory,
    ClaimFactory,
    FigureFactory,
    IncidentFactory,
)

pytestmark = pytest.mark.django_db


def said(speaker, day, number, *, incident, via=None):
    claim = ClaimFactory(speaker=speaker, incident=incident, made_on=dt.date(2015, 10, day))
    if via is not None:
        AttributionFactory(claim=claim, position=1, actor=via)
    return FigureFactory(claim=claim, low=number, high=number)


@pytest.fixture
def hospital(db):
    incident = IncidentFactory(slug="hospital", title="Strike on a hospital")
    msf = ActorFactory(name="MSF", slug="msf")
    ministry = ActorFactory(name="Ministry", slug="ministry")
    said(msf, 3, 42, incident=incident)
    said(msf, 5, 30, incident=incident)  # lowered, no correction
    said(ministry, 4, 10, incident=incident)  # apart from MSF's 30: 3 times
    return incident


def text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_the_incident_page_shows_the_flags_in_words(client: Client, hospital) -> None:
    html = text(client, "/incidents/hospital/")

    assert (
        "<strong>Lowered by its own speaker, no correction recorded.</strong> MSF gives 30 "
        "civilians killed (5 Oct 2015), below its own earlier 42 (3 Oct 2015)" in html
    )
    assert "<strong>Parties&#x27; ranges do not overlap.</strong> MSF&#x27;s latest figure" in html


def test_the_incident_page_lists_each_speakers_figures_in_date_order(
    client: Client, hospital
) -> None:
    html = text(client, "/incidents/hospital/")
    table = html.split("Civilians killed: each speaker’s figures in date order", 1)[1]
    msf_row = table.split("MSF</a></th>", 1)[1].split("</tr>", 1)[0]

    assert msf_row.index(">42</a>") < msf_row.index(">30</a>")


def test_as_of_on_the_page_reads_figures_and_flags_by_that_date(client: Client, hospital) -> None:
    html = text(client, "/incidents/hospital/?as_of=2015-10-04")

    assert "Figures in claims made by 4 October 2015" in html
    assert "Lowered by its own speaker" not in html
    assert "No figure here meets a discrepancy rule" not in html  # apart: 42 against 10
    assert "Parties&#x27; ranges do not overlap" in html


def test_a_bad_as_of_on_the_page_says_so_and_shows_every_figure(client: Client, hospital) -> None:
    html = text(client, "/incidents/hospital/?as_of=yesterday")
    assert "“yesterday” is not a date" in html
    assert "Lowered by its own speaker" in html


def test_the_actor_page_shows_its_figures_and_the_flags_on_them(client: Client, hospital) -> None:
    html = text(client, "/actors/ministry/")

    assert "Casualty figures Ministry gave" in html
    assert "Parties&#x27; ranges do not overlap" in html
    assert "Lowered by its own speaker" not in html  # MSF's, not the ministry's
    assert "Strike on a hospital</a>: civilians killed" in html


def test_a_party_with_no_figures_says_so(client: Client, hospital) -> None:
    ClaimFactory(speaker=ActorFactory(slug="quiet", name="Quiet"))
    assert "No published claim by this party gives a casualty figure." in text(
        client, "/actors/quiet/"
    )


def add_figures(incident, count: int) -> None:
    for n in range(count):
        party = ActorFactory()
        said(party, 10 + n % 10, 100 + n, incident=incident)
        said(ActorFactory(), 20, 100 + n, incident=incident, via=party)
        said(ActorFactory(), 21, 7, incident=incident, via=ActorFactory())


def test_the_figures_sections_cost_the_same_for_many_figures(client: Client, hospital) -> None:
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    msf = hospital.claims.first().speaker
    add_figures(hospital, 2)
    few = (count("/incidents/hospital/"), count(f"/actors/{msf.slug}/"))
    add_figures(hospital, 20)
    cache.clear()  # the actor's section is kept per record state
    many = (count("/incidents/hospital/"), count(f"/actors/{msf.slug}/"))
    # The incident page: 15 as pinned in test_pages_queries.py, and the originators heard only
    # through relays. The actor page: its other parts (16 here, with the empty list of claims
    # about it as their subject: see test_pages_queries.py; the
    # answers to allegations cost 3, none being against this actor, and their empty list 1),
    # then the figures section's 4: the figures, their origins, the originators heard only
    # through relays, the corrections recorded.
    assert few == many == (16, 20)


def test_an_open_ended_figure_reads_as_open_in_the_table(client: Client, hospital) -> None:
    FigureFactory(
        claim=ClaimFactory(incident=hospital),
        low=150,
        high=None,
        qualifier=CasualtyFigure.Qualifier.MORE_THAN,
        as_stated="over 150",
    )
    html = text(client, "/incidents/hospital/")
    assert "more than 150 (no upper bound stated)" in html


def test_a_page_draws_only_the_latest_figures_and_the_first_flags_and_says_so(
    client: Client, hospital, monkeypatch
) -> None:
    """An actor with thousands of figures made a 2.9 MB page; the page draws a bounded number."""
    from claims.pages import figures

    monkeypatch.setattr(figures, "TRAJECTORY_CAP", 2)
    monkeypatch.setattr(figures, "FLAGS_CAP", 1)
    html = text(client, "/incidents/hospital/")

    assert "The latest 2 figures are drawn here" in html
    assert "more flag" in html
    assert html.count('class="flag flag-') == 1
