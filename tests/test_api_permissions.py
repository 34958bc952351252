"""Who may read and write through the API: anyone reads published records, tokens write by role."""

from __future__ import annotations

import datetime as dt

import pytest

from claims.models import Claim, Evidence, Incident, Response
from sources.models import Actor, Document
from tests.factories import (
    AssessmentFactory,
    ClaimFactory,
    DocumentFactory,
    EvidenceFactory,
    FigureFactory,
    IncidentFactory,
    ResponseFactory,
)


@pytest.fixture
def record(white_helmets, defence_ministry, broadcaster):
    """A published allegation and a draft answer to it, each with figures and evidence."""
    incident = IncidentFactory(slug="idlib", title="Idlib strikes")
    published = ClaimFactory(speaker=white_helmets, incident=incident, summary="Shelling killed 10")
    draft = ClaimFactory(
        speaker=defence_ministry,
        incident=incident,
        summary="Draft shelling denial",
        status=Claim.Status.DRAFT,
    )
    FigureFactory(claim=published, low=10, high=10)
    FigureFactory(claim=draft, low=99, high=99)
    EvidenceFactory(claim=published, description="Published evidence")
    EvidenceFactory(claim=draft, description="Draft evidence")
    ResponseFactory(claim=draft, answers=published)
    document = DocumentFactory(publisher=broadcaster)
    return {"published": published, "draft": draft, "incident": incident, "document": document}


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_anonymous_claim_list_shows_published_claims_only(api_client, record):
    assert _ids(api_client.get("/api/v1/claims/")) == {record["published"].pk}


def test_editors_see_drafts_in_the_claim_list(editor_client, record):
    assert _ids(editor_client.get("/api/v1/claims/")) == {
        record["published"].pk,
        record["draft"].pk,
    }


def test_a_draft_claim_is_not_found_for_anonymous_users(api_client, record):
    draft = record["draft"].pk

    assert api_client.get(f"/api/v1/claims/{draft}/").status_code == 404
    assert api_client.get(f"/api/v1/claims/{draft}/claimreview/").status_code == 404


def test_a_signed_in_user_without_view_permission_reads_published_only(reader_client, record):
    assert _ids(reader_client.get("/api/v1/claims/")) == {record["published"].pk}
    assert reader_client.get(f"/api/v1/claims/{record['draft'].pk}/").status_code == 404


def test_a_published_claim_does_not_show_a_draft_answer_to_anonymous_users(
    api_client, editor_client, record
):
    url = f"/api/v1/claims/{record['published'].pk}/"

    assert api_client.get(url).json()["responses_received"] == []
    assert len(editor_client.get(url).json()["responses_received"]) == 1


def test_responses_and_evidence_of_drafts_are_hidden_from_anonymous_users(api_client, record):
    assert api_client.get("/api/v1/responses/").json()["results"] == []
    evidence = api_client.get("/api/v1/evidence/").json()["results"]
    assert [e["description"] for e in evidence] == ["Published evidence"]


def test_timeline_figures_and_claimreviews_hide_drafts_from_anonymous_users(api_client, record):
    # A ClaimReview is made of a published assessment: grade both, so only the draft differs.
    for claim in Claim.objects.all():
        AssessmentFactory(claim=claim)
    timeline = api_client.get("/api/v1/timeline/").json()["results"]
    figures = api_client.get("/api/v1/incidents/idlib/figures/").json()["results"]
    reviews = api_client.get("/api/v1/incidents/idlib/claimreview/").json()

    assert [row["id"] for row in timeline] == [record["published"].pk]
    assert [f["low"] for f in figures] == [10]
    assert [r["claimReviewed"] for r in reviews] == ["Shelling killed 10"]


def test_exports_hide_drafts_from_anonymous_users(api_client, record):
    csv_body = b"".join(api_client.get("/api/v1/claims/export/csv/").streaming_content).decode()
    jsonl = b"".join(api_client.get("/api/v1/claims/export/jsonl/").streaming_content).decode()

    assert "Shelling killed 10" in csv_body
    assert "Draft shelling denial" not in csv_body
    assert "Draft shelling denial" not in jsonl


@pytest.mark.parametrize(
    "url", ["/api/v1/actors/", "/api/v1/documents/", "/api/v1/incidents/", "/api/v1/"]
)
def test_anonymous_users_read_the_registries(api_client, record, url):
    assert api_client.get(url).status_code == 200


# --- Writes ----------------------------------------------------------------------------------


def _payloads(record: dict) -> dict[str, tuple[str, dict, type]]:
    published = record["published"]
    return {
        "actor": (
            "/api/v1/actors/",
            {"name": "Airwars", "slug": "airwars", "kind": "organisation"},
            Actor,
        ),
        "document": (
            "/api/v1/documents/",
            {"title": "A new report", "publisher": "rt", "language": "en"},
            Document,
        ),
        "incident": (
            "/api/v1/incidents/",
            {"title": "Shelling of Ariha", "slug": "ariha"},
            Incident,
        ),
        "claim": (
            "/api/v1/claims/",
            {
                "speaker": "reuters",
                "kind": "event",
                "summary": "Reuters reports the strikes.",
                "made_on": "2017-09-27",
            },
            Claim,
        ),
        "response": (
            "/api/v1/responses/",
            {"claim": record["draft"].pk, "answers": published.pk, "kind": "disputes"},
            Response,
        ),
        "evidence": (
            "/api/v1/evidence/",
            {
                # On a draft: evidence on a published claim is a change only reviewers make.
                "claim": record["draft"].pk,
                "relation": "supporting",
                "kind": "photo",
                "description": "A photograph of the site.",
                "availability": "published",
                "source_url": "https://example.org/photo.jpg",
            },
            Evidence,
        ),
    }


RESOURCES = ["actor", "document", "incident", "claim", "response", "evidence"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_an_editor_token_creates_every_resource(editor_client, record, reuters, resource):
    url, payload, model = _payloads(record)[resource]
    before = model.objects.count()

    response = editor_client.post(url, payload, format="json")

    assert response.status_code == 201, response.json()
    assert model.objects.count() == before + 1
    assert model.objects.filter(pk=response.json()["id"]).exists()


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_write_without_credentials_is_refused_with_401(api_client, record, reuters, resource):
    url, payload, model = _payloads(record)[resource]
    before = model.objects.count()

    response = api_client.post(url, payload, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert model.objects.count() == before


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_write_without_model_permission_is_refused_with_403(
    reader_client, record, reuters, resource
):
    url, payload, model = _payloads(record)[resource]
    before = model.objects.count()

    response = reader_client.post(url, payload, format="json")

    assert response.status_code == 403
    assert model.objects.count() == before


@pytest.mark.parametrize(
    ("url", "change"),
    [
        ("/api/v1/actors/white-helmets/", {"description": "Rescue volunteers."}),
        ("/api/v1/incidents/idlib/", {"place": "Idlib province"}),
        ("/api/v1/claims/{published}/", {"made_as_stated": "last week"}),
        ("/api/v1/evidence/{evidence}/", {"description": "Footage, described again."}),
        ("/api/v1/documents/{document}/", {"title": "Corrected title"}),
    ],
)
def test_updates_need_the_change_permission(
    api_client, reader_client, reviewer_client, record, url, change
):
    evidence = Evidence.objects.filter(claim=record["published"]).get()
    url = url.format(
        published=record["published"].pk, evidence=evidence.pk, document=record["document"].pk
    )

    assert api_client.patch(url, change, format="json").status_code == 401
    assert reader_client.patch(url, change, format="json").status_code == 403
    # A reviewer: changing a published claim is theirs to do (tests/test_permission_matrix.py).
    response = reviewer_client.patch(url, change, format="json")

    assert response.status_code == 200, response.json()
    [(field, value)] = change.items()
    assert response.json()[field] == value


def test_the_browsable_api_accepts_a_signed_in_session_but_checks_csrf(editor, record):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)

    assert client.get("/api/v1/claims/").status_code == 200
    refused = client.post("/api/v1/actors/", {"name": "X", "slug": "x", "kind": "person"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]


def test_a_document_date_sent_is_normalised_to_its_precision(editor_client, record):
    response = editor_client.patch(
        f"/api/v1/documents/{record['document'].pk}/",
        {"published_on": "2017-09-26", "published_precision": "month"},
        format="json",
    )

    assert response.status_code == 200
    # The model normalises a month-precise date to the first of the month.
    assert response.json()["published_on"] == "2017-09-01"
    record["document"].refresh_from_db()
    assert record["document"].published_on == dt.date(2017, 9, 1)
