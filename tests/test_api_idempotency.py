"""Idempotency-Key on API writes: a retried write answers its first answer and writes nothing.

The killed-connection faults it exists for are in tests/faults/test_api_faults.py.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.client import encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from claims.api import idempotency
from claims.jobs.housekeeping import purge_idempotency_keys
from claims.models import Claim, IdempotencyKey, ImportJob, WebhookSubscription
from sources.models import Actor
from tests.conftest import jsonl, token_client
from tests.factories import ClaimFactory
from tests.problems import fields

pytestmark = pytest.mark.django_db


def claim_body(
    speaker: str = "white-helmets", summary: str = "The group reports 152 dead."
) -> dict:
    return {
        "speaker": speaker,
        "kind": "casualty_count",
        "summary": summary,
        "made_on": "2017-09-26",
    }


def post_claim(client: APIClient, key: str | None, body: dict | None = None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/api/v1/claims/", body or claim_body(), format="json", headers=headers)


def test_a_retry_with_the_same_key_answers_the_first_answer_and_writes_nothing(
    editor_client, white_helmets
):
    first = post_claim(editor_client, "2f1c-retry")
    again = post_claim(editor_client, "2f1c-retry")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == "application/json"
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Claim.objects.count() == 1
    stored = IdempotencyKey.objects.get()
    assert (stored.key, stored.method, stored.path) == ("2f1c-retry", "POST", "/api/v1/claims/")
    assert stored.status_code == 201


def test_the_same_body_with_other_spacing_and_key_order_is_the_same_request(
    editor_client, white_helmets
):
    first = editor_client.post(
        "/api/v1/claims/",
        '{"speaker": "white-helmets", "kind": "casualty_count", "summary": "S.",'
        ' "made_on": "2017-09-26"}',
        content_type="application/json",
        headers={"Idempotency-Key": "k1"},
    )
    again = editor_client.post(
        "/api/v1/claims/",
        '{"made_on":"2017-09-26","summary":"S.","kind":"casualty_count","speaker":"white-helmets"}',
        content_type="application/json",
        headers={"Idempotency-Key": "k1"},
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert Claim.objects.count() == 1


def test_writes_without_a_key_are_written_each_time(editor_client, white_helmets):
    assert post_claim(editor_client, None).status_code == 201
    assert post_claim(editor_client, None).status_code == 201

    assert Claim.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_the_same_key_with_another_body_answers_422_and_writes_nothing(
    editor_client, white_helmets
):
    post_claim(editor_client, "k2")

    other = post_claim(editor_client, "k2", claim_body(summary="Another summary."))

    assert other.status_code == 422
    assert "another body" in other.json()["detail"]
    assert Claim.objects.count() == 1


def test_the_same_key_on_another_path_or_method_answers_422_naming_the_first(
    editor_client, white_helmets
):
    claim = ClaimFactory(speaker=white_helmets)
    post_claim(editor_client, "k3")

    elsewhere = editor_client.patch(
        f"/api/v1/claims/{claim.pk}/",
        {"made_as_stated": "on Tuesday"},
        format="json",
        headers={"Idempotency-Key": "k3"},
    )

    assert elsewhere.status_code == 422
    assert "POST /api/v1/claims/" in elsewhere.json()["detail"]
    claim.refresh_from_db()
    assert claim.made_as_stated == ""


def test_keys_belong_to_their_user(editor_client, reviewer, white_helmets):
    other_tool = token_client(reviewer, "other tool")

    post_claim(editor_client, "shared-name")
    theirs = post_claim(other_tool, "shared-name")

    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert Claim.objects.count() == 2


def test_a_refusal_is_kept_and_answered_again(editor_client, white_helmets):
    published = claim_body() | {"status": "published"}  # editors may not publish

    first = post_claim(editor_client, "k4", published)
    again = post_claim(editor_client, "k4", published)

    assert first.status_code == again.status_code == 403
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert IdempotencyKey.objects.get().status_code == 403


def test_a_server_error_keeps_nothing_so_the_retry_runs_again(
    editor_client, white_helmets, monkeypatch
):
    editor_client.raise_request_exception = False
    real = Claim.save
    calls = []

    def fails_once(self, *args, **kwargs):
        calls.append(1)
        real(self, *args, **kwargs)
        if len(calls) == 1:
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(Claim, "save", fails_once)

    failed = post_claim(editor_client, "k5")
    assert (failed.status_code, Claim.objects.count()) == (500, 0)  # the write was rolled back
    assert not IdempotencyKey.objects.exists()
    retried = post_claim(editor_client, "k5")

    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    assert Claim.objects.count() == 1


def test_a_key_older_than_the_ttl_is_ignored(editor_client, white_helmets, settings):
    post_claim(editor_client, "k6")
    IdempotencyKey.objects.update(created_at=timezone.now() - settings.IDEMPOTENCY_TTL)

    later = post_claim(editor_client, "k6")

    assert later.status_code == 201
    assert "Idempotent-Replayed" not in later
    assert Claim.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1  # the old one replaced


def test_the_hourly_purge_deletes_expired_keys_only(editor_client, white_helmets, settings):
    post_claim(editor_client, "old")
    post_claim(editor_client, "new", claim_body(summary="Another."))
    IdempotencyKey.objects.filter(key="old").update(
        created_at=timezone.now() - settings.IDEMPOTENCY_TTL - dt.timedelta(minutes=1)
    )

    assert purge_idempotency_keys() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "claims.jobs.housekeeping.purge_idempotency_keys" in schedule
    assert "claims.jobs.housekeeping" in settings.CELERY_IMPORTS


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "caf\u00e9"])
def test_a_key_that_is_not_1_to_255_printable_characters_answers_400(
    editor_client, white_helmets, key
):
    answer = post_claim(editor_client, key)

    assert answer.status_code == 400
    assert "Idempotency-Key" in fields(answer)
    assert not Claim.objects.exists()


def test_an_upload_retried_with_a_new_multipart_boundary_is_the_same_request(
    editor_client, archive_storage, django_capture_on_commit_callbacks
):
    data = jsonl([{"type": "actor", "name": "Reuters", "slug": "reuters", "kind": "news_agency"}])

    def upload(boundary: str):
        file = SimpleUploadedFile("records.jsonl", data, "application/x-ndjson")
        with django_capture_on_commit_callbacks(execute=True):
            return editor_client.post(
                "/api/v1/imports/",
                encode_multipart(boundary, {"file": file}),
                content_type=f"multipart/form-data; boundary={boundary}",
                headers={"Idempotency-Key": "upload-1"},
            )

    first, again = upload("AAAA1111"), upload("BBBB2222")

    assert (first.status_code, again.status_code) == (202, 202)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert ImportJob.objects.count() == 1


def test_a_deletion_retried_answers_204_again(admin_user):
    client = token_client(admin_user, "admin tool")
    subscription = WebhookSubscription.objects.create(
        name="tool", url="https://hooks.example.org/in", events=["claim.published"]
    )
    path = f"/api/v1/webhooks/{subscription.pk}/"

    first = client.delete(path, headers={"Idempotency-Key": "d1"})
    again = client.delete(path, headers={"Idempotency-Key": "d1"})

    assert (first.status_code, again.status_code) == (204, 204)
    assert again["Idempotent-Replayed"] == "true"
    assert not WebhookSubscription.objects.exists()


def _api_views(patterns, prefix: str = "") -> list[tuple[str, type]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _api_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
            found.append((prefix + str(pattern.pattern), pattern.callback))
    return found


def test_every_api_view_that_writes_keeps_idempotency_keys():
    writers = []
    for route, callback in _api_views(get_resolver().url_patterns):
        if not route.startswith("api/"):
            continue
        methods = set(getattr(callback, "actions", None) or {}) or {
            m for m in callback.cls.http_method_names if hasattr(callback.cls, m)
        }
        if methods & {"post", "put", "patch", "delete"}:
            writers.append(callback.cls)
            assert issubclass(callback.cls, idempotency.IdempotentWritesMixin), route
    assert len(set(writers)) >= 8  # actors … imports: the check found the writing views


def test_the_schema_describes_the_header_on_every_write(api_client):
    paths = api_client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]

    for path, operations in paths.items():
        for method, operation in operations.items():
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            writes = method in ("post", "put", "patch", "delete")
            assert ("Idempotency-Key" in headers) == writes, (method, path)
            if writes:
                assert {"409", "422"} <= set(operation["responses"]), (method, path)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_key_while_the_first_request_runs_answers_409_with_retry_after(
    editor, monkeypatch
):
    Actor.objects.create(name="White Helmets", slug="white-helmets", kind="organisation")
    first_inside, second_done = threading.Event(), threading.Event()
    real = idempotency.keep

    def slow_keep(attempt, response):
        if threading.current_thread().name == "first":
            first_inside.set()
            second_done.wait(10)
        return real(attempt, response)

    monkeypatch.setattr(idempotency, "keep", slow_keep)
    answers = {}

    def send(name: str) -> None:
        try:
            answers[name] = post_claim(token_client(editor, name), "busy-key")
        finally:
            connection.close()

    first = threading.Thread(target=send, args=("first",), name="first")
    first.start()
    assert first_inside.wait(10)
    send("second")
    second_done.set()
    first.join(10)

    assert answers["second"].status_code == 409
    assert answers["second"]["Retry-After"] == "1"
    assert answers["first"].status_code == 201
    assert Claim.objects.count() == 1
    retried = post_claim(token_client(editor, "later"), "busy-key")
    assert retried["Idempotent-Replayed"] == "true"
    assert retried.json()["id"] == answers["first"].json()["id"]
