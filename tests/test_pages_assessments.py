"""Published assessments (grade, rationale, who graded, when) show on the claim and incident
pages; a draft assessment stays private: not on the pages for the public, nor in ClaimReview."""

from __future__ import annotations

import pytest
from django.test import Client

from claims.models import Assessment
from tests.factories import AssessmentFactory, ClaimFactory, IncidentFactory, UserFactory

pytestmark = pytest.mark.django_db

PUBLISHED = "No list of names or footage has been produced by anyone."
DRAFT = "Still checking the satellite images, do not show yet."


@pytest.fixture
def graded() -> dict:
    incident = IncidentFactory(slug="idlib", title="Airstrikes in Idlib")
    claim = ClaimFactory(incident=incident, summary="A group says 152 civilians were killed.")
    grader = UserFactory(username="amira", first_name="Amira", last_name="Haddad")
    AssessmentFactory(
        claim=claim,
        analyst=grader,
        rating=Assessment.Rating.UNPROVEN,
        rationale=PUBLISHED,
        status=Assessment.Status.PUBLISHED,
    )
    AssessmentFactory(
        claim=claim,
        rating=Assessment.Rating.CONTRADICTED,
        rationale=DRAFT,
        status=Assessment.Status.DRAFT,
    )
    return {"claim": claim, "incident": incident}


def test_the_claim_page_shows_a_published_assessment_with_who_graded_it(
    client: Client, graded: dict
) -> None:
    page = client.get(graded["claim"].get_absolute_url()).content.decode()
    section = page.split('id="assessments-heading"')[1].split("</section>")[0]
    assert "Unproven" in section
    assert PUBLISHED in section
    assert "Amira Haddad" in section
    assert "<time" in section


def test_a_draft_assessment_stays_off_the_public_pages(client: Client, graded: dict) -> None:
    for url in (graded["claim"].get_absolute_url(), graded["incident"].get_absolute_url()):
        page = client.get(url).content.decode()
        assert DRAFT not in page
        assert "contradicted by the evidence" not in page.lower()


def test_the_incident_page_shows_the_published_assessments_of_its_claims(
    client: Client, graded: dict
) -> None:
    page = client.get(graded["incident"].get_absolute_url()).content.decode()
    section = page.split('id="assessments-heading"')[1].split("</section>")[0]
    assert PUBLISHED in section
    assert "A group says 152 civilians were killed." in section


def test_a_draft_assessment_is_not_the_rating_of_the_claimreview(
    client: Client, graded: dict
) -> None:
    review = client.get(f"/api/v1/claims/{graded['claim'].pk}/claimreview/").json()
    assert review["reviewRating"]["ratingExplanation"] == PUBLISHED
