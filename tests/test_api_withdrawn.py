"""A withdrawn claim stays on the record: its API detail, like its page, shows it withdrawn with
the reason, for everyone; lists, the timeline and exports keep to published claims for the public.
"""

from __future__ import annotations

import pytest

from claims.models import Claim
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db
REASON = "The quote belongs to another report."


@pytest.fixture
def withdrawn(white_helmets) -> Claim:
    return ClaimFactory(
        speaker=white_helmets, status=Claim.Status.WITHDRAWN, withdrawal_reason=REASON
    )


def test_anyone_reads_a_withdrawn_claim_at_its_api_url_with_its_reason(
    api_client, client, withdrawn
):
    answer = api_client.get(f"/api/v1/claims/{withdrawn.pk}/")

    assert answer.status_code == 200
    assert answer.json()["status"] == "withdrawn"
    assert answer.json()["withdrawal_reason"] == REASON
    page = client.get(withdrawn.get_absolute_url())
    assert page.status_code == 200  # as its page does
    assert REASON in page.content.decode()


def test_a_withdrawn_claim_revalidates_like_any_detail(api_client, withdrawn):
    first = api_client.get(f"/api/v1/claims/{withdrawn.pk}/")

    again = api_client.get(f"/api/v1/claims/{withdrawn.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


def test_the_public_lists_keep_to_published_claims(api_client, withdrawn, white_helmets):
    published = ClaimFactory(speaker=white_helmets, status=Claim.Status.PUBLISHED)

    listed = api_client.get("/api/v1/claims/").json()["results"]
    timeline = api_client.get("/api/v1/timeline/").json()["results"]

    assert [c["id"] for c in listed] == [published.pk]
    assert [c["id"] for c in timeline] == [published.pk]


def test_a_draft_stays_unknown_to_the_public(api_client, white_helmets):
    draft = ClaimFactory(speaker=white_helmets, status=Claim.Status.DRAFT)

    assert api_client.get(f"/api/v1/claims/{draft.pk}/").status_code == 404
