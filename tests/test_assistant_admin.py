"""The admin's "Propose a statement": the review page, edits and rejections, drafts and their
history; in Chromium, and through the test client for refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from claims.ledger.history import history_of
from claims.models import CasualtyFigure, Claim
from tests.factories import DocumentFactory, UserFactory
from tests.test_assistant_running_example import demo_actors  # noqa: F401  (a fixture)
from tests.test_browser_pages import (  # noqa: F401  (the fixtures, shared)
    _allow_orm_beside_playwright,
    browser,
)
from tests.test_browser_pages import page as page

ARTICLE = json.loads(
    (Path(__file__).parent / "data/assistant/articles/00-running-example.json").read_text()
)
SCREENSHOTS = Path("/tmp/assistant")


def _log_in(page: Page, base: str) -> None:
    UserFactory(username="assistant-editor", is_staff=True, groups=["editors"])
    page.goto(f"{base}/admin/login/?next=/admin/propose/")
    page.get_by_label("Username").fill("assistant-editor")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/admin/propose/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_editor_reviews_edits_rejects_and_creates_drafts(page: Page, live_server, demo_actors):  # noqa: F811
    _log_in(page, live_server.url)
    page.get_by_label("Text").fill(ARTICLE["text"])
    page.get_by_label("Published on").fill("2017-09-26")
    page.get_by_label("Publisher").fill("rt")
    page.get_by_role("button", name="Propose").click()

    lede_figure = page.locator(".proposal-text mark.proposal-figure").first
    expect(lede_figure).to_have_text("over 150 civilians")
    proposals = page.locator("fieldset.proposal")
    expect(proposals).to_have_count(10)
    assert Claim.objects.count() == 0  # nothing written by proposing
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "review.png", full_page=True)

    first = proposals.nth(0)
    first.get_by_label("low").first.fill("151")
    first.get_by_label("high").first.fill("151")
    first.get_by_label("as stated").first.fill("151 bodies")
    rt_own = proposals.filter(has_text="RT, in its own voice")
    rt_own.get_by_role("checkbox").uncheck()
    page.get_by_role("button", name="Create drafts").click()

    expect(page.locator("ul.messagelist")).to_contain_text("9 draft claims written")
    assert Claim.objects.filter(status=Claim.Status.DRAFT).count() == 9
    assert not Claim.objects.filter(speaker__slug="rt").exists()
    edited = CasualtyFigure.objects.get(claim__speaker__slug="white-helmets", qualifier="exactly")
    assert (edited.low, edited.high, edited.as_stated) == (151, 151, "151 bodies")
    first_claim = Claim.objects.order_by("pk").first()
    assert page.url.endswith(f"/admin/claims/claim/{first_claim.pk}/change/")
    inserted = history_of(first_claim).get()
    assert (inserted.operation, inserted.user_id) == (
        "INSERT",
        str(first_claim.created_by_id),
    )
    page.screenshot(path=SCREENSHOTS / "created.png", full_page=True)


def _editor_client(client):
    client.force_login(UserFactory(username="assistant-editor", is_staff=True, groups=["editors"]))
    return client


def test_empty_text_is_refused_at_the_field(client, demo_actors):  # noqa: F811
    answer = _editor_client(client).post(
        "/admin/propose/", {"text": " ", "published_on": "2017-09-26", "publisher": "rt"}
    )
    assert answer.status_code == 200
    assert "this one is empty" in answer.content.decode()


def test_rejecting_everything_writes_nothing(client, demo_actors):  # noqa: F811
    client = _editor_client(client)
    review = client.post(
        "/admin/propose/",
        {"text": ARTICLE["text"], "published_on": "2017-09-26", "publisher": "rt"},
    )
    data = review.context["data"]

    answer = client.post("/admin/propose/create/", {"proposals": data})

    assert answer.status_code == 302
    assert Claim.objects.count() == 0


def test_a_damaged_review_page_writes_nothing(client, demo_actors):  # noqa: F811
    answer = _editor_client(client).post(
        "/admin/propose/create/", {"proposals": "{not json", "c0-accept": "1"}
    )
    assert (answer.status_code, Claim.objects.count()) == (302, 0)


def test_an_analyst_may_not_propose(client, demo_actors):  # noqa: F811
    client.force_login(UserFactory(username="reader", is_staff=True, groups=["analysts"]))
    assert client.get("/admin/propose/").status_code == 403


def test_a_document_and_the_claim_list_link_to_the_assistant(client, demo_actors):  # noqa: F811
    client = _editor_client(client)
    document = DocumentFactory(full_text="The White Helmets said 12 people died.")
    page = client.get(f"/admin/sources/document/{document.pk}/change/").content.decode()
    assert f"/admin/propose/?document={document.pk}" in page
    assert "/admin/propose/" in client.get("/admin/claims/claim/").content.decode()
    form = client.get(f"/admin/propose/?document={document.pk}").content.decode()
    assert f'value="{document.pk}"' in form
