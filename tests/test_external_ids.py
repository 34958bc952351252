"""External ids: ACLED, UCDP GED and Wikidata ids on incidents, Wikidata ids and DOIs on
documents, validated in each dataset's format and writable at every door."""

from __future__ import annotations

import pytest
from django.test import Client

from claims.exchange.importer import import_text
from claims.models import Incident
from claims.record.workflow import OPERATOR
from sources.models import Document
from tests.factories import (
    ActorFactory,
    AttributionFactory,
    ClaimFactory,
    DocumentFactory,
    IncidentFactory,
)
from tests.test_jobs_imports import empty_the_database, export

pytestmark = pytest.mark.django_db

IDS = {"acled_id": "SYR84051", "ucdp_id": "244657", "wikidata_id": "Q28837171"}


def test_the_api_writes_and_reads_an_incidents_external_ids(editor_client):
    body = {"title": "Air strikes in Idlib, September 2017", "slug": "idlib", **IDS}
    created = editor_client.post("/api/v1/incidents/", body, format="json")
    assert created.status_code == 201, created.json()
    assert {k: created.json()[k] for k in IDS} == IDS
    incident = Incident.objects.get(slug="idlib")
    assert (incident.acled_id, incident.ucdp_id, incident.wikidata_id) == tuple(IDS.values())


@pytest.mark.parametrize(
    ("field", "value"),
    [("acled_id", "84051"), ("acled_id", "syr84051"), ("ucdp_id", "GED-1"), ("wikidata_id", "42")],
)
def test_the_api_refuses_an_id_in_the_wrong_format_at_its_field(editor_client, field, value):
    body = {"title": "Shelling near Hama, 2017", "slug": "hama", field: value}
    answer = editor_client.post("/api/v1/incidents/", body, format="json")
    assert answer.status_code == 400
    assert field in str(answer.json())
    assert not Incident.objects.exists()


def used(incident: Incident | None = None, document: Document | None = None) -> None:
    """Readers see incidents and documents a published claim uses."""
    claim = ClaimFactory(incident=incident)
    if document is not None:
        AttributionFactory(claim=claim, position=1, actor=document.publisher, document=document)


def test_the_incident_list_filters_by_each_external_id(api_client):
    used(IncidentFactory(slug="idlib", **IDS))
    used(IncidentFactory(slug="hama"))
    for field, value in IDS.items():
        rows = api_client.get("/api/v1/incidents/", {field: value}).json()["results"]
        assert [row["slug"] for row in rows] == ["idlib"], field


def test_documents_carry_a_wikidata_id_and_a_doi_through_the_api(editor_client, api_client):
    publisher = ActorFactory(slug="un-ohchr")
    body = {
        "title": "Report on civilian casualties",
        "publisher": "un-ohchr",
        "language": "en",
        "wikidata_id": "Q1000",
        "doi": "10.18356/abc123",
    }
    created = editor_client.post("/api/v1/documents/", body, format="json")
    assert created.status_code == 201, created.json()
    document = Document.objects.get(publisher=publisher)
    assert (document.wikidata_id, document.doi) == ("Q1000", "10.18356/abc123")
    used(document=document)
    rows = api_client.get("/api/v1/documents/", {"doi": "10.18356/abc123"}).json()["results"]
    assert [row["wikidata_id"] for row in rows] == ["Q1000"]
    bad = editor_client.post(
        "/api/v1/documents/", {**body, "doi": "https://doi.org/x"}, format="json"
    )
    assert bad.status_code == 400
    assert "doi" in str(bad.json())


def test_the_admin_form_saves_the_ids(admin_client):
    page = admin_client.get("/admin/claims/incident/add/")
    assert 'name="acled_id"' in page.content.decode()
    assert 'name="ucdp_id"' in page.content.decode()
    page = admin_client.get("/admin/sources/document/add/")
    assert 'name="doi"' in page.content.decode()


def test_pages_show_the_ids_with_links_to_the_datasets():
    incident = IncidentFactory(slug="idlib", **IDS)
    document = DocumentFactory(wikidata_id="Q1000", doi="10.18356/abc123")
    used(incident, document)
    html = Client().get(incident.get_absolute_url()).content.decode()
    assert "ACLED SYR84051" in html
    assert 'href="https://ucdp.uu.se/event/244657"' in html
    assert 'href="https://www.wikidata.org/wiki/Q28837171"' in html
    html = Client().get(document.get_absolute_url()).content.decode()
    assert 'href="https://doi.org/10.18356/abc123"' in html


def test_the_ids_round_trip_through_a_dataset():
    IncidentFactory(slug="idlib", **IDS)
    DocumentFactory(wikidata_id="Q1000", doi="10.18356/abc123")
    text = export()
    empty_the_database()
    outcome = import_text(text, by=OPERATOR)
    assert not outcome.errors
    incident = Incident.objects.get(slug="idlib")
    assert (incident.acled_id, incident.ucdp_id, incident.wikidata_id) == tuple(IDS.values())
    assert Document.objects.get().doi == "10.18356/abc123"
