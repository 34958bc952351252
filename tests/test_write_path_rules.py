"""The editorial workflow and the record's rules hold whichever door a write comes through.

Editors write drafts; only reviewers publish, withdraw, or change what is published or withdrawn
(a published claim's evidence and the answers it makes included). A response obeys the same rules
when it is changed as when it is created. Linking two published claims is announced, from any
door. An admin save keeps what the archiver recorded while the editor had the page open.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db.models import Q
from django.forms import models as model_forms
from django.test import Client

from claims.models import Claim, EventType, Evidence, OutboxEvent, Response
from sources.models import Actor, Document
from tests.conftest import admin_form
from tests.factories import (
    ClaimFactory,
    DocumentFactory,
    EvidenceFactory,
    ResponseFactory,
)
from tests.problems import fields

pytestmark = pytest.mark.django_db

PUBLISH_REFUSAL = "Only reviewers publish or withdraw claims."
PUBLISHED_REFUSAL = "Only reviewers change a claim once it is published or withdrawn."


@pytest.fixture(autouse=True)
def _fresh_content_types() -> None:
    """A transactional test in the same process may have emptied and refilled the content types
    under new ids; admin log entries must not use ids cached before that."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _claim_status(status: str) -> dict:
    return {
        "status": status,
        "withdrawal_reason": "Misattributed." if status == "withdrawn" else "",
    }


# --- 1. an editor's import cannot publish ------------------------------------------------------


def _dataset(status: str) -> list[dict]:
    """A new actor and a claim of theirs in ``status``: the claim is line 2."""
    return [
        {
            "type": "actor",
            "slug": "imported-ministry",
            "name": "Imported ministry",
            "kind": "state",
        },
        {
            "type": "claim",
            "uid": str(uuid.uuid4()),
            "speaker": "imported-ministry",
            "kind": "targeting",
            "summary": "The imported ministry says its aircraft hit depots only.",
            "made_on": "2017-09-26",
            **_claim_status(status),
        },
    ]


# fails today: the editor's job ends done, the claim published or withdrawn.
@pytest.mark.parametrize("status", ["published", "withdrawn"])
def test_an_editors_import_cannot_publish_or_withdraw_a_claim(
    status, editor_client, upload_dataset
) -> None:
    answer, job = upload_dataset(editor_client, _dataset(status))

    assert answer.status_code == 202
    polled = editor_client.get(f"/api/v1/imports/{job.pk}/").json()
    assert polled["status"] == "invalid"
    assert [e["line"] for e in polled["errors"] if PUBLISH_REFUSAL in e["reason"]] == [2]
    assert not Claim.objects.exists()
    assert not Actor.objects.filter(slug="imported-ministry").exists()


@pytest.mark.parametrize("status", ["published", "withdrawn"])
def test_a_reviewers_import_of_the_same_file_publishes_or_withdraws_the_claim(
    status, reviewer_client, upload_dataset
) -> None:
    answer, job = upload_dataset(reviewer_client, _dataset(status))

    assert answer.status_code == 202
    polled = reviewer_client.get(f"/api/v1/imports/{job.pk}/").json()
    assert (polled["status"], polled["errors"]) == ("done", [])
    assert Claim.objects.get().status == status


def test_an_editors_import_of_drafts_is_done(editor_client, upload_dataset) -> None:
    _, job = upload_dataset(editor_client, _dataset("draft"))

    assert (job.status, job.errors) == ("done", [])
    assert Claim.objects.get().status == "draft"


# --- 2. changing a response obeys the rules of creating one ------------------------------------


@pytest.fixture
def link(white_helmets, defence_ministry):
    """A published allegation, a published denial of it by another speaker, and the link."""
    allegation = ClaimFactory(speaker=white_helmets, made_on=dt.date(2017, 9, 25))
    denial = ClaimFactory(speaker=defence_ministry, made_on=dt.date(2017, 9, 26))
    return ResponseFactory(claim=denial, answers=allegation, kind="denies")


def _change_response(client, method: str, response: Response, **changes: object):
    body = {
        "claim": response.claim_id,
        "answers": response.answers_id,
        "kind": response.kind,
        "note": response.note,
    }
    if method == "patch":
        body = {}
    return getattr(client, method)(
        f"/api/v1/responses/{response.pk}/", body | changes, format="json"
    )


def _unchanged(response: Response) -> tuple:
    row = Response.objects.get(pk=response.pk)
    return (row.claim_id, row.answers_id, row.kind) == (
        response.claim_id,
        response.answers_id,
        response.kind,
    )


# fails today: a PUT saves the retraction (200); there is no PATCH (405).
@pytest.mark.parametrize("method", ["put", "patch"])
def test_changing_a_response_into_a_retraction_by_another_speaker_is_refused(
    method, reviewer_client, link
) -> None:
    answer = _change_response(reviewer_client, method, link, kind="retracts")

    assert answer.status_code == 400, answer.content
    assert any("Only the speaker of a claim can retract it" in m for m in fields(answer)["kind"])
    assert _unchanged(link)


# fails today: a PUT saves the earlier answer (200); there is no PATCH (405).
@pytest.mark.parametrize("method", ["put", "patch"])
def test_changing_a_response_to_an_answer_dated_before_the_claim_is_refused(
    method, reviewer_client, link
) -> None:
    earlier = ClaimFactory(speaker=link.claim.speaker, made_on=dt.date(2017, 9, 1))

    answer = _change_response(reviewer_client, method, link, claim=earlier.pk)

    assert answer.status_code == 400, answer.content
    assert any("dated before the claim it answers" in m for m in fields(answer)["answers"])
    assert _unchanged(link)


# fails today: a PUT answers with the database's conflict message; there is no PATCH (405).
@pytest.mark.parametrize("method", ["put", "patch"])
def test_changing_a_response_to_answer_itself_is_refused_by_the_rule(
    method, reviewer_client, link
) -> None:
    answer = _change_response(reviewer_client, method, link, answers=link.claim_id)

    assert answer.status_code == 400, answer.content
    assert fields(answer).get("answers") == ["A claim cannot respond to itself."]
    assert "This conflicts with a record saved meanwhile" not in answer.content.decode()
    assert _unchanged(link)


# --- 3. linking two published claims is announced from every door ------------------------------


@pytest.fixture
def two_published(white_helmets, defence_ministry) -> tuple[Claim, Claim]:
    allegation = ClaimFactory(speaker=white_helmets, made_on=dt.date(2017, 9, 25))
    denial = ClaimFactory(speaker=defence_ministry, made_on=dt.date(2017, 9, 26))
    return denial, allegation


@pytest.fixture
def link_through(
    reviewer, reviewer_client, upload_dataset, import_command, django_capture_on_commit_callbacks
):
    """Record, as a reviewer and through a door, that ``denial`` denies ``allegation``."""

    def link(door: str, denial: Claim, allegation: Claim) -> None:
        fields = {"claim": denial.pk, "answers": allegation.pk, "kind": "denies", "note": ""}
        record = {
            "type": "response",
            **fields,
            "claim": str(denial.uid),
            "answers": str(allegation.uid),
        }
        if door == "upload":
            _, job = upload_dataset(reviewer_client, [record])
            assert (job.status, job.errors) == ("done", [])
            return
        if door == "command":
            import_command([record])
            return
        with django_capture_on_commit_callbacks(execute=True):
            if door == "api":
                answer = reviewer_client.post("/api/v1/responses/", fields, format="json")
            else:
                answer = _browser(reviewer).post("/admin/claims/response/add/", fields)
        assert answer.status_code in (201, 302), answer.content

    return link


@pytest.mark.parametrize(
    "door",
    [
        "api",
        "admin",  # fails today: the Response admin records no event
        "upload",  # fails today: an import announces links only of claims it creates
        "command",  # fails today: as the upload
    ],
)
def test_linking_two_published_claims_is_announced_from_every_door(
    door, two_published, link_through
) -> None:
    denial, allegation = two_published

    link_through(door, denial, allegation)

    response = Response.objects.get(claim=denial, answers=allegation)
    event = OutboxEvent.objects.get(event_type=EventType.RESPONSE_PUBLISHED)
    assert event.payload["response"]["id"] == response.pk


@pytest.mark.parametrize("door", ["api", "admin", "upload", "command"])
def test_linking_from_a_draft_is_announced_by_no_door(
    door, two_published, link_through, defence_ministry
) -> None:
    _, allegation = two_published
    draft = ClaimFactory(speaker=defence_ministry, status="draft", made_on=dt.date(2017, 9, 26))

    link_through(door, draft, allegation)

    assert Response.objects.filter(claim=draft, answers=allegation).exists()
    assert not OutboxEvent.objects.exists()


# --- 4. an admin save keeps what the archiver wrote meanwhile ----------------------------------

ARCHIVED = {"archive_sha256": "ab" * 32, "archive_status": "archived"}


def _archive_finishes_while_the_form_is_checked(monkeypatch, model, pk: int) -> None:
    """The archive task records its result after the admin loaded the row, before it saves."""
    original = model_forms.BaseModelForm._post_clean

    def archiver_then_clean(form) -> None:
        model.objects.filter(pk=pk).update(**ARCHIVED)
        original(form)

    monkeypatch.setattr(model_forms.BaseModelForm, "_post_clean", archiver_then_clean)


# fails today: the admin saves the whole row it loaded, archive columns included.
def test_an_admin_save_of_a_document_keeps_the_archive_recorded_meanwhile(
    monkeypatch, reviewer, root_client, broadcaster
) -> None:
    document = DocumentFactory(publisher=broadcaster, title="First title")
    url = f"/admin/sources/document/{document.pk}/change/"
    data = admin_form(root_client, url, {"title": "Corrected title"})
    _archive_finishes_while_the_form_is_checked(monkeypatch, Document, document.pk)

    answer = _browser(reviewer).post(url, data)

    assert answer.status_code == 302
    document.refresh_from_db()
    assert document.title == "Corrected title"
    assert (document.archive_sha256, document.archive_status) == ("ab" * 32, "archived")


# fails today: as for documents.
def test_an_admin_save_of_evidence_keeps_the_archive_recorded_meanwhile(
    monkeypatch, reviewer, root_client
) -> None:
    evidence = EvidenceFactory(
        description="First description.",
        url="https://news.example.org/footage",
        availability="published",
    )
    url = f"/admin/claims/evidence/{evidence.pk}/change/"
    data = admin_form(root_client, url, {"description": "Corrected description."})
    _archive_finishes_while_the_form_is_checked(monkeypatch, Evidence, evidence.pk)

    answer = _browser(reviewer).post(url, data)

    assert answer.status_code == 302
    evidence.refresh_from_db()
    assert evidence.description == "Corrected description."
    assert (evidence.archive_sha256, evidence.archive_status) == ("ab" * 32, "archived")


# --- 6. editors cannot change a published statement's parts, through any door -----------------


@pytest.fixture(params=["published", "withdrawn"])
def settled(request, white_helmets) -> Claim:
    """A claim only reviewers may change any more."""
    return ClaimFactory(
        speaker=white_helmets, made_on=dt.date(2017, 9, 25), **_claim_status(request.param)
    )


def _evidence_body(claim: Claim) -> dict:
    return {
        "claim": claim.pk,
        "relation": "cited",
        "kind": "video",
        "description": "Footage the speaker refers to.",
        "availability": "not_produced",
    }


# fails today: the evidence is saved (201).
def test_an_editor_cannot_add_evidence_to_a_published_claim_through_the_api(
    editor_client, settled
) -> None:
    answer = editor_client.post("/api/v1/evidence/", _evidence_body(settled), format="json")

    assert answer.status_code == 403, answer.content
    assert answer.json()["detail"] == PUBLISHED_REFUSAL
    assert not Evidence.objects.exists()


# fails today: the answer is saved (201).
def test_an_editor_cannot_make_a_published_claim_answer_another_through_the_api(
    editor_client, settled, defence_ministry
) -> None:
    answered = ClaimFactory(speaker=defence_ministry, made_on=dt.date(2017, 9, 1))
    body = {"claim": settled.pk, "answers": answered.pk, "kind": "disputes"}

    answer = editor_client.post("/api/v1/responses/", body, format="json")

    assert answer.status_code == 403, answer.content
    assert answer.json()["detail"] == PUBLISHED_REFUSAL
    assert not Response.objects.exists()


def test_an_editors_draft_may_answer_a_published_claim_through_the_api(
    editor_client, settled, defence_ministry
) -> None:
    draft = ClaimFactory(speaker=defence_ministry, status="draft", made_on=dt.date(2017, 9, 26))
    body = {"claim": draft.pk, "answers": settled.pk, "kind": "denies"}

    answer = editor_client.post("/api/v1/responses/", body, format="json")

    assert answer.status_code == 201, answer.content
    assert Response.objects.filter(claim=draft, answers=settled).exists()


def test_a_reviewer_may_add_evidence_and_answers_to_a_published_claim_through_the_api(
    reviewer_client, settled, defence_ministry
) -> None:
    answered = ClaimFactory(speaker=defence_ministry, made_on=dt.date(2017, 9, 1))
    evidence = reviewer_client.post("/api/v1/evidence/", _evidence_body(settled), format="json")
    response = reviewer_client.post(
        "/api/v1/responses/",
        {"claim": settled.pk, "answers": answered.pk, "kind": "disputes"},
        format="json",
    )

    assert (evidence.status_code, response.status_code) == (201, 201)
    assert Evidence.objects.filter(claim=settled).exists()
    assert Response.objects.filter(claim=settled, answers=answered).exists()


# fails today: the evidence is saved (302).
def test_an_editor_cannot_add_evidence_to_a_published_claim_in_the_admin(editor, settled) -> None:
    body = _evidence_body(settled) | {"url": ""}

    answer = _browser(editor).post("/admin/claims/evidence/add/", body)

    assert answer.status_code == 200
    assert PUBLISHED_REFUSAL in answer.content.decode()
    assert not Evidence.objects.exists()


# fails today: the answer is saved (302).
def test_an_editor_cannot_make_a_published_claim_answer_another_in_the_admin(
    editor, settled, defence_ministry
) -> None:
    answered = ClaimFactory(speaker=defence_ministry, made_on=dt.date(2017, 9, 1))
    body = {"claim": settled.pk, "answers": answered.pk, "kind": "disputes", "note": ""}

    answer = _browser(editor).post("/admin/claims/response/add/", body)

    assert answer.status_code == 200
    assert PUBLISHED_REFUSAL in answer.content.decode()
    assert not Response.objects.exists()


def test_a_reviewer_may_add_evidence_and_answers_to_a_published_claim_in_the_admin(
    reviewer, settled, defence_ministry
) -> None:
    answered = ClaimFactory(speaker=defence_ministry, made_on=dt.date(2017, 9, 1))
    browser = _browser(reviewer)

    evidence = browser.post("/admin/claims/evidence/add/", _evidence_body(settled) | {"url": ""})
    response = browser.post(
        "/admin/claims/response/add/",
        {"claim": settled.pk, "answers": answered.pk, "kind": "disputes", "note": ""},
    )

    assert (evidence.status_code, response.status_code) == (302, 302)
    assert Evidence.objects.filter(claim=settled).exists()
    assert Response.objects.filter(claim=settled, answers=answered).exists()


@pytest.mark.parametrize(("role", "code"), [("editor", 403), ("reviewer", 201)])
def test_creating_a_claim_published_through_the_api_needs_a_reviewer(
    request, role, code, defence_ministry
) -> None:
    client = request.getfixturevalue(f"{role}_client")
    body = {
        "speaker": defence_ministry.slug,
        "kind": "targeting",
        "summary": "The Ministry says its aircraft hit depots only.",
        "made_on": "2017-09-26",
        "status": "published",
    }

    answer = client.post("/api/v1/claims/", body, format="json")

    assert answer.status_code == code, answer.content
    if code == 403:
        assert answer.json()["detail"] == PUBLISH_REFUSAL
    assert Claim.objects.filter(status="published").exists() is (code == 201)


# fails today: the job ends done, the answer saved.
def test_an_editors_import_cannot_make_a_published_claim_answer_another(
    editor_client, settled, defence_ministry, upload_dataset
) -> None:
    answered = ClaimFactory(speaker=defence_ministry, made_on=dt.date(2017, 9, 1))
    record = {
        "type": "response",
        "claim": str(settled.uid),
        "answers": str(answered.uid),
        "kind": "disputes",
        "note": "",
    }

    _, job = upload_dataset(editor_client, [record])

    assert job.status == "invalid"
    assert [e["line"] for e in job.errors if PUBLISHED_REFUSAL in e["reason"]] == [1]
    assert not Response.objects.filter(Q(claim=settled) | Q(answers=settled)).exists()
