"""Any alias of an actor finds the actor."""

from __future__ import annotations

import pytest

from sources.models import Actor
from tests.factories import ActorFactory, AliasFactory

pytestmark = pytest.mark.django_db


def test_exact_alias_finds_the_actor(white_helmets: Actor) -> None:
    assert list(Actor.objects.named("syrian civil defence")) == [white_helmets]


def test_name_still_finds_the_actor(white_helmets: Actor) -> None:
    assert list(Actor.objects.named("White Helmets")) == [white_helmets]


def test_part_of_an_alias_finds_the_actor_once(white_helmets: Actor) -> None:
    AliasFactory(actor=white_helmets, name="Syria Civil Defence")
    ActorFactory(name="Unrelated body")
    assert list(Actor.objects.matching("civil def")) == [white_helmets]


def test_alias_in_another_script_finds_the_actor() -> None:
    nusra = ActorFactory(name="Nusra Front", kind=Actor.Kind.ARMED_GROUP)
    AliasFactory(actor=nusra, name="جبهة النصرة", language="ar")
    AliasFactory(actor=nusra, name="Jabhat al-Nusra", language="en")
    assert list(Actor.objects.named("جبهة النصرة")) == [nusra]
    assert list(Actor.objects.matching("jabhat")) == [nusra]


def test_blank_search_finds_nothing(white_helmets: Actor) -> None:
    assert not Actor.objects.matching("   ").exists()
