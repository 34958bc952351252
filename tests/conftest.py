"""Shared fixtures: a few named actors reused across tests, and users in each role."""

from __future__ import annotations

import pytest

from sources.models import Actor
from tests.factories import ActorFactory, AliasFactory, UserFactory


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` need PostgreSQL itself (roles, row locks under concurrency).

    On another database they are deselected, not skipped: CI runs the suite on PostgreSQL
    first, where they run, and on SQLite only as a quick second pass.
    """
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    kept = [item for item in items if item.get_closest_marker("postgres") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def _no_collected_static_folder() -> None:
    """No collectstatic before tests: whitenoise should not look for the folder at start-up."""
    from django.conf import settings

    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def _plain_static_files(settings) -> None:
    """Tests render templates without running collectstatic, so skip the hashed-name manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Nor is there a collected static folder for whitenoise to scan at start-up.
    settings.WHITENOISE_AUTOREFRESH = True
    # Password hashing is deliberately slow; tests sign in often and test no hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
def reviewer(db: None):
    return UserFactory(username="reviewer", is_staff=True, groups=["reviewers"])


@pytest.fixture
def analyst(db: None):
    return UserFactory(username="analyst", is_staff=True, groups=["analysts"])


@pytest.fixture
def reader(db: None):
    """A signed-in user with no role: may read what the public reads, may write nothing."""
    return UserFactory(username="reader", is_staff=True)


# --- Analyst pages ------------------------------------------------------------------------------


@pytest.fixture
def idlib_exchange(
    white_helmets: Actor, defence_ministry: Actor, reuters: Actor, broadcaster: Actor
):
    """The running example built with factories: an allegation, its denial, a relay chain."""
    import datetime as dt
    from types import SimpleNamespace

    from claims.models import CasualtyFigure, Claim, Evidence, Response
    from claimtracker.dates import Precision
    from tests.factories import (
        AttributionFactory,
        ClaimFactory,
        ClaimTargetFactory,
        DocumentFactory,
        EvidenceFactory,
        FigureFactory,
        IncidentFactory,
        ResponseFactory,
    )

    incident = IncidentFactory(
        title="Airstrikes in Idlib province, September 2017",
        slug="idlib-airstrikes-september-2017",
        place="Idlib province",
        start_on=dt.date(2017, 9, 18),
        start_precision=Precision.WEEK,
    )
    russia = ActorFactory(name="Russia", slug="russia", kind=Actor.Kind.STATE)
    article = DocumentFactory(title="RT report on Idlib", publisher=broadcaster)
    allegation = ClaimFactory(
        speaker=white_helmets,
        kind=Claim.Kind.CASUALTY_COUNT,
        summary="The White Helmets say 152 civilians were killed in Idlib air strikes.",
        made_on=dt.date(2017, 9, 25),
        made_precision=Precision.WEEK,
        incident=incident,
    )
    ClaimTargetFactory(claim=allegation, actor=russia)
    FigureFactory(claim=allegation, low=152, high=152, as_stated="152")
    FigureFactory(
        claim=allegation,
        low=150,
        high=None,
        qualifier=CasualtyFigure.Qualifier.MORE_THAN,
        as_stated="over 150",
        reported_by=broadcaster,
    )
    AttributionFactory(claim=allegation, position=1, actor=white_helmets, verb="said")
    AttributionFactory(claim=allegation, position=2, actor=reuters, verb="reported")
    AttributionFactory(
        claim=allegation, position=3, actor=broadcaster, verb="cited", document=article
    )
    denial = ClaimFactory(
        speaker=defence_ministry,
        kind=Claim.Kind.TARGETING,
        summary="The Ministry says Russian aircraft do not strike residential areas.",
        made_on=dt.date(2017, 9, 26),
        incident=incident,
    )
    AttributionFactory(claim=denial, position=1, actor=broadcaster, document=article)
    ResponseFactory(claim=denial, answers=allegation, kind=Response.Kind.DENIES)
    EvidenceFactory(
        claim=denial,
        kind=Evidence.Kind.INTELLIGENCE,
        description="Drone surveillance the Ministry says located the targets.",
    )
    return SimpleNamespace(
        incident=incident,
        allegation=allegation,
        denial=denial,
        article=article,
        russia=russia,
    )


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
