"""Pages answer 304 to a client whose copy is current, without rendering."""

from __future__ import annotations

import pytest
from django.test import Client

from claims.models import Claim
from tests.factories import AttributionFactory, ClaimFactory, DocumentFactory, IncidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim() -> Claim:
    return ClaimFactory(incident=IncidentFactory(slug="idlib"))


@pytest.fixture(params=["claim", "incident", "home", "timeline", "actor", "document"])
def page(request: pytest.FixtureRequest, claim: Claim) -> str:
    if request.param == "document":
        return AttributionFactory(
            claim=claim, document=DocumentFactory()
        ).document.get_absolute_url()
    return {
        "claim": claim.get_absolute_url(),
        "incident": "/incidents/idlib/",
        "home": "/",
        "timeline": "/timeline/",
        "actor": claim.speaker.get_absolute_url(),
    }[request.param]


def test_a_current_copy_is_revalidated_with_304_and_one_query(
    client: Client, page: str, django_assert_num_queries
):
    etag = client.get(page)["ETag"]

    with django_assert_num_queries(1):
        answer = client.get(page, headers={"If-None-Match": etag})

    assert answer.status_code == 304
    assert answer.content == b""
    assert answer["ETag"] == etag


def test_a_change_to_the_record_renders_the_page_again(client: Client, page: str, claim: Claim):
    etag = client.get(page)["ETag"]
    Claim.objects.filter(pk=claim.pk).update(summary="The ministry said otherwise.")

    answer = client.get(page, headers={"If-None-Match": etag})

    assert answer.status_code == 200
    assert b"The ministry said otherwise." in answer.content
    assert answer["ETag"] != etag


def test_another_reader_does_not_get_a_copy_made_for_someone_else(
    client: Client, page: str, editor
):
    etag = client.get(page)["ETag"]
    client.force_login(editor)

    answer = client.get(page, headers={"If-None-Match": etag})

    assert answer.status_code == 200
