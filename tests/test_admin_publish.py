"""Publishing drafts from the claim list first shows what goes public, and only a confirmation
publishes."""

from __future__ import annotations

import pytest
from django.contrib.admin import helpers
from django.test import Client
from django.urls import reverse

from claims.models import ChangeRecord, Claim
from tests.factories import (
    ActorFactory,
    AttributionFactory,
    ClaimFactory,
    DocumentFactory,
    IncidentFactory,
    ResponseFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:claims_claim_changelist")


@pytest.fixture
def drafts(white_helmets, defence_ministry):
    """A public allegation; a draft denial of it, by a ministry only this draft names, about
    a new incident, read in a new document."""
    allegation = ClaimFactory(speaker=white_helmets, summary="The White Helmets say 152 died.")
    newcomer = ActorFactory(name="Provincial council")
    incident = IncidentFactory(title="Strikes on Idlib province")
    denial = ClaimFactory(
        speaker=defence_ministry,
        spokesperson=None,
        status=Claim.Status.DRAFT,
        incident=incident,
        summary="The Ministry says its aircraft do not strike villages.",
    )
    AttributionFactory(
        claim=denial, position=1, actor=newcomer, document=DocumentFactory(title="Council bulletin")
    )
    ResponseFactory(claim=denial, answers=allegation, kind="denies")
    return {"allegation": allegation, "denial": denial}


def _choose(*claims: Claim, **more: str) -> dict:
    return {
        "action": "publish_selected",
        helpers.ACTION_CHECKBOX_NAME: [str(c.pk) for c in claims],
        **more,
    }


def test_publishing_shows_what_goes_public_and_publishes_nothing(
    client: Client, reviewer, drafts
) -> None:
    client.force_login(reviewer)
    records = ChangeRecord.objects.count()
    response = client.post(LIST_URL, _choose(drafts["denial"], drafts["allegation"]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Publish these drafts?" in page
    assert "The Ministry says its aircraft do not strike villages." in page
    assert "Standing once published: <strong>unanswered</strong>" in page
    assert "denies the claim by White Helmets" in page
    assert "Provincial council" in page
    assert "Strikes on Idlib province" in page
    assert "Council bulletin" in page
    assert "1 selected claim is not a draft" in page
    drafts["denial"].refresh_from_db()
    assert drafts["denial"].status == Claim.Status.DRAFT
    assert ChangeRecord.objects.count() == records


def test_the_allegation_takes_its_new_standing_in_the_preview(
    client: Client, reviewer, drafts
) -> None:
    client.force_login(reviewer)
    drafts["allegation"].status = Claim.Status.DRAFT
    drafts["allegation"].save()
    response = client.post(LIST_URL, _choose(drafts["denial"], drafts["allegation"]))
    assert "Standing once published: <strong>denied</strong>" in response.content.decode()


def test_confirming_publishes_the_drafts(client: Client, reviewer, drafts) -> None:
    client.force_login(reviewer)
    response = client.post(LIST_URL, _choose(drafts["denial"], confirmed="yes"))
    assert response.status_code == 302
    drafts["denial"].refresh_from_db()
    assert drafts["denial"].status == Claim.Status.PUBLISHED
