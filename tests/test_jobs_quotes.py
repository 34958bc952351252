"""Quote checks: a claim's quote is found in its source document's text, or flagged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.jobs.archiving import archive_document
from claims.jobs.quotes import check_claim_quote as check_quote_task
from claims.jobs.quotes import check_quote, find_anchor
from claims.models import Claim, QuoteCheck
from tests.factories import AttributionFactory, ClaimFactory, DocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_content_types() -> None:
    """A transactional test in the same process may have emptied and refilled the content types
    under new ids; admin log entries must not use ids cached before that."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


TEXT = (
    "MOSCOW, 26 September. The Ministry said Russian planes\n"
    "  \u201cdo not strike residential areas or villages\u201d and that its strikes hit bases of "
    "groups it calls terrorist. Its spokesman called the group \u2018crooks\u2019."
)


def claim_quoting(quote: str, document) -> Claim:
    claim = ClaimFactory(quote=quote)
    AttributionFactory(claim=claim, position=1)
    AttributionFactory(claim=claim, position=2, document=document)
    return claim


def test_a_quote_in_the_typed_text_is_anchored_with_words_around_it():
    document = DocumentFactory(full_text=TEXT)
    claim = claim_quoting("do not strike residential areas", document)
    assert check_quote(claim=claim) == QuoteCheck.FOUND
    claim.refresh_from_db()
    anchor = claim.quote_anchor
    assert claim.quote_check == QuoteCheck.FOUND
    assert anchor["exact"] == "do not strike residential areas"
    assert TEXT[anchor["start"] : anchor["end"]] == anchor["exact"]
    assert anchor["prefix"].endswith("The Ministry said Russian planes \u201c")
    assert anchor["suffix"].startswith("or villages\u201d and that")
    assert anchor["document"] == str(document.uid)
    assert anchor["text_from"] == "full_text"


def test_quote_marks_and_white_space_may_differ_but_words_may_not():
    document = DocumentFactory(full_text=TEXT)
    straight = claim_quoting("called the group 'crooks'.", document)
    assert check_quote(claim=straight) == QuoteCheck.FOUND
    across_lines = claim_quoting('said Russian planes "do not strike', document)
    assert check_quote(claim=across_lines) == QuoteCheck.FOUND
    across_lines.refresh_from_db()
    assert across_lines.quote_anchor["exact"] == "said Russian planes\n  \u201cdo not strike"


def test_a_quote_not_in_the_source_is_flagged_and_not_matched_loosely():
    document = DocumentFactory(full_text=TEXT)
    # One word different from the text: a fuzzy matcher would take the nearby passage.
    claim = claim_quoting("Russian planes do not strike residential areas or towns", document)
    assert check_quote(claim=claim) == QuoteCheck.NOT_FOUND
    claim.refresh_from_db()
    assert claim.quote_check == QuoteCheck.NOT_FOUND
    assert "exact" not in claim.quote_anchor
    assert find_anchor("planes do not strike", TEXT.upper()) is None  # case is not forgiven


def test_a_claim_whose_document_has_no_text_is_marked_so():
    claim = claim_quoting("crooks", DocumentFactory(full_text="", url=""))
    assert check_quote(claim=claim) == QuoteCheck.NO_TEXT


def test_the_last_hop_with_a_document_is_the_one_checked():
    claim = ClaimFactory(quote="crooks")
    AttributionFactory(claim=claim, position=1, document=DocumentFactory(full_text="nothing"))
    AttributionFactory(claim=claim, position=2, document=DocumentFactory(full_text=TEXT))
    AttributionFactory(claim=claim, position=3)
    assert check_quote_task(claim.pk) == QuoteCheck.FOUND


def test_the_text_of_an_archived_html_page_is_searched(web, django_capture_on_commit_callbacks):
    document = DocumentFactory(url=web.url("/page.html"), full_text="")
    claim = claim_quoting('aircraft "do not strike residential areas", and added', document)
    with django_capture_on_commit_callbacks(execute=True):
        archive_document(document.pk)  # archiving re-checks the claims quoting the document
    claim.refresh_from_db()
    assert claim.quote_check == QuoteCheck.FOUND
    assert claim.quote_anchor["text_from"] == "archive"
    assert "not text" not in claim.quote_anchor["prefix"]  # scripts are not text


def test_saving_a_claim_in_the_admin_checks_its_quote(
    admin_client, django_capture_on_commit_callbacks
):
    document = DocumentFactory(full_text=TEXT, url="")
    claim = claim_quoting("", document)
    form = {
        "speaker": claim.speaker_id,
        "kind": "other",
        "summary": claim.summary,
        "quote": "do not strike residential areas",
        "quote_language": "en",
        "made_on": "2017-09-26",
        "made_precision": "day",
        "status": claim.status,
        "read_version": claim.version,
    }
    for prefix, total in [
        ("claim_targets", 0),
        ("figures", 0),
        ("attributions", 2),
        ("responses_made", 0),
        ("responses_received", 0),
        ("evidence", 0),
    ]:
        form.update({f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": total})
    for n, hop in enumerate(claim.attributions.order_by("position")):
        form.update(
            {
                f"attributions-{n}-id": hop.pk,
                f"attributions-{n}-claim": claim.pk,
                f"attributions-{n}-position": hop.position,
                f"attributions-{n}-actor": hop.actor_id,
                f"attributions-{n}-document": hop.document_id or "",
                f"attributions-{n}-verb": hop.verb,
            }
        )
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client.post(reverse("admin:claims_claim_change", args=[claim.pk]), form)
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    claim.refresh_from_db()
    assert claim.quote_check == QuoteCheck.FOUND


def test_editors_find_claims_whose_quote_was_not_found(admin_client):
    document = DocumentFactory(full_text=TEXT)
    missing = claim_quoting("words nobody said", document)
    check_quote(claim=missing)
    page = admin_client.get(reverse("admin:claims_claim_changelist") + "?quote_check=not_found")
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    detail = admin_client.get(reverse("admin:claims_claim_change", args=[missing.pk]))
    assert b"not found in source" in detail.content
