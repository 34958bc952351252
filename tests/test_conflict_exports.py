"""Incidents out in UCDP GED's and ACLED's conventions: one CSV row per incident, best / low /
high by one rule over the originators' latest figures, precision codes, sources, the ledger head,
the incident list's filters."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from claims.ledger import tree
from claims.models import CasualtyFigure, Claim
from claims.reading import conflictdata
from tests.factories import (
    ActorFactory,
    AttributionFactory,
    ClaimFactory,
    DocumentFactory,
    FigureFactory,
    IncidentFactory,
)

pytestmark = pytest.mark.django_db
Category = CasualtyFigure.Category


def said(incident, speaker, made_on, *figures, status="published"):
    claim = ClaimFactory(
        speaker=speaker, incident=incident, made_on=made_on, status=status, kind="casualty_count"
    )
    for category, low, high in figures:
        FigureFactory(claim=claim, category=category, low=low, high=high, qualifier="between")
    return claim


@pytest.fixture
def idlib(white_helmets, defence_ministry, broadcaster):
    incident = IncidentFactory(
        slug="idlib",
        place="Jisr al-Shughur",
        region="Idlib",
        country="SY",
        latitude=Decimal("35.81"),
        longitude=Decimal("36.32"),
        location_precision="place",
        start_on=dt.date(2017, 9, 18),
        start_precision="week",
        acled_id="SYR84051",
        ucdp_id="244657",
    )
    observatory = ActorFactory(name="Syrian Observatory for Human Rights", slug="sohr")
    first = said(incident, white_helmets, dt.date(2017, 9, 25), (Category.CIVILIANS, 140, 140))
    said(incident, white_helmets, dt.date(2017, 9, 27), (Category.CIVILIANS, 152, 152))
    said(incident, defence_ministry, dt.date(2017, 9, 26), (Category.CIVILIANS, 0, 0))
    said(
        incident,
        observatory,
        dt.date(2017, 9, 28),
        (Category.CIVILIANS, 60, 80),
        (Category.COMBATANTS, 16, 20),
        (Category.CHILDREN, 20, 20),  # within the civilians: not added again
    )
    said(
        incident, broadcaster, dt.date(2017, 9, 29), (Category.CIVILIANS, 900, 900), status="draft"
    )
    article = DocumentFactory(title="RT report", publisher=broadcaster)
    AttributionFactory(claim=first, position=1, actor=broadcaster, document=article)
    return incident


def test_the_rule_counts_each_speaker_once_by_its_latest_figures(idlib):
    claims = list(
        Claim.objects.published()
        .filter(incident=idlib)
        .prefetch_related("figures")
        .select_related("speaker")
    )
    estimate = conflictdata.estimate(claims)
    # Totals: White Helmets 152 (latest), Ministry 0, Observatory 76-100 (civilians + combatants).
    assert [(t.speaker, t.low, t.high) for t in estimate.totals] == [
        ("Ministry of Defence of the Russian Federation", 0, 0),
        ("White Helmets", 152, 152),
        ("Syrian Observatory for Human Rights", 76, 100),
    ]
    assert (estimate.best, estimate.low, estimate.high) == (76, 0, 152)
    assert estimate.civilians == 60  # the median of 0, 60 and 152


def test_the_rule_takes_a_narrower_category_when_nothing_else_is_given(white_helmets):
    incident = IncidentFactory()
    said(
        incident,
        white_helmets,
        dt.date(2017, 9, 25),
        (Category.CHILDREN, 12, 12),
        (Category.WOMEN, 9, 9),
    )
    claims = list(Claim.objects.prefetch_related("figures").select_related("speaker"))
    estimate = conflictdata.estimate(claims)
    assert (estimate.best, estimate.low, estimate.high, estimate.civilians) == (12, 12, 12, None)


def rows_of(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_the_ucdp_ged_export_gives_best_low_high_precisions_and_sources(api_client, idlib):
    response = api_client.get("/api/v1/incidents/export/ucdp-ged/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    (row,) = rows_of(response)
    assert (row["best"], row["low"], row["high"], row["deaths_civilians"]) == (
        "76",
        "0",
        "152",
        "60",
    )
    assert (row["date_prec"], row["where_prec"]) == ("3", "1")  # the week; the named town
    assert row["date_start"] == "2017-09-18"
    assert row["country"] == "SY"
    assert row["number_of_sources"] == "3"
    assert "RT report" in row["source_article"]
    assert "White Helmets" in row["source_original"]
    assert row["ucdp_id"] == "244657"
    size, root = response["X-Claimtracker-Ledger-Head"].split(" ")
    assert root == tree.root(int(size)).hex()


def test_the_acled_export_gives_fatalities_precisions_and_who_says_what(api_client, idlib):
    (row,) = rows_of(api_client.get("/api/v1/incidents/export/acled/"))
    assert row["event_id_cnty"] == "SYR84051"
    assert row["fatalities"] == "76"
    assert (row["time_precision"], row["geo_precision"]) == ("2", "1")
    assert "White Helmets says 152 people were killed (2017-09-27)" in row["notes"]
    assert "900" not in row["notes"]  # a draft is not in the record's export
    assert row["source"] == "RT"


def test_the_exports_take_the_incident_lists_filters(api_client, idlib, white_helmets):
    other = IncidentFactory(slug="hama", country="SY", ucdp_id="1")
    said(other, white_helmets, dt.date(2017, 9, 25), (Category.CIVILIANS, 3, 3))
    rows = rows_of(api_client.get("/api/v1/incidents/export/ucdp-ged/", {"ucdp_id": "1"}))
    assert [row["relid"] for row in rows] == ["hama"]
    assert api_client.get("/api/v1/incidents/export/acled/", {"since": "soon"}).status_code == 400
    assert api_client.get("/api/v1/incidents/export/acled/", {"colour": "red"}).status_code == 400
