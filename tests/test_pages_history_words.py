"""A claim's history people can read: labels and names instead of columns and ids, the changes to
its figures, chain, targets, evidence and answers as part of it, and what happened in words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from claims.models import Attribution, CasualtyFigure, Claim, ClaimTarget
from claims.record.claims import publish_claim, save_statement
from tests.factories import ActorFactory, IncidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(editor, reviewer) -> Claim:
    speaker = ActorFactory(name="Health Directorate", slug="health-directorate")
    incident = IncidentFactory(title="Strike on the market", slug="market")
    claim = Claim(
        speaker=speaker,
        incident=incident,
        kind=Claim.Kind.CASUALTY_COUNT,
        summary="The Health Directorate says 22 people were killed.",
        made_on=dt.date(2017, 9, 26),
        status=Claim.Status.DRAFT,
    )
    figure = CasualtyFigure(
        category="civilians", outcome="killed", low=22, high=22, qualifier="exactly"
    )
    save_statement(by=editor, claim=claim, figures=[figure])
    publish_claim(by=reviewer, claim=claim)
    claim.refresh_from_db()
    figure.refresh_from_db()
    figure.low = figure.high = 30
    save_statement(
        by=reviewer,
        claim=claim,
        figures=[figure],
        chain=[Attribution(actor=ActorFactory(name="Local Radio"), verb="reported")],
        targets=[ClaimTarget(actor=ActorFactory(name="Air Force"), role="accused")],
    )
    return claim


def test_the_history_names_fields_and_rows_instead_of_columns_and_ids(
    client: Client, history: Claim
) -> None:
    page = client.get(f"/claims/{history.pk}/history/").content.decode()
    assert "speaker_id" not in page
    assert "incident_id" not in page
    assert "quote_anchor" not in page
    assert ">uid<" not in page
    assert "Health Directorate" in page
    assert "Strike on the market" in page


def test_the_history_says_in_words_what_happened(client: Client, history: Claim) -> None:
    page = client.get(f"/claims/{history.pk}/history/").content.decode()
    assert "Published by a reviewer" in page
    assert "Figure changed from 22 to 30" in page
    assert "Chain: Local Radio added (reported)" in page
    assert "The claim now lists Air Force as accused." in page
    assert "No field an editor writes changed" not in page
    assert "Before: —" not in page


def test_the_public_history_hides_the_draft_figures_and_shows_what_was_published(
    client: Client, history: Claim
) -> None:
    page = client.get(f"/claims/{history.pk}/history/").content.decode()
    assert "Figure added" not in page  # added while a draft
    assert "As published" in page


def test_the_date_made_reads_in_words(client: Client, history: Claim) -> None:
    page = client.get(f"/claims/{history.pk}/history/").content.decode()
    assert "26 Sep 2017" in page
    assert "2017-09-26" not in page.replace('datetime="2017-09-26', "")
