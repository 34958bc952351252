"""Hardening: deployment checks, security headers, CSP, sign-in lockout, CSRF."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k" + "9f3Jx!q2Lm#Vb7Zr@T1wYp$Hs6Nd0Cg^Ue8Ka4Qi&Xo5Rt" * 2,
    "ALLOWED_HOSTS": "claims.example.org",
    "SECURE_SSL_REDIRECT": "true",
    "BEHIND_TLS_PROXY": "true",
    # Heads are signed in production (without a key check --deploy fails: test_ledger_api).
    "LEDGER_SIGNING_KEY": "5e" * 32,
}


def test_deploy_check_with_production_environment_has_no_warnings() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env | PRODUCTION_ENV,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_pages_carry_the_security_headers(client: Client) -> None:
    response = client.get("/admin/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
    # No inline script at all unless a page asks for a nonce; never 'unsafe-inline'.
    assert script_src.strip() == "script-src 'self'"


def test_session_cookie_is_secure_and_http_only(client: Client) -> None:
    user = UserFactory(username="signin", is_staff=True)
    response = client.post(
        reverse("admin:login"),
        {"username": user.username, "password": "correct horse battery", "next": "/admin/"},
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"]
    assert cookie["httponly"]


def test_repeated_failures_lock_the_name_from_that_address(client: Client, settings) -> None:
    user = UserFactory(username="target", is_staff=True)
    login = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login, {"username": "target", "password": "wrong"})

    locked = client.post(login, {"username": "target", "password": "correct horse battery"})

    assert locked.status_code == 429
    assert "too many failed attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # The same name from another address, and another name from this one, still get in.
    other_address = Client(REMOTE_ADDR="198.51.100.7")
    assert (
        other_address.post(
            login, {"username": "target", "password": "correct horse battery", "next": "/admin/"}
        ).status_code
        == 302
    )
    UserFactory(username="bystander", is_staff=True)
    assert (
        client.post(
            login, {"username": "bystander", "password": "correct horse battery", "next": "/admin/"}
        ).status_code
        == 302
    )
    assert user.pk


def test_forms_refuse_a_post_without_the_csrf_token(db: None) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(UserFactory(username="csrf", is_superuser=True, is_staff=True))
    response = strict.post(reverse("admin:claims_incident_add"), {"title": "x", "slug": "x"})
    assert response.status_code == 403


def test_api_throttles_anonymous_clients_by_address(monkeypatch: pytest.MonkeyPatch) -> None:
    from rest_framework.test import APIClient
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    client = APIClient()
    answers = [client.get("/api/v1/actors/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    other = APIClient(REMOTE_ADDR="198.51.100.9")
    assert other.get("/api/v1/actors/").status_code == 200


def test_api_throttles_token_clients_by_user(
    monkeypatch: pytest.MonkeyPatch, editor_client
) -> None:
    from rest_framework.throttling import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    answers = [editor_client.get("/api/v1/actors/").status_code for _ in range(3)]
    assert answers == [200, 200, 429]
