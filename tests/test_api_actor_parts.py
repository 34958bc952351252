"""Aliases and affiliations have endpoints of their own, through the actor's write path
(issue 16): the same rules as writing the actor's lists, with history."""

from __future__ import annotations

import pytest

from claims.models import ChangeRecord
from sources.models import Affiliation, Alias
from tests.factories import ActorFactory, AffiliationFactory, ClaimFactory

pytestmark = pytest.mark.django_db


def test_an_alias_is_added_by_the_actors_id(editor_client):
    actor = ActorFactory(slug="nusra")

    answer = editor_client.post(
        "/api/v1/aliases/", {"actor": actor.pk, "name": "Jabhat al-Nusra"}, format="json"
    )

    assert answer.status_code == 201, answer.json()
    assert answer.json()["actor"]["slug"] == "nusra"
    assert list(actor.aliases.values_list("name", flat=True)) == ["Jabhat al-Nusra"]
    assert ChangeRecord.objects.filter(table_name="sources_alias", operation="INSERT").exists()


def test_a_repeated_alias_is_refused_as_on_the_actor(editor_client, white_helmets):
    answer = editor_client.post(
        "/api/v1/aliases/",
        {"actor": "white-helmets", "name": "syrian civil defence", "language": "en"},
        format="json",
    )

    assert answer.status_code == 400, answer.json()
    assert white_helmets.aliases.count() == 1


def test_an_alias_is_renamed_and_removed(reviewer_client, white_helmets):
    alias = white_helmets.aliases.get()

    renamed = reviewer_client.patch(
        f"/api/v1/aliases/{alias.pk}/", {"name": "Syria Civil Defence"}, format="json"
    )
    removed = reviewer_client.delete(f"/api/v1/aliases/{alias.pk}/")

    assert renamed.status_code == 200, renamed.json()
    assert renamed.json()["name"] == "Syria Civil Defence"
    assert removed.status_code == 204
    assert not Alias.objects.exists()
    assert ChangeRecord.objects.filter(table_name="sources_alias", operation="DELETE").exists()


def test_an_alias_does_not_move_to_another_actor(reviewer_client, white_helmets, reuters):
    alias = white_helmets.aliases.get()

    answer = reviewer_client.patch(
        f"/api/v1/aliases/{alias.pk}/", {"actor": "reuters"}, format="json"
    )

    assert answer.status_code == 400
    assert Alias.objects.get().actor == white_helmets


def test_an_editor_may_not_rename_a_public_actor_through_its_alias(editor_client, white_helmets):
    ClaimFactory(speaker=white_helmets)  # published: the public sees the actor
    alias = white_helmets.aliases.get()

    answer = editor_client.delete(f"/api/v1/aliases/{alias.pk}/")

    assert answer.status_code == 403
    assert Alias.objects.exists()


def test_a_role_is_added_and_listed_by_person(editor_client, defence_ministry):
    person = ActorFactory(slug="konashenkov", kind="person")

    added = editor_client.post(
        "/api/v1/affiliations/",
        {"person": "konashenkov", "organisation": defence_ministry.pk, "role": "spokesperson"},
        format="json",
    )
    listed = editor_client.get("/api/v1/affiliations/?person=konashenkov")

    assert added.status_code == 201, added.json()
    assert Affiliation.objects.get().person == person
    assert [r["role"] for r in listed.json()["results"]] == ["spokesperson"]


def test_a_role_for_an_organisation_is_refused(editor_client, defence_ministry, reuters):
    answer = editor_client.post(
        "/api/v1/affiliations/",
        {"person": reuters.slug, "organisation": defence_ministry.slug, "role": "spokesperson"},
        format="json",
    )

    assert answer.status_code == 400
    assert not Affiliation.objects.exists()


def test_a_role_is_removed(editor_client):
    role = AffiliationFactory()

    answer = editor_client.delete(f"/api/v1/affiliations/{role.pk}/")

    assert answer.status_code == 204
    assert not Affiliation.objects.exists()
