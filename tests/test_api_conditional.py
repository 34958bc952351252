"""API details send an ETag and answer 304 to a current copy, in one query, without serializing."""

from __future__ import annotations

import pytest

from claims.models import CasualtyFigure, Claim
from tests.factories import (
    ActorFactory,
    AttributionFactory,
    ClaimFactory,
    DocumentFactory,
    EvidenceFactory,
    FigureFactory,
    IncidentFactory,
    ResponseFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim() -> Claim:
    claim = ClaimFactory(
        status="published", incident=IncidentFactory(slug="idlib"), speaker=ActorFactory(slug="mod")
    )
    FigureFactory(claim=claim, low=12, high=12)
    return claim


DETAILS = {
    "claim": lambda c: f"/api/v1/claims/{c.pk}/",
    "incident": lambda c: "/api/v1/incidents/idlib/",
    "actor": lambda c: "/api/v1/actors/mod/",
    "document": lambda c: f"/api/v1/documents/{quoted_by(c).pk}/",
    "response": lambda c: f"/api/v1/responses/{published_answer_to(c).pk}/",
    "evidence": lambda c: f"/api/v1/evidence/{EvidenceFactory(claim=c).pk}/",
}


def quoted_by(claim: Claim):
    """A document the claim quotes: public, as the published claim uses it."""
    return AttributionFactory(claim=claim, document=DocumentFactory()).document


def published_answer_to(claim: Claim):
    return ResponseFactory(answers=claim, claim=ClaimFactory(status="published"))


@pytest.fixture(params=sorted(DETAILS))
def detail(request: pytest.FixtureRequest, claim: Claim) -> str:
    return DETAILS[request.param](claim)


def test_a_current_copy_is_revalidated_with_304_in_one_query(
    api_client, detail: str, django_assert_num_queries
) -> None:
    first = api_client.get(detail)
    assert first.status_code == 200
    etag = first["ETag"]

    with django_assert_num_queries(1):
        again = api_client.get(detail, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_any_write_to_the_record_answers_in_full_again(api_client, detail: str) -> None:
    etag = api_client.get(detail)["ETag"]
    ActorFactory(name="A newly recorded actor")

    again = api_client.get(detail, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 200
    assert again["ETag"] != etag


def test_a_changed_figure_changes_the_claim_etag(api_client, claim: Claim) -> None:
    url = f"/api/v1/claims/{claim.pk}/"
    etag = api_client.get(url)["ETag"]
    CasualtyFigure.objects.filter(claim=claim).update(low=14, high=14)

    again = api_client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 200
    assert again.json()["figures"][0]["low"] == 14


def test_a_copy_made_for_the_public_is_not_current_for_a_draft_reader(
    api_client, analyst, claim: Claim
) -> None:
    url = f"/api/v1/claims/{claim.pk}/"
    etag = api_client.get(url)["ETag"]
    api_client.force_authenticate(analyst)

    again = api_client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 200
    assert again["ETag"] != etag


def test_a_draft_is_not_found_for_the_public_even_with_a_wildcard(api_client) -> None:
    draft = ClaimFactory(status="draft")

    answer = api_client.get(f"/api/v1/claims/{draft.pk}/", HTTP_IF_NONE_MATCH="*")

    assert answer.status_code == 404


def test_a_stale_or_foreign_etag_gets_the_full_answer(api_client, claim: Claim) -> None:
    url = f"/api/v1/claims/{claim.pk}/"
    answer = api_client.get(url, HTTP_IF_NONE_MATCH='"claim-1-v1-r1-p-00000000", "nonsense"')

    assert answer.status_code == 200
    assert answer.json()["id"] == claim.pk
