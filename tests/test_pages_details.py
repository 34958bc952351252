"""The smaller things analysts asked for: a favicon of our own, evidence named by its claim's
summary, a failed archive shown on the claim page, a lone claim's tick under its dot, and
incident titles that ask for neutral wording."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from claims.devdata.demo import OLD_TITLES, load_demo
from claims.models import Evidence, Incident
from claims.pages import charts
from claims.reading.bands import SpeechRow
from claimtracker.dates import Precision
from sources.models import ArchiveStatus
from tests.factories import ClaimFactory, EvidenceFactory, IncidentFactory

pytestmark = pytest.mark.django_db


def test_the_favicon_is_our_own_svg_and_every_page_names_it(client: Client) -> None:
    answer = client.get("/favicon.ico")
    assert answer.status_code == 302
    assert answer["Location"] == "/static/favicon.svg"
    icon = Path(settings.STATIC_SOURCE_DIR, "favicon.svg").read_text()
    assert icon.startswith("<svg")
    assert "http" not in icon.replace("http://www.w3.org/2000/svg", "")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in (
        client.get("/").content.decode()
    )


def test_evidence_on_the_incident_page_names_its_claim_by_summary(client: Client) -> None:
    incident = IncidentFactory(slug="idlib")
    claim = ClaimFactory(incident=incident, summary="The Ministry says drones found the targets.")
    EvidenceFactory(claim=claim)
    page = client.get("/incidents/idlib/").content.decode()
    evidence = page.split('id="evidence-heading"')[1].split("</section>")[0]
    assert "The Ministry says drones found the targets." in evidence
    assert "claim by" not in evidence


def test_a_failed_archive_is_shown_on_the_claim_page(client: Client) -> None:
    claim = ClaimFactory()
    EvidenceFactory(
        claim=claim,
        url="https://example.org/video",
        availability=Evidence.Availability.PUBLISHED,
        archive_status=ArchiveStatus.FAILED,
        archive_error="The server answered 404 Not Found.",
    )
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "The record could not archive a copy" in page
    assert "The server answered 404 Not Found." in page


def test_a_lone_claims_single_tick_lines_up_with_its_dot() -> None:
    row = SpeechRow("RT", "rt", dt.date(2017, 9, 26), Precision.DAY, 1)
    band = charts.timeline_band([row])
    assert band is not None
    (tick,) = band.ticks
    (mark,) = band.lanes[0].marks
    assert tick.x == mark.cx
    assert tick.label == "26 Sep 2017"


def test_an_incident_title_asks_for_neutral_wording() -> None:
    help_text = str(Incident._meta.get_field("title").help_text)
    assert "neutral" in help_text.lower()


def test_the_demo_titles_its_incidents_neutrally(demo: None) -> None:
    titles = set(Incident.objects.values_list("title", flat=True))
    assert not any(title.startswith("Attack on") for title in titles)


def test_loading_the_demo_again_retitles_an_incident_an_older_demo_titled(demo: None) -> None:
    attack = Incident.objects.get(slug="attack-on-russian-military-police-2017")
    Incident.objects.filter(pk=attack.pk).update(title=next(iter(OLD_TITLES)))
    load_demo()
    attack.refresh_from_db()
    assert attack.title == "Fighting in Idlib province and north of Hama, September 2017"
