"""Limits hold behind a proxy: one client address for every limit (the API's throttles, failed
tokens, pages, sign-in), taken from where our proxy wrote it and never from what clients write."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from sources.models import ApiToken
from tests.factories import ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
PROXY = "10.0.0.2"  # every request comes through it


@pytest.fixture
def one_proxy(settings):
    settings.PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def forwarded(client_address: str, forged: str = "") -> dict[str, str]:
    """What our proxy passes on: the client's own header (forged) with the address it saw."""
    chain = f"{forged}, {client_address}" if forged else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": chain}


def settings_in_a_fresh_process(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"BEHIND_TLS_PROXY", "PROXY_COUNT"}}
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.PROXY_COUNT, settings.REST_FRAMEWORK['NUM_PROXIES'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "claimtracker.settings", **env},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    ("env", "printed"),
    [
        ({}, "0 0"),
        ({"BEHIND_TLS_PROXY": "true"}, "1 1"),
        ({"BEHIND_TLS_PROXY": "true", "PROXY_COUNT": "2"}, "2 2"),
    ],
)
def test_the_proxy_count_follows_the_proxy_setting_and_sets_drf_num_proxies(env, printed):
    started = settings_in_a_fresh_process(**env)

    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == printed.split()


@pytest.mark.parametrize(
    ("name", "value"), [("PROXY_COUNT", "-1"), ("PAGE_THROTTLE", "lots"), ("PAGE_THROTTLE", "0/m")]
)
def test_a_bad_limit_setting_stops_start_up_naming_it(name, value):
    started = settings_in_a_fresh_process(**{name: value})

    assert started.returncode != 0
    assert name in started.stderr


def test_behind_the_proxy_rotating_x_forwarded_for_does_not_escape_the_anon_throttle(
    one_proxy, monkeypatch
):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    client = APIClient()

    answers = [
        client.get(
            "/api/v1/actors/", **forwarded("203.0.113.5", forged=f"198.51.100.{n}")
        ).status_code
        for n in range(6)
    ]

    assert answers == [200, 200, 200, 429, 429, 429]
    assert client.get("/api/v1/actors/", **forwarded("203.0.113.6")).status_code == 200


def test_without_the_proxy_setting_x_forwarded_for_is_ignored(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    client = APIClient()

    answers = [
        client.get("/api/v1/actors/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(4)
    ]

    assert answers == [200, 200, 200, 429]


def test_failed_tokens_are_throttled_per_address_and_a_good_token_elsewhere_still_works(
    editor, settings
):
    _, secret = ApiToken.issue(user=editor, name="real tool")
    guesser = APIClient(REMOTE_ADDR="203.0.113.9")

    answers = [
        guesser.get("/api/v1/actors/", HTTP_AUTHORIZATION=f"Token ct_guess{n}").status_code
        for n in range(300)
    ]

    limit = settings.API_TOKEN_FAILURE_LIMIT
    assert answers == [401] * limit + [429] * (300 - limit)
    blocked = guesser.get("/api/v1/actors/", HTTP_AUTHORIZATION=f"Token {secret}")
    assert blocked.status_code == 429  # the limit is asked before the token is looked at
    assert 1 <= int(blocked["Retry-After"]) <= settings.API_TOKEN_FAILURE_WINDOW
    elsewhere = APIClient(REMOTE_ADDR="203.0.113.10")
    assert elsewhere.get("/api/v1/actors/", HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200
    assert elsewhere.get("/api/v1/actors/").status_code == 200


def test_failed_tokens_behind_the_proxy_are_counted_for_the_client_not_the_proxy(
    one_proxy, editor, settings
):
    settings.API_TOKEN_FAILURE_LIMIT = 3
    _, secret = ApiToken.issue(user=editor, name="real tool")
    client = APIClient()

    for n in range(5):
        client.get(
            "/api/v1/actors/",
            HTTP_AUTHORIZATION="Token ct_wrong",
            **forwarded("203.0.113.5", forged=f"198.51.100.{n}"),
        )

    guessed = client.get(
        "/api/v1/actors/", HTTP_AUTHORIZATION=f"Token {secret}", **forwarded("203.0.113.5")
    )
    other = client.get(
        "/api/v1/actors/", HTTP_AUTHORIZATION=f"Token {secret}", **forwarded("203.0.113.6")
    )
    assert (guessed.status_code, other.status_code) == (429, 200)


def test_pages_are_limited_per_anonymous_address_with_retry_after(settings, white_helmets):
    settings.PAGE_THROTTLE = (3, 60)
    ClaimFactory(speaker=white_helmets)  # a published claim: the public sees the actor's page
    client = Client(REMOTE_ADDR="203.0.113.20")

    answers = [client.get(white_helmets.get_absolute_url()) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused["Content-Type"].startswith("text/html")
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Too many requests" in refused.content.decode()
    assert Client(REMOTE_ADDR="203.0.113.21").get("/").status_code == 200


def test_the_page_limit_leaves_the_api_admin_static_files_health_and_signed_in_users_alone(
    settings, editor
):
    settings.PAGE_THROTTLE = (1, 60)
    client = Client(REMOTE_ADDR="203.0.113.30")
    client.get("/")

    assert client.get("/").status_code == 429
    for path in ("/api/v1/actors/", reverse("admin:login"), "/healthz", "/static/none.css"):
        assert client.get(path).status_code != 429, path
    client.force_login(editor)
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 200]


def test_pages_behind_the_proxy_are_limited_for_the_client_not_the_proxy(one_proxy, settings):
    settings.PAGE_THROTTLE = (2, 60)
    client = Client()

    answers = [
        client.get("/", **forwarded("203.0.113.40", forged=f"198.51.100.{n}")).status_code
        for n in range(3)
    ]

    assert answers == [200, 200, 429]
    assert client.get("/", **forwarded("203.0.113.41")).status_code == 200


def test_the_page_limit_can_be_left_to_the_proxy(settings):
    settings.PAGE_THROTTLE = None
    client = Client()

    assert {client.get("/").status_code for _ in range(5)} == {200}


def test_sign_in_lockout_behind_the_proxy_locks_the_client_not_everyone(one_proxy, settings):
    UserFactory(username="target", is_staff=True)
    login = reverse("admin:login")
    attacker = Client(**forwarded("203.0.113.50"))
    for n in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(
            login,
            {"username": "target", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.50",
        )

    locked = attacker.post(login, {"username": "target", "password": "correct horse battery"})
    owner = Client(**forwarded("203.0.113.51")).post(
        login, {"username": "target", "password": "correct horse battery", "next": "/admin/"}
    )

    assert locked.status_code == 429
    assert owner.status_code == 302
