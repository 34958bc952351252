"""Responses and evidence are removed through the API by the write path's rules (a reviewer on a
published claim, an editor on a draft), with history: never silently (issue 16)."""

from __future__ import annotations

import pytest

from claims.models import ChangeRecord, Claim, Evidence, Response
from tests.factories import ClaimFactory, EvidenceFactory, ResponseFactory
from tests.problems import fields

pytestmark = pytest.mark.django_db


def test_a_reviewer_removes_a_response_and_the_history_keeps_it(reviewer_client, reviewer):
    response = ResponseFactory()

    answer = reviewer_client.delete(f"/api/v1/responses/{response.pk}/")

    assert answer.status_code == 204
    assert not Response.objects.exists()
    removed = ChangeRecord.objects.get(table_name="claims_response", operation="DELETE")
    assert removed.user_id == str(reviewer.pk)


def test_a_reviewer_removes_evidence(reviewer_client):
    evidence = EvidenceFactory()

    answer = reviewer_client.delete(f"/api/v1/evidence/{evidence.pk}/")

    assert answer.status_code == 204
    assert not Evidence.objects.exists()
    assert ChangeRecord.objects.filter(table_name="claims_evidence", operation="DELETE").exists()


def test_an_editor_may_not_remove_a_published_claims_evidence(editor_client):
    evidence = EvidenceFactory()

    answer = editor_client.delete(f"/api/v1/evidence/{evidence.pk}/")

    assert answer.status_code == 403
    assert Evidence.objects.exists()


def test_an_editor_removes_a_drafts_evidence(editor_client):
    evidence = EvidenceFactory(claim=ClaimFactory(status=Claim.Status.DRAFT))

    answer = editor_client.delete(f"/api/v1/evidence/{evidence.pk}/")

    assert answer.status_code == 204
    assert not Evidence.objects.exists()


def test_the_public_may_not_remove_anything(api_client):
    response = ResponseFactory()

    answer = api_client.delete(f"/api/v1/responses/{response.pk}/")

    assert answer.status_code in (401, 403)
    assert Response.objects.exists()


def test_evidence_is_part_of_the_one_post_claim(reviewer_client, white_helmets):
    body = {
        "speaker": "white-helmets",
        "kind": "other",
        "summary": "The White Helmets say something happened.",
        "made_on": "2017-09-26",
        "evidence": [
            {
                "relation": "cited",
                "kind": "video",
                "description": "Footage the speaker refers to.",
                "availability": "not_produced",
            }
        ],
    }

    answer = reviewer_client.post("/api/v1/claims/", body, format="json")

    assert answer.status_code == 201, answer.json()
    claim = Claim.objects.get()
    assert [e.description for e in claim.evidence.all()] == ["Footage the speaker refers to."]
    assert answer.json()["evidence"][0]["kind"] == "video"


def test_bad_evidence_in_a_new_claim_writes_nothing(reviewer_client, white_helmets):
    body = {
        "speaker": "white-helmets",
        "kind": "other",
        "summary": "The White Helmets say something happened.",
        "made_on": "2017-09-26",
        "evidence": [{"relation": "cited", "kind": "rumour"}],
    }

    answer = reviewer_client.post("/api/v1/claims/", body, format="json")

    assert answer.status_code == 400
    assert "kind" in fields(answer)["evidence"]["0"]
    assert not Claim.objects.exists()
