"""API tokens: stored hashed, expiring, revocable, issued from the admin or a management command."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sources.models import ApiToken
from tests.factories import UserFactory


def _post_actor(client, secret: str):
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client.post(
        "/api/v1/actors/", {"name": "Airwars", "slug": "airwars", "kind": "organisation"}
    )


def test_only_a_digest_of_the_secret_is_stored(editor):
    token, secret = ApiToken.issue(user=editor, name="dashboard")

    token.refresh_from_db()
    assert secret.startswith("ct_")
    assert secret not in {token.digest, token.key_prefix, token.name}
    assert token.digest == ApiToken.digest_of(secret)
    assert secret.startswith(token.key_prefix)


def test_a_token_authenticates_as_its_user_and_records_its_use(api_client, editor):
    token, secret = ApiToken.issue(user=editor, name="dashboard")

    response = _post_actor(api_client, secret)

    assert response.status_code == 201
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_bearer_is_accepted_as_well_as_token(api_client, editor):
    _, secret = ApiToken.issue(user=editor, name="dashboard")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    response = api_client.post(
        "/api/v1/actors/", {"name": "Airwars", "slug": "airwars", "kind": "organisation"}
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    "spoil",
    [
        lambda token: ApiToken.objects.filter(pk=token.pk).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        ),
        lambda token: token.revoke(),
        lambda token: token.user.__class__.objects.filter(pk=token.user_id).update(is_active=False),
    ],
    ids=["expired", "revoked", "user-deactivated"],
)
def test_an_expired_or_revoked_token_is_refused_with_401(api_client, editor, spoil):
    token, secret = ApiToken.issue(user=editor, name="dashboard")
    spoil(token)

    response = _post_actor(api_client, secret)

    assert response.status_code == 401
    assert "token" in response.json()["detail"].lower()


@pytest.mark.parametrize("header", ["Token", "Token a b", "Token wrong", "Token \u00e9\u00e9"])
def test_a_malformed_or_unknown_token_is_refused_with_401(api_client, db, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)

    assert api_client.get("/api/v1/claims/").status_code == 401


def test_the_command_issues_a_token_that_works(api_client, editor):
    out = io.StringIO()

    call_command("api_token", "issue", "--user", "editor", "--name", "newsroom", stdout=out)

    secret = out.getvalue().strip().splitlines()[-1]
    assert _post_actor(api_client, secret).status_code == 201
    token = ApiToken.objects.get()
    assert token.name == "newsroom"
    assert token.expires_at > timezone.now() + dt.timedelta(days=89)


def test_the_command_revokes_a_token_by_its_prefix(api_client, editor):
    token, secret = ApiToken.issue(user=editor, name="newsroom")

    call_command("api_token", "revoke", token.key_prefix, stdout=io.StringIO())

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _post_actor(api_client, secret).status_code == 401


def test_the_command_lists_tokens_without_their_secrets(editor):
    _, secret = ApiToken.issue(user=editor, name="newsroom")
    out = io.StringIO()

    call_command("api_token", "list", stdout=out)

    assert "newsroom" in out.getvalue()
    assert "active" in out.getvalue()
    assert secret not in out.getvalue()


def test_the_command_dry_run_writes_nothing(editor):
    call_command(
        "api_token", "issue", "--user", "editor", "--name", "x", "--dry-run", stdout=io.StringIO()
    )

    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["issue", "--user", "nobody", "--name", "x"],
        ["issue", "--user", "editor", "--name", "x", "--days", "0"],
        ["revoke", "ct_nothing"],
    ],
)
def test_the_command_refuses_bad_arguments(editor, args):
    with pytest.raises(CommandError):
        call_command("api_token", *args, stdout=io.StringIO())


def test_an_admin_issues_a_token_and_sees_the_secret_once(client, api_client, editor):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    expires = (timezone.now() + dt.timedelta(days=30)).strftime("%Y-%m-%d")

    response = client.post(
        "/admin/sources/apitoken/add/",
        {
            "user": editor.pk,
            "name": "fact-check pipeline",
            "expires_at_0": expires,
            "expires_at_1": "12:00:00",
        },
        follow=True,
    )

    assert response.status_code == 200
    shown = re.search(r"ct_[A-Za-z0-9_-]{20,}", response.content.decode())
    assert shown, "the secret is shown after issuing"
    token = ApiToken.objects.get()
    assert token.user == editor
    assert token.digest == ApiToken.digest_of(shown.group(0))
    assert _post_actor(api_client, shown.group(0)).status_code == 201
    # The change page never shows it again.
    page = client.get(f"/admin/sources/apitoken/{token.pk}/change/").content.decode()
    assert shown.group(0) not in page
    assert token.digest not in page


def test_an_admin_revokes_tokens_with_an_action(client, editor):
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    token, _ = ApiToken.issue(user=editor, name="old tool")

    client.post(
        "/admin/sources/apitoken/",
        {"action": "revoke_tokens", "_selected_action": [token.pk]},
    )

    token.refresh_from_db()
    assert token.revoked_at is not None
