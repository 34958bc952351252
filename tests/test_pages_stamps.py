"""Pages say of every archived copy whether a trusted time-stamp vouches for it, in words: not
stamped because no authority is configured, stamped by whom and when, or a failed stamp; with
one query for all the stamps of a page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.ledger.timestamps import NOT_CONFIGURED
from claims.models import Claim, Evidence
from claims.models.ledger import TrustedTimestamp
from tests.factories import ClaimFactory, DocumentFactory, EvidenceFactory

pytestmark = pytest.mark.django_db
SHA = "ab" * 32


def archived_evidence(claim: Claim, n: int = 1) -> list[Evidence]:
    return [
        EvidenceFactory(
            claim=claim,
            url=f"https://example.org/video-{i}",
            availability="published",
            archive_sha256=SHA,
        )
        for i in range(n)
    ]


def stamp(item, status: str = "good") -> TrustedTimestamp:
    return TrustedTimestamp.objects.create(
        subject=item._meta.db_table, subject_id=item.pk, message_sha256=SHA, token=b"\x30",
        status=status, gen_time="2026-11-30T10:00:00Z" if status == "good" else "",
    )  # fmt: skip


@pytest.fixture
def claim() -> Claim:
    return ClaimFactory(status="published")


def test_with_no_authority_the_claim_page_says_its_evidence_is_not_stamped(client, claim):
    archived_evidence(claim)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert NOT_CONFIGURED in page


def test_a_good_stamp_names_the_authority_and_its_date(client, claim, settings):
    settings.TSA_URL = "https://tsa.example.org/stamp"
    (item,) = archived_evidence(claim)
    stamp(item)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "Time-stamped by tsa.example.org on 2026-11-30" in page
    assert NOT_CONFIGURED not in page


def test_a_failed_stamp_says_so_with_its_date(client, claim, settings):
    settings.TSA_URL = "https://tsa.example.org/stamp"
    (item,) = archived_evidence(claim)
    stamp(item, status="failed")
    page = client.get(claim.get_absolute_url()).content.decode()
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert f"The time-stamp failed verification on {today}" in page


def test_an_archived_copy_awaiting_its_stamp_says_so(client, claim, settings):
    settings.TSA_URL = "https://tsa.example.org/stamp"
    archived_evidence(claim)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "Not time-stamped yet: the request to tsa.example.org has not been answered" in page


def test_evidence_without_an_archived_copy_says_nothing_of_stamps(client, claim):
    EvidenceFactory(claim=claim)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "time-stamp" not in page.lower()


def test_the_document_page_shows_its_copys_stamp(admin_client, settings):
    # An analyst's view: a document no published claim cites is not shown to the public.
    document = DocumentFactory(archive_sha256=SHA)
    assert NOT_CONFIGURED in admin_client.get(f"/documents/{document.pk}/").content.decode()
    settings.TSA_URL = "https://tsa.example.org/stamp"
    stamp(document)
    page = admin_client.get(f"/documents/{document.pk}/").content.decode()
    assert "Time-stamped by tsa.example.org on 2026-11-30" in page


def test_the_stamps_of_a_page_cost_one_query_however_many_items(client, claim, settings):
    settings.TSA_URL = "https://tsa.example.org/stamp"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(claim.get_absolute_url()).status_code == 200
        return len(captured)

    archived_evidence(claim)
    settings.TSA_URL = ""
    without = queries()  # no authority: no stamp query at all
    settings.TSA_URL = "https://tsa.example.org/stamp"
    one = queries()
    for item in archived_evidence(claim, 3):
        stamp(item)
    assert one == without + 1
    assert queries() == one
