"""Every role an actor has in a claim shows, on the claim page and on the actor page: the
actors a claim accuses and those it is about (its subjects)."""

from __future__ import annotations

import pytest
from django.test import Client

from claims.models import ClaimTarget
from tests.factories import ActorFactory, ClaimFactory, ClaimTargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def characterisation() -> dict:
    speaker = ActorFactory(name="Ministry", slug="ministry")
    subject = ActorFactory(name="Rescue group", slug="rescue-group")
    accused = ActorFactory(name="Armed group", slug="armed-group")
    claim = ClaimFactory(speaker=speaker, summary="The Ministry calls the rescue group crooks.")
    ClaimTargetFactory(claim=claim, actor=subject, role=ClaimTarget.Role.SUBJECT)
    ClaimTargetFactory(claim=claim, actor=accused, role=ClaimTarget.Role.ACCUSED)
    return {"claim": claim}


def test_the_claim_page_names_the_actors_a_claim_is_about(
    client: Client, characterisation: dict
) -> None:
    page = client.get(characterisation["claim"].get_absolute_url()).content.decode()
    assert "<dt>Is about</dt>" in page
    assert 'href="/actors/rescue-group/">Rescue group</a>' in page
    assert "<dt>Accuses</dt>" in page


def test_the_actor_page_lists_the_claims_about_it(client: Client, characterisation: dict) -> None:
    page = client.get("/actors/rescue-group/").content.decode()
    assert "Claims about Rescue group" in page
    assert "The Ministry calls the rescue group crooks." in page


def test_the_actor_page_keeps_accusations_apart_from_subjects(
    client: Client, characterisation: dict
) -> None:
    page = client.get("/actors/armed-group/").content.decode()
    assert "Claims that accuse Armed group" in page
    assert "The Ministry calls the rescue group crooks." in page
    about = page.split('id="subjects-heading"')[1]
    assert "No claim in the record is about this party as its subject." in about
