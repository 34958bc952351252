"""manage.py create_editor prints the sign-in address make run actually serves on."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles_exist(db: None) -> None:
    """A transactional test that ran before in this process may have emptied every table, the
    roles migrate made included; the user factory makes them again."""
    UserFactory(username="another-editor", groups=["editors"])


def _printed(*args: str) -> str:
    out = io.StringIO()
    call_command("create_editor", *args, stdout=out)
    return out.getvalue()


def test_the_sign_in_address_names_the_port_served_on() -> None:
    printed = _printed("--host", "127.0.0.1", "--port", "8123")
    assert "sign in at http://127.0.0.1:8123/admin/" in printed
    assert get_user_model().objects.get(username="editor").is_staff


def test_the_default_address_is_make_runs_default() -> None:
    assert "sign in at http://127.0.0.1:8000/admin/" in _printed()


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("0.0.0.0", "http://127.0.0.1:9000/"),
        ("::1", "http://[::1]:9000/"),
        ("::", "http://[::1]:9000/"),
    ],
)
def test_an_any_address_or_ipv6_host_prints_a_reachable_address(host: str, address: str) -> None:
    assert f"sign in at {address}admin/" in _printed("--host", host, "--port", "9000")
