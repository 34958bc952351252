"""Every API answer of 400 and above is RFC 9457 problem details (issue 16): one media type, one
set of members, field errors in one flat list, whoever made the answer (DRF, the write path, our
parameter checks, Django's own handlers, the server failing). Pages keep their HTML pages."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from claims.models import Claim
from claimtracker.problems import KINDS, MEDIA_TYPE
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db
MEMBERS = {"type", "title", "status", "detail", "instance", "request_id"}


def problem(answer, status: int, kind: str) -> dict:
    """The answer's problem document, checked for the members every problem has."""
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"] == MEDIA_TYPE
    body = json.loads(answer.content)
    assert set(body) >= MEMBERS
    assert body["type"] == f"/api/v1/problems/{kind}/"
    assert body["title"] == KINDS[kind].title
    assert body["status"] == status
    assert body["request_id"] == answer["X-Request-ID"]
    assert b"Traceback" not in answer.content
    return body


def claim_body(**extra: object) -> dict:
    return {
        "speaker": "white-helmets",
        "kind": "casualty_count",
        "summary": "The White Helmets say 152 civilians were killed.",
        "made_on": "2017-09-26",
        **extra,
    }


def test_a_nested_field_error_is_named_by_its_dotted_indexed_path(reviewer_client, white_helmets):
    figure = {"category": "civilians", "outcome": "killed", "low": -5, "qualifier": "exactly"}
    answer = reviewer_client.post("/api/v1/claims/", claim_body(figures=[figure]), format="json")

    body = problem(answer, 400, "validation")
    assert body["instance"] == "/api/v1/claims/"
    [error] = [e for e in body["errors"] if e["field"] == "figures[0].low"]
    assert set(error) == {"field", "message", "code"}
    assert error["code"]
    assert "figures[0].low" in body["detail"]
    assert not Claim.objects.exists()


def test_a_rule_about_the_whole_object_has_a_null_field_and_no_drf_key(
    reviewer_client, white_helmets
):
    answer = reviewer_client.post("/api/v1/claims/", [claim_body()], format="json")

    body = problem(answer, 400, "validation")
    assert [e["field"] for e in body["errors"]] == [None]
    assert "non_field_errors" not in answer.content.decode()
    assert "__all__" not in answer.content.decode()


def test_an_unknown_query_parameter_is_a_validation_problem_naming_it(api_client):
    body = problem(api_client.get("/api/v1/claims/", {"spekaer": "x"}), 400, "validation")

    [error] = body["errors"]
    assert error["field"] == "spekaer"
    assert "This endpoint accepts" in error["message"]


def test_an_impossible_date_says_why_at_the_api(reviewer_client, white_helmets):
    answer = reviewer_client.post(
        "/api/v1/claims/", claim_body(made_on="2015-02-30"), format="json"
    )

    body = problem(answer, 400, "validation")
    assert body["errors"] == [
        {
            "field": "made_on",
            "message": "2015-02-30: February 2015 has 28 days.",
            "code": "invalid_date",
        }
    ]


def test_an_impossible_date_in_a_filter_says_why_too(api_client):
    body = problem(api_client.get("/api/v1/claims/", {"since": "2016-02-30"}), 400, "validation")

    assert "February 2016 has 29 days" in json.dumps(body["errors"])


def test_json_that_does_not_parse_is_a_malformed_problem(reviewer_client):
    answer = reviewer_client.post(
        "/api/v1/claims/", b'{"speaker": ', content_type="application/json"
    )

    body = problem(answer, 400, "malformed")
    assert "JSON" in body["detail"]


def test_a_missing_token_answers_401_as_a_problem(api_client):
    answer = api_client.post("/api/v1/claims/", claim_body(), format="json")

    problem(answer, 401, "not-authenticated")
    assert answer["WWW-Authenticate"] == "Token"


def test_a_refusal_of_the_workflow_answers_403_as_a_problem(editor_client, white_helmets):
    answer = editor_client.post("/api/v1/claims/", claim_body(status="published"), format="json")

    body = problem(answer, 403, "forbidden")
    assert body["detail"]


def test_an_unknown_row_and_an_unknown_api_path_answer_the_same_404_shape(api_client):
    row = problem(api_client.get("/api/v1/claims/999999/"), 404, "not-found")
    path = problem(api_client.get("/api/v1/no-such-thing/"), 404, "not-found")

    assert set(row) == set(path) == MEMBERS
    assert path["instance"] == "/api/v1/no-such-thing/"


def test_pages_keep_their_html_404(client):
    answer = client.get("/no-such-page/")

    assert answer.status_code == 404
    assert answer["Content-Type"].startswith("text/html")


def test_a_method_the_path_does_not_take_answers_405_with_allow(api_client):
    answer = api_client.post("/api/v1/problems/", {}, format="json")

    problem(answer, 405, "method-not-allowed")
    assert "GET" in answer["Allow"]


def test_an_accept_the_api_cannot_answer_is_406_in_the_problem_shape(api_client):
    problem(api_client.get("/api/v1/claims/", HTTP_ACCEPT="application/xml"), 406, "not-acceptable")


def test_a_browser_asking_for_html_still_gets_the_problem_as_json(api_client):
    answer = api_client.get("/api/v1/claims/999999/", HTTP_ACCEPT="text/html")

    problem(answer, 404, "not-found")


def test_a_body_over_the_upload_limit_answers_413_in_the_problem_shape(
    reviewer_client, white_helmets, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    answer = reviewer_client.post("/api/v1/claims/", claim_body(summary="x" * 5000), format="json")

    body = problem(answer, 413, "too-large")
    assert "2,000 bytes" in body["detail"]
    assert not Claim.objects.exists()


def test_an_import_over_its_limit_answers_413_with_the_limit(editor_client, settings):
    settings.IMPORT_MAX_BYTES = 100
    upload = SimpleUploadedFile("big.jsonl", b'{"a": 1}\n' * 50, "application/x-ndjson")

    answer = editor_client.post("/api/v1/imports/", {"file": upload}, format="multipart")

    body = problem(answer, 413, "too-large")
    assert body["max_bytes"] == 100
    assert "IMPORT_MAX_BYTES" in body["detail"]


def test_a_body_in_a_media_type_the_endpoint_does_not_read_answers_415(reviewer_client):
    answer = reviewer_client.post("/api/v1/claims/", b"speaker: x", content_type="text/yaml")

    problem(answer, 415, "unsupported-media-type")


def test_a_stale_if_match_answers_412_with_what_changed(reviewer_client, white_helmets):
    claim = ClaimFactory(speaker=white_helmets, summary="First words.")
    etag = reviewer_client.get(f"/api/v1/claims/{claim.pk}/")["ETag"]
    reviewer_client.patch(f"/api/v1/claims/{claim.pk}/", {"summary": "Second."}, format="json")

    answer = reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/", {"summary": "Third."}, format="json", HTTP_IF_MATCH=etag
    )

    body = problem(answer, 412, "precondition-failed")
    assert int(body["current_version"]) == claim.version + 1
    assert [c["field"] for c in body["changes"]] == ["summary"]


def test_throttled_requests_answer_429_with_retry_after(api_client, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    answers = [api_client.get("/api/v1/claims/") for _ in range(3)]

    body = problem(answers[-1], 429, "throttled")
    wait = int(answers[-1]["Retry-After"])
    assert 0 < wait <= 60
    assert body["retry_after"] == wait


def test_the_token_failure_limiter_answers_429_with_retry_after(api_client, settings):
    settings.API_TOKEN_FAILURE_LIMIT = 2
    bad = {"HTTP_AUTHORIZATION": "Token ct_" + "x" * 43}
    for _ in range(2):
        problem(api_client.get("/api/v1/claims/", **bad), 401, "not-authenticated")

    answer = api_client.get("/api/v1/claims/", **bad)

    problem(answer, 429, "throttled")
    assert int(answer["Retry-After"]) > 0


@pytest.mark.urls("tests.urls_failing")
def test_a_server_error_is_a_problem_without_its_traceback():
    answer = APIClient(raise_request_exception=False).get("/api/v1/boom/")

    body = problem(answer, 500, "server-error")
    assert "RuntimeError" not in answer.content.decode()
    assert "Idempotency-Key" in body["detail"]


def test_a_missing_signing_key_answers_503_as_a_problem(api_client, settings):
    settings.LEDGER_SIGNING_KEY = ""

    problem(api_client.get("/api/v1/ledger/head/"), 503, "unavailable")


def test_every_problem_type_uri_answers_what_it_means(api_client):
    listed = api_client.get("/api/v1/problems/").json()

    assert {row["type"] for row in listed} == {kind.type for kind in KINDS.values()}
    for kind in KINDS.values():
        answer = api_client.get(kind.type)
        assert answer.status_code == 200
        assert answer.json()["status"] == kind.status
        assert answer.json()["meaning"]
    problem(api_client.get("/api/v1/problems/no-such-kind/"), 404, "not-found")
