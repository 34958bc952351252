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


@pytest.mark.parametrize("index", ["actor_name_trgm_idx", "alias_name_trgm_idx"])
@pytest.mark.postgres  # the trigram indexes exist only there; deselected on SQLite
def test_matching_looks_names_and_aliases_up_in_their_trigram_indexes(index: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Actor.objects.matching("civil def").explain()

    assert index in plan
