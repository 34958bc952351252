"""What is new is what was published most recently: the home page lists claims by the time they
were published, says when, and gives the date each was made beside it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from claims.models import Claim
from claims.record.claims import create_claim, publish_claim
from tests.factories import ActorFactory, ClaimFactory

pytestmark = pytest.mark.django_db


def test_publishing_a_draft_records_when_it_was_published(editor, reviewer) -> None:
    claim = create_claim(
        by=editor,
        fields={"speaker": ActorFactory(), "kind": "other", "summary": "A says B.",
                "made_on": dt.date(2015, 10, 3), "status": Claim.Status.DRAFT},
    )  # fmt: skip
    assert claim.published_at is None
    before = timezone.now()
    publish_claim(by=reviewer, claim=claim)
    claim.refresh_from_db()
    assert claim.published_at is not None
    assert claim.published_at >= before


def test_home_lists_the_latest_published_first_whatever_the_date_made(client: Client) -> None:
    now = timezone.now()
    ClaimFactory(
        summary="An older publication about 2017.",
        made_on=dt.date(2017, 9, 26),
        published_at=now - dt.timedelta(days=30),
    )
    for n in range(10):
        ClaimFactory(
            summary=f"Published today about 2015, number {n}.",
            made_on=dt.date(2015, 10, 3),
            published_at=now - dt.timedelta(minutes=n),
        )
    page = client.get("/").content.decode()
    latest = page.split('id="latest-heading"')[1].split("</section>")[0]
    assert "Published today about 2015, number 0." in latest
    assert "Published today about 2015, number 9." in latest
    assert "An older publication about 2017." not in latest
    assert latest.index("number 0.") < latest.index("number 1.")
    words = " ".join(re.sub(r"<[^>]+>", " ", latest).split())
    assert f"published on {now:%-d %B %Y} , made 3 Oct 2015" in words


def test_draft_readers_see_the_newest_drafts_apart_and_the_public_none(
    client: Client, editor
) -> None:
    ClaimFactory(summary="A draft nobody outside reads.", status=Claim.Status.DRAFT)
    assert "A draft nobody outside reads." not in client.get("/").content.decode()
    client.force_login(editor)
    page = client.get("/").content.decode()
    drafts = page.split('id="drafts-heading"')[1]
    assert "A draft nobody outside reads." in drafts
