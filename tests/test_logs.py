"""Logs: one line per request under a request id that answers carry too, tracebacks of 500s and
of failed tasks, JSON lines on request, and no secret ever written."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import shared_task
from django.test import Client
from rest_framework.test import APIClient

from claimtracker import logs
from sources.models import ApiToken

ROOT = Path(__file__).resolve().parent.parent
LONG_SECRET_KEY = "k3y-that-signs-everything-and-must-never-be-logged-0123456789"
PASSWORD = "correct-horse-battery-staple-9"


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """What the configured console handler (settings.LOGGING) writes, instead of stderr."""
    (console,) = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    buffer = io.StringIO()
    previous = console.setStream(buffer)
    yield buffer
    console.setStream(previous)


@shared_task
def failing_task() -> None:
    raise RuntimeError("the task failed on purpose")


pytestmark = pytest.mark.django_db


def test_every_answer_carries_a_request_id_header(client: Client) -> None:
    ids = [client.get(where)["X-Request-ID"] for where in ("/", "/api/v1/", "/nowhere/")]
    assert all(len(i) == 32 for i in ids)
    assert len(set(ids)) == 3


def test_a_request_id_the_proxy_sent_is_kept_and_a_strange_one_replaced(client: Client) -> None:
    kept = client.get("/api/v1/", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")
    replaced = client.get("/api/v1/", HTTP_X_REQUEST_ID="x\nFAKE LOG LINE <script>")
    trailing = client.get("/api/v1/", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0002\n")
    assert kept["X-Request-ID"] == "lb-7f3a9c2e-0001"
    assert len(replaced["X-Request-ID"]) == len(trailing["X-Request-ID"]) == 32
    assert "FAKE" not in replaced["X-Request-ID"]


def test_each_request_writes_one_line_with_its_id_status_and_duration(
    client: Client, log: io.StringIO
) -> None:
    response = client.get("/api/v1/?page=2")
    lines = [line for line in log.getvalue().splitlines() if "claimtracker.request" in line]
    assert len(lines) == 1
    assert f"[{response['X-Request-ID']}] GET /api/v1/?page=2 200 " in lines[0]
    assert lines[0].endswith("ms user=-")


def test_the_request_line_names_the_token_user(editor_client: APIClient, editor, log) -> None:
    editor_client.get("/api/v1/claims/")
    assert f"user={editor.pk}" in log.getvalue()


@pytest.mark.urls("tests.urls_failing")
def test_a_500_page_shows_the_request_id_that_its_logged_traceback_has(log) -> None:
    response = Client(raise_request_exception=False).get("/boom/")
    request_id = response["X-Request-ID"]
    assert response.status_code == 500
    assert request_id in response.content.decode()
    assert "Traceback (most recent call last)" in log.getvalue()
    assert "RuntimeError: the view failed on purpose" in log.getvalue()
    assert f"ERROR django.request [{request_id}] Internal Server Error: /boom/" in log.getvalue()


@pytest.mark.urls("tests.urls_failing")
def test_an_api_500_answers_json_with_the_request_id() -> None:
    response = APIClient(raise_request_exception=False).get("/api/v1/boom/")
    assert response.status_code == 500
    assert response.json()["request_id"] == response["X-Request-ID"]
    assert "RuntimeError" not in response.content.decode()


def test_api_error_bodies_carry_the_request_id(api_client: APIClient) -> None:
    refused = api_client.get("/api/v1/claims/", HTTP_AUTHORIZATION="Token ct_" + "x" * 43)
    missing = api_client.get("/api/v1/claims/999999/")
    assert (refused.status_code, missing.status_code) == (401, 404)
    for answer in (refused, missing):
        assert answer.json()["request_id"] == answer["X-Request-ID"]


def test_a_failed_task_logs_its_traceback_under_the_request_id(log) -> None:
    token = logs.bind_request_id("req-that-queued-the-task")
    try:
        failing_task.delay()
    finally:
        logs.unbind_request_id(token)
    written = log.getvalue()
    assert "RuntimeError: the task failed on purpose" in written
    assert "Traceback (most recent call last)" in written
    assert "[req-that-queued-the-task]" in written


@pytest.mark.urls("tests.urls_failing")
def test_no_token_password_cookie_or_secret_key_reaches_the_log(
    editor, settings, log: io.StringIO
) -> None:
    settings.SECRET_KEY = LONG_SECRET_KEY
    _, secret = ApiToken.issue(user=editor, name="leak test")
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {secret}")
    client.cookies["sessionid"] = "sessioncookievalue0123456789abcdef"
    client.post(
        f"/boom/?password={PASSWORD}&token={secret}",
        {"username": "editor", "password": PASSWORD, "note": f"key {LONG_SECRET_KEY}"},
    )
    client.post("/admin/login/", {"username": "editor", "password": PASSWORD})
    logging.getLogger("tests").error("settings at failure: SECRET_KEY=%s", LONG_SECRET_KEY)
    written = log.getvalue()
    assert "RuntimeError: the view failed on purpose" in written
    assert "POST /boom/?password=[redacted]&token=[redacted] 500" in written
    for secret_value in (secret, PASSWORD, "sessioncookievalue", LONG_SECRET_KEY):
        assert secret_value not in written


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("Authorization: Token ct_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "Authorization:"),
        ("HTTP_AUTHORIZATION='Bearer abcdefghijklmnopqrstuvwxyz012345'", "HTTP_AUTHORIZATION="),
        ("connecting to postgres://app:s3cretpassw0rd@db:5432/claims", "postgres://app:"),
        ('{"new_password1": "s3cretpassw0rd", "username": "editor"}', '"username": "editor"'),
        ("Cookie: sessionid=s3cretpassw0rd; csrftoken=s3cretpassw0rd", "Cookie:"),
        ("SENTRY_DSN=https://s3cretpassw0rd@sentry.example.org/1", "SENTRY_DSN="),
    ],
)
def test_redaction_removes_the_secret_and_keeps_the_rest(line: str, kept: str) -> None:
    redacted = logs.redact(line)
    assert "s3cretpassw0rd" not in redacted
    assert "abcdefghijklmnopqrstuvwxyz" not in redacted
    assert kept in redacted
    assert logs.REDACTED in redacted


def test_log_format_json_writes_one_json_object_per_line(tmp_path: Path) -> None:
    """A fresh process configured as production would be, serving one request."""
    code = """
import logging, django
django.setup()
from django.test import Client
answer = Client().get("/healthz", HTTP_AUTHORIZATION="Token ct_%s")
print(answer["X-Request-ID"])
try:
    raise ValueError("with a traceback")
except ValueError:
    logging.getLogger("claims.test").exception("it failed")
""" % ("s" * 43)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "CACHE_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "claimtracker.settings",
        "SECRET_KEY": LONG_SECRET_KEY,
        "DEBUG": "false",
        "LOG_FORMAT": "json",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "sqlite://:memory:",
        "MEDIA_ROOT": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    (request,) = [line for line in lines if line["logger"] == "claimtracker.request"]
    (failure,) = [line for line in lines if line["logger"] == "claims.test"]
    assert request["request_id"] == result.stdout.strip()
    assert (request["method"], request["path"], request["status"]) == ("GET", "/healthz", 200)
    assert "ValueError: with a traceback" in failure["exc_info"]
    assert failure["request_id"] is None
    assert "s" * 43 not in result.stderr
