"""Nothing sent to the API is silently ignored (issue 16): an unknown body field or query
parameter answers 400 naming it and listing the accepted ones, a float is not an id, and every
reference takes what reads return (an actor or incident by id or slug, a claim or document by
id or uid)."""

from __future__ import annotations

import pytest

from claims.models import Claim, Evidence, Response
from sources.models import Actor
from tests.factories import ClaimFactory, DocumentFactory, IncidentFactory, ResponseFactory
from tests.problems import fields

pytestmark = pytest.mark.django_db


def minimal_claim(**extra: object) -> dict:
    return {
        "speaker": "white-helmets",
        "kind": "other",
        "summary": "The White Helmets say something happened.",
        "made_on": "2017-09-26",
        **extra,
    }


# --- unknown body fields ------------------------------------------------------------------------


def test_an_unknown_field_of_a_new_claim_is_named_with_the_accepted_ones(
    reviewer_client, white_helmets
):
    answer = reviewer_client.post(
        "/api/v1/claims/", minimal_claim(chain=[{"actor": "white-helmets"}]), format="json"
    )

    assert answer.status_code == 400, answer.json()
    message = fields(answer)["chain"][0]
    assert "Unknown field" in message
    assert "attribution_chain" in message
    assert "figures" in message
    assert not Claim.objects.exists()


def test_an_unknown_field_inside_a_figure_is_named_under_its_index(reviewer_client, white_helmets):
    figure = {"category": "civilians", "outcome": "killed", "low": 3, "qualifer": "about"}
    answer = reviewer_client.post("/api/v1/claims/", minimal_claim(figures=[figure]), format="json")

    assert answer.status_code == 400, answer.json()
    assert "qualifer" in fields(answer)["figures"]["0"]
    assert not Claim.objects.exists()


def test_an_unknown_field_of_an_actor_change_is_refused(editor_client, white_helmets):
    answer = editor_client.patch("/api/v1/actors/white-helmets/", {"nickname": "WH"}, format="json")

    assert answer.status_code == 400
    assert "Unknown field" in fields(answer)["nickname"][0]


def test_the_read_only_parts_of_a_read_are_refused_in_a_write(editor_client, white_helmets):
    answer = editor_client.patch(
        "/api/v1/actors/white-helmets/", {"html_url": "https://example.org/"}, format="json"
    )

    assert answer.status_code == 400
    assert "html_url" in fields(answer)


# --- unknown query parameters -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/claims/",
        "/api/v1/actors/",
        "/api/v1/documents/",
        "/api/v1/incidents/",
        "/api/v1/responses/",
        "/api/v1/evidence/",
        "/api/v1/timeline/",
        "/api/v1/search/?q=idlib&",
    ],
)
def test_a_list_answers_400_to_a_misspelt_filter(api_client, path):
    separator = "" if path.endswith("&") else "?"
    answer = api_client.get(f"{path}{separator}spekaer=white-helmets")

    assert answer.status_code == 400, answer.content
    assert "This endpoint accepts" in fields(answer)["spekaer"][0]


def test_the_accepted_list_names_the_real_filters(api_client):
    answer = api_client.get("/api/v1/claims/?spekaer=x")

    message = fields(answer)["spekaer"][0]
    assert "speaker" in message
    assert "cursor" in message
    assert "as_of" in message


def test_a_detail_answers_400_to_an_unknown_parameter(api_client, white_helmets):
    answer = api_client.get("/api/v1/actors/white-helmets/?as_of=2017-01-01")

    assert answer.status_code == 400
    assert "as_of" in fields(answer)


def test_known_parameters_still_filter(api_client, white_helmets, reuters):
    ClaimFactory(speaker=white_helmets)
    ClaimFactory(speaker=reuters)

    answer = api_client.get("/api/v1/claims/?speaker=white-helmets&page_size=10&as_of=2018-01-01")

    assert answer.status_code == 200, answer.json()
    assert [c["speaker"]["slug"] for c in answer.json()["results"]] == ["white-helmets"]


def test_a_write_answers_400_to_a_query_parameter(reviewer_client, white_helmets):
    answer = reviewer_client.post("/api/v1/claims/?dry_run=1", minimal_claim(), format="json")

    assert answer.status_code == 400
    assert "dry_run" in fields(answer)
    assert not Claim.objects.exists()


# --- ids are integers ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1.9, 1.0, True, "1.9", [1]])
def test_a_claim_reference_that_is_not_an_integer_or_uid_is_refused(reviewer_client, value):
    claim = ClaimFactory()
    answer = reviewer_client.post(
        "/api/v1/evidence/",
        {
            "claim": value if value != 1.0 else float(claim.pk),
            "relation": "cited",
            "kind": "video",
            "description": "Footage.",
            "availability": "not_produced",
        },
        format="json",
    )

    assert answer.status_code == 400, answer.json()
    assert "claim" in fields(answer)
    assert not Evidence.objects.exists()


# --- references take what reads return ----------------------------------------------------------


def test_an_actor_is_named_by_its_id_as_well_as_its_slug(reviewer_client, white_helmets):
    incident = IncidentFactory()
    body = minimal_claim(speaker=white_helmets.pk, incident=incident.pk, accused=["reuters"])
    Actor.objects.create(name="Reuters", slug="reuters", kind="news_agency")

    answer = reviewer_client.post("/api/v1/claims/", body, format="json")

    assert answer.status_code == 201, answer.json()
    claim = Claim.objects.get()
    assert claim.speaker == white_helmets
    assert claim.incident == incident
    assert [a.slug for a in claim.accused] == ["reuters"]


def test_an_unknown_actor_id_says_id_or_slug(reviewer_client, white_helmets):
    answer = reviewer_client.post("/api/v1/claims/", minimal_claim(speaker=987654), format="json")

    assert answer.status_code == 400
    assert "987654" in fields(answer)["speaker"][0]
    assert "slug=987654" not in fields(answer)["speaker"][0]


def test_a_claim_is_named_by_its_uid_as_well_as_its_id(reviewer_client):
    allegation = ClaimFactory()
    denial = ClaimFactory()

    answer = reviewer_client.post(
        "/api/v1/responses/",
        {"claim": str(denial.uid), "answers": allegation.pk, "kind": "denies"},
        format="json",
    )

    assert answer.status_code == 201, answer.json()
    assert Response.objects.get().claim == denial


def test_a_document_is_named_by_its_uid_in_a_chain(reviewer_client, white_helmets):
    article = DocumentFactory()
    hop = {"actor": white_helmets.pk, "verb": "cited", "document": str(article.uid)}

    answer = reviewer_client.post(
        "/api/v1/claims/", minimal_claim(attribution_chain=[hop]), format="json"
    )

    assert answer.status_code == 201, answer.json()
    assert Claim.objects.get().chain[0].document == article


def test_reads_show_the_uid_of_claims_and_documents(api_client, reviewer_client):
    article = DocumentFactory()
    claim = ClaimFactory()

    assert api_client.get(f"/api/v1/claims/{claim.pk}/").json()["uid"] == str(claim.uid)
    listed = api_client.get("/api/v1/claims/").json()["results"][0]
    assert listed["uid"] == str(claim.uid)
    document = reviewer_client.get(f"/api/v1/documents/{article.pk}/").json()
    assert document["uid"] == str(article.uid)


def test_list_filters_name_a_claim_by_id_or_uid(api_client):
    denial = ResponseFactory()

    by_uid = api_client.get(f"/api/v1/responses/?answers={denial.answers.uid}")
    by_id = api_client.get(f"/api/v1/responses/?answers={denial.answers_id}")
    neither = api_client.get("/api/v1/responses/?answers=1.9")

    assert [r["id"] for r in by_uid.json()["results"]] == [denial.pk]
    assert [r["id"] for r in by_id.json()["results"]] == [denial.pk]
    assert neither.status_code == 400


def test_documents_filter_by_the_publishers_id_or_slug(reviewer_client, broadcaster):
    article = DocumentFactory(publisher=broadcaster)
    DocumentFactory()

    for key in (broadcaster.slug, broadcaster.pk):
        answer = reviewer_client.get(f"/api/v1/documents/?publisher={key}")
        assert [d["id"] for d in answer.json()["results"]] == [article.pk]
