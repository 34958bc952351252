"""Shared fixtures: a few named actors reused across tests, and users in each role."""

from __future__ import annotations

import pytest

from sources.models import Actor
from tests.factories import ActorFactory, AliasFactory, UserFactory


@pytest.fixture(autouse=True)
def _plain_static_files(settings) -> None:
    """Tests render templates without running collectstatic, so skip the hashed-name manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def white_helmets(db: None) -> Actor:
    actor = ActorFactory(name="White Helmets", slug="white-helmets", kind=Actor.Kind.ORGANISATION)
    AliasFactory(actor=actor, name="Syrian Civil Defence", language="en")
    return actor


@pytest.fixture
def defence_ministry(db: None) -> Actor:
    return ActorFactory(
        name="Ministry of Defence of the Russian Federation",
        slug="russian-defence-ministry",
        kind=Actor.Kind.STATE_BODY,
        country="RU",
    )


@pytest.fixture
def reuters(db: None) -> Actor:
    return ActorFactory(name="Reuters", slug="reuters", kind=Actor.Kind.NEWS_AGENCY)


@pytest.fixture
def broadcaster(db: None) -> Actor:
    return ActorFactory(name="RT", slug="rt", kind=Actor.Kind.MEDIA_OUTLET, country="RU")


@pytest.fixture
def editor(db: None):
    return UserFactory(username="editor", is_staff=True, groups=["editors"])


@pytest.fixture
def reader(db: None):
    """A signed-in user with no role: may read what the public reads, may write nothing."""
    return UserFactory(username="reader", is_staff=True)


# --- API -------------------------------------------------------------------------------------


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def editor_client(editor):
    """An API client sending the editor's token, as a tool would."""
    from rest_framework.test import APIClient

    from sources.models import ApiToken

    _, secret = ApiToken.issue(user=editor, name="test tool")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def reader_client(reader):
    """An API client with a valid token for a user who may write nothing."""
    from rest_framework.test import APIClient

    from sources.models import ApiToken

    _, secret = ApiToken.issue(user=reader, name="read-only tool")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def demo(db: None):
    """The running example, loaded as `manage.py load_demo` loads it."""
    from claims.demo import load_demo

    load_demo()
