"""ClaimReview as fact-check consumers read it: of published assessments only, by the publisher
the settings name, dated by the assessment's publication, appearances with our archived copy,
a short claimReviewed, the ledger head named, embedded in the claim page and fed at
/claimreview/."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from claims.ledger import tree
from claims.models import Assessment, Claim
from claims.pages import claimreview as feed_module
from claims.reading.claimreview import SHORT_CLAIM, shortened
from claims.record.assessments import save_assessment
from sources.models import Document
from tests.factories import (
    AssessmentFactory,
    AttributionFactory,
    ClaimFactory,
    DocumentFactory,
)

pytestmark = pytest.mark.django_db

LONG_SUMMARY = (
    "The White Helmets say their members recovered the bodies of 152 civilians killed in "
    "air strikes on towns of Idlib province during the previous week, and that most of the "
    "dead were women and children found under the rubble of homes hit at night in Jisr "
    "al-Shughur and nearby villages."
)


@pytest.fixture
def graded(white_helmets, broadcaster, analyst, archive_storage):
    claim = ClaimFactory(speaker=white_helmets, summary=LONG_SUMMARY, quote="</script><b>152</b>")
    article = DocumentFactory(title="RT report", publisher=broadcaster, url="https://rt.example/a")
    article.archive_file.save("rt.html", ContentFile(b"<p>152</p>"), save=False)
    Document.objects.filter(pk=article.pk).update(
        archive_file=article.archive_file.name, archive_status=Document.ArchiveStatus.ARCHIVED
    )
    AttributionFactory(claim=claim, position=1, actor=white_helmets, verb="said")
    AttributionFactory(claim=claim, position=2, actor=broadcaster, document=article)
    return claim


def publish_grading(claim: Claim, analyst, rating: str = "unproven") -> Assessment:
    values = {
        "claim": claim,
        "rating": rating,
        "rationale": "No list of names.",
        "status": "published",
    }
    return save_assessment(by=analyst, values=values)


def review_of(client, claim: Claim) -> dict:
    response = client.get(f"/api/v1/claims/{claim.pk}/claimreview/")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_claim_without_a_published_assessment_has_no_claimreview(api_client, graded, analyst):
    assert api_client.get(f"/api/v1/claims/{graded.pk}/claimreview/").status_code == 404
    save_assessment(
        by=analyst,
        values={"claim": graded, "rating": "unproven", "rationale": "Draft.", "status": "draft"},
    )
    assert api_client.get(f"/api/v1/claims/{graded.pk}/claimreview/").status_code == 404


def test_the_publisher_comes_from_the_settings(api_client, graded, analyst, settings):
    settings.CLAIMREVIEW_PUBLISHER_NAME = "Conflict Monitor"
    settings.CLAIMREVIEW_PUBLISHER_URL = "https://monitor.example.net/"
    publish_grading(graded, analyst)
    review = review_of(api_client, graded)
    expected = {
        "@type": "Organization",
        "name": "Conflict Monitor",
        "url": "https://monitor.example.net/",
    }
    assert review["author"] == review["publisher"] == expected
    assert "claimtracker" not in json.dumps(review["author"]).lower()


def test_an_install_naming_no_publisher_emits_no_claimreview(
    client, api_client, graded, analyst, settings
):
    settings.CLAIMREVIEW_PUBLISHER_NAME = settings.CLAIMREVIEW_PUBLISHER_URL = ""
    publish_grading(graded, analyst)
    answer = api_client.get(f"/api/v1/claims/{graded.pk}/claimreview/")
    assert answer.status_code == 404
    assert "CLAIMREVIEW_PUBLISHER_NAME" in answer.content.decode()
    assert client.get("/claimreview/").status_code == 404
    assert "application/ld+json" not in client.get(graded.get_absolute_url()).content.decode()


def test_date_published_is_when_the_assessment_was_published_not_the_claims_last_edit(
    api_client, graded, analyst
):
    grading = publish_grading(graded, analyst)
    Assessment.objects.filter(pk=grading.pk).update(
        published_at=dt.datetime(2020, 5, 4, 12, tzinfo=dt.UTC)
    )
    Claim.objects.filter(pk=graded.pk).update(updated_at=timezone.now())
    assert review_of(api_client, graded)["datePublished"] == "2020-05-04"


def test_publishing_sets_published_at_once_and_an_edit_keeps_it(graded, analyst):
    draft = save_assessment(
        by=analyst,
        values={"claim": graded, "rating": "unproven", "rationale": "x", "status": "draft"},
    )
    assert draft.published_at is None
    published = save_assessment(by=analyst, values={"status": "published"}, assessment=draft)
    first = published.published_at
    assert first is not None
    again = save_assessment(by=analyst, values={"rationale": "y"}, assessment=published)
    assert Assessment.objects.get(pk=again.pk).published_at == first


def test_appearances_are_the_sources_urls_with_our_archived_copy(api_client, graded, analyst):
    publish_grading(graded, analyst)
    (work,) = review_of(api_client, graded)["itemReviewed"]["appearance"]
    assert work["url"] == "https://rt.example/a"
    assert work["archivedAt"].startswith("http://testserver/media/archive/documents/rt")


def test_claim_reviewed_is_short_and_cut_at_a_word_with_the_full_summary_beside_it(
    api_client, graded, analyst
):
    publish_grading(graded, analyst, rating="contradicted")
    review = review_of(api_client, graded)
    short = review["claimReviewed"]
    assert len(short) <= SHORT_CLAIM
    assert short.endswith("…")
    assert LONG_SUMMARY.startswith(short.removesuffix("…"))
    assert LONG_SUMMARY[len(short) - 1] == " "  # the cut falls between words
    assert review["itemReviewed"]["description"] == LONG_SUMMARY
    assert review["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "contradicted by the evidence",
        "ratingExplanation": "No list of names.",
    }


def test_shortened_leaves_a_short_text_alone_and_cuts_a_long_word_if_it_must():
    assert shortened("Short.") == "Short."
    assert len(shortened("x" * 500)) <= SHORT_CLAIM


def test_a_claimreview_names_the_ledger_head_in_its_header_and_document(
    api_client, graded, analyst
):
    publish_grading(graded, analyst)
    response = api_client.get(f"/api/v1/claims/{graded.pk}/claimreview/")
    head = response["X-Claimtracker-Ledger-Head"]
    size, root = head.split(" ")
    assert int(size) == tree.size()
    assert root == tree.root(int(size)).hex()
    basis = response.json()["isBasedOn"]
    assert basis["version"] == head
    assert basis["url"] == "http://testserver/api/v1/ledger/head/"


def test_the_claim_page_embeds_the_claimreview_under_the_nonce_and_a_quote_cannot_break_out(
    graded, analyst
):
    publish_grading(graded, analyst)
    html = Client().get(graded.get_absolute_url()).content.decode()
    (script,) = re.findall(
        r'<script type="application/ld\+json" nonce="([^"]+)">(.*?)</script>', html, re.S
    )
    nonce, body = script
    assert nonce
    assert "</script>" not in body
    assert "<b>" not in body
    review = json.loads(body)
    assert review["@type"] == "ClaimReview"
    assert review["itemReviewed"]["text"] == "</script><b>152</b>"


def test_the_claim_page_embeds_nothing_without_a_published_assessment(graded):
    AssessmentFactory(claim=graded, status=Assessment.Status.DRAFT)
    html = Client().get(graded.get_absolute_url()).content.decode()
    assert "application/ld+json" not in html


def test_the_feed_pages_every_published_review_and_names_the_head(
    client, graded, analyst, monkeypatch
):
    monkeypatch.setattr(feed_module, "FEED_PAGE_SIZE", 2)
    publish_grading(graded, analyst)
    others = [ClaimFactory() for _ in range(2)]
    for other in others:
        publish_grading(other, analyst)
    publish_grading(ClaimFactory(status="draft"), analyst)  # a draft claim is not reviewed
    ClaimFactory()  # nor is a claim nobody graded
    first = client.get("/claimreview/")
    second = client.get("/claimreview/?page=2")
    assert first.status_code == 200
    assert first["Content-Type"].startswith("application/ld+json")
    assert 'rel="next"' in first["Link"]
    assert "page=2" in first["Link"]
    ids = [r["url"] for page in (first, second) for r in page.json()["dataFeedElement"]]
    assert ids == [f"http://testserver{c.get_absolute_url()}" for c in [graded, *others]]
    assert first.json()["isBasedOn"]["version"] == first["X-Claimtracker-Ledger-Head"]
    assert client.get("/claimreview/?page=9").status_code == 404
