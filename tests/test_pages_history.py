"""The claim page says when its record last changed and links to that record's history."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from claims.record.claims import publish_claim, save_statement
from claims.record.workflow import OPERATOR
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited_claim():
    claim = ClaimFactory(status="draft", summary="Draft wording nobody outside should read.")
    claim.summary = "The ministry says the strike hit a depot."
    save_statement(by=OPERATOR, claim=claim, read_version=claim.version)
    publish_claim(by=OPERATOR, claim=claim)
    claim.summary = "The ministry says the strike hit an arms depot."
    save_statement(by=OPERATOR, claim=claim, read_version=claim.version)
    return claim


def test_claim_page_links_to_the_history(client: Client, edited_claim) -> None:
    page = client.get(edited_claim.get_absolute_url()).content.decode()
    assert "Last changed" in page
    assert reverse("claim-history", args=[edited_claim.pk]) in page


def test_public_history_starts_at_publication(client: Client, edited_claim) -> None:
    response = client.get(reverse("claim-history", args=[edited_claim.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The ministry says the strike hit an arms depot." in page
    assert "Draft wording nobody outside should read." not in page
    assert page.count('class="history-entry"') == 2  # publication, then the later edit


def test_editors_see_every_change_and_who_made_it(client: Client, editor, edited_claim) -> None:
    client.force_login(editor)
    page = client.get(reverse("claim-history", args=[edited_claim.pk])).content.decode()
    assert "Draft wording nobody outside should read." in page
    assert page.count('class="history-entry"') == 4
    assert "no signed-in user" in page


def test_history_of_a_draft_is_not_public(client: Client) -> None:
    draft = ClaimFactory(status="draft")
    assert client.get(reverse("claim-history", args=[draft.pk])).status_code == 404
