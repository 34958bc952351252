"""The editors' claim page and the publish confirmation in Chromium, at a laptop's 1280 px:
nothing off screen, the title clear of the buttons, messages readable beside their fields."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from claims.models import Claim
from tests.factories import (
    ActorFactory,
    AttributionFactory,
    ClaimFactory,
    DocumentFactory,
    FigureFactory,
    ResponseFactory,
    UserFactory,
)
from tests.test_browser_pages import (  # noqa: F401  (the fixtures, shared)
    ARTIFACTS,
    _allow_orm_beside_playwright,
    browser,
)
from tests.test_browser_pages import page as page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def save_screens(page: Page, name: str) -> None:
    """Full-page screenshots at 1280x800 and 390x844 under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    for label, size in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(LAPTOP)


def sign_in_as_reviewer(page: Page, base: str) -> None:
    UserFactory(username="browser-reviewer", is_staff=True, groups=["reviewers"])
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("browser-reviewer")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/admin/")


def a_claim_with_figures() -> Claim:
    msf = ActorFactory(name="Médecins Sans Frontières")
    claim = ClaimFactory(
        speaker=msf,
        summary="Médecins Sans Frontières says 22 staff and patients were killed when its "
        "trauma centre in Kunduz was struck, and that the strikes went on for an hour.",
    )
    FigureFactory(
        claim=claim,
        category="people",
        low=22,
        high=22,
        as_stated="22 staff and patients",
        basis="the organisation's own count of its staff and patients",
        reported_by=ActorFactory(name="A news agency with a rather long name"),
    )
    AttributionFactory(claim=claim, position=1, actor=msf, document=DocumentFactory())
    return claim


def right_edge(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box, f"{selector} is not shown"
    return box["x"] + box["width"]


def test_the_claim_page_fits_a_laptop_with_its_figures(page: Page, live_server) -> None:
    claim = a_claim_with_figures()
    page.set_viewport_size(LAPTOP)
    sign_in_as_reviewer(page, live_server.url)
    page.goto(f"{live_server.url}/admin/claims/claim/{claim.pk}/change/")
    save_screens(page, "admin-claim-change")

    for field in ("basis", "reported_by", "DELETE"):
        box = page.locator(f"#figures-group [name='figures-0-{field}']").first.bounding_box()
        assert box, f"the figure's {field} is not shown"
        assert box["x"] + box["width"] <= LAPTOP["width"], f"the figure's {field} is off screen"
    off_screen = page.evaluate(
        """w => [...document.querySelectorAll('#content input, #content select,'
                 + ' #content .select2-container, #content th')]
          .filter(e => e.offsetParent && e.type !== 'hidden')
          .filter(e => e.getBoundingClientRect().right > w)
          .map(e => e.name || e.className || e.textContent.trim())""",
        LAPTOP["width"],
    )
    assert off_screen == [], f"off screen at 1280 px: {off_screen}"
    outside = page.evaluate(
        """() => [...document.querySelectorAll('#content .inline-group')]
          .concat([...document.querySelectorAll('#content .inline-group .tabular')])
          .filter(g => g.scrollWidth > g.clientWidth).map(g => g.id || g.className)"""
    )
    assert outside == [], f"inlines wider than their box at 1280 px: {outside}"
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"

    title = page.locator("#content h1").bounding_box()
    tools = page.locator(".object-tools").bounding_box()
    assert title
    assert tools
    apart = (
        title["y"] + title["height"] <= tools["y"]
        or tools["y"] + tools["height"] <= title["y"]
        or title["x"] + title["width"] <= tools["x"]
    )
    assert apart, f"the title {title} runs under the buttons {tools}"


def test_low_above_high_is_said_readably_beside_the_field(page: Page, live_server) -> None:
    claim = a_claim_with_figures()
    page.set_viewport_size(LAPTOP)
    sign_in_as_reviewer(page, live_server.url)
    page.goto(f"{live_server.url}/admin/claims/claim/{claim.pk}/change/")
    page.locator("#id_figures-0-qualifier").select_option("between")
    page.locator("#id_figures-0-low").fill("30")
    page.locator("#id_figures-0-high").fill("20")
    page.locator("input[name=_continue]").click()

    message = page.locator("#figures-group .errorlist", has_text="cannot be above").first
    box = message.bounding_box()
    assert box, "no message at the figure"
    line = float(message.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 16"))
    assert box["height"] <= 2.5 * line, f"the message wraps into a column: {box}"
    high = page.locator("#id_figures-0-high").bounding_box()
    assert high
    assert abs(box["y"] - high["y"]) < 120, "the message is not beside the field"


def test_publishing_drafts_asks_first_and_lists_what_goes_public(page: Page, live_server) -> None:
    helmets = ActorFactory(name="White Helmets")
    allegation = ClaimFactory(speaker=helmets, summary="The White Helmets say 152 civilians died.")
    denial = ClaimFactory(
        speaker=ActorFactory(name="Russian Defence Ministry"),
        status=Claim.Status.DRAFT,
        summary="The Ministry says its aircraft do not strike residential areas or villages.",
    )
    AttributionFactory(
        claim=denial,
        position=1,
        actor=ActorFactory(name="A broadcaster"),
        document=DocumentFactory(title="Ministry briefing, 26 September 2017"),
    )
    ResponseFactory(claim=denial, answers=allegation, kind="denies")
    page.set_viewport_size(LAPTOP)
    sign_in_as_reviewer(page, live_server.url)
    page.goto(f"{live_server.url}/admin/claims/claim/?status__exact=draft")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("publish_selected")
    page.get_by_role("button", name="Go").click()

    expect(page.locator("h1")).to_have_text("Publish these drafts?")
    expect(page.locator("#content")).to_contain_text("denies the claim by White Helmets")
    expect(page.locator("#content")).to_contain_text("Ministry briefing, 26 September 2017")
    save_screens(page, "admin-publish-confirmation")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    denial.refresh_from_db()
    assert denial.status == Claim.Status.DRAFT

    page.get_by_role("button", name="Yes, publish 1 draft").click()
    expect(page.locator(".messagelist")).to_contain_text("Published 1 draft(s).")
    denial.refresh_from_db()
    assert denial.status == Claim.Status.PUBLISHED


def test_enter_before_the_search_answers_waits_for_the_answer(page: Page, live_server) -> None:
    claim = ClaimFactory(speaker=ActorFactory(name="White Helmets"), status=Claim.Status.DRAFT)
    DocumentFactory(title="Alpha bulletin", published_on="2017-09-30")
    wanted = DocumentFactory(title="Reuters report on Idlib", published_on="2017-09-20")
    held = []

    def hold_the_new_search(route) -> None:
        if "term=Reuters" in route.request.url:
            held.append(route)  # answered only when the test says so
        else:
            route.continue_()

    page.route("**/admin/autocomplete/**", hold_the_new_search)
    page.set_viewport_size(LAPTOP)
    sign_in_as_reviewer(page, live_server.url)
    page.goto(f"{live_server.url}/admin/claims/claim/{claim.pk}/change/")
    page.locator("#attributions-0 .field-document .select2-selection").click()
    results = page.locator(".select2-results__option")
    expect(results.first).to_contain_text("Alpha bulletin")  # the stale first result

    page.locator(".select2-container--open .select2-search__field").fill("Reuters")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    chosen = page.locator("#id_attributions-0-document")
    assert chosen.input_value() == "", "Enter chose a result of the earlier search"

    assert held, "the new search was not sent"
    held[0].continue_()
    expect(chosen).to_have_value(str(wanted.pk))
    expect(page.locator("#attributions-0 .field-document .select2-selection")).to_contain_text(
        "Reuters report on Idlib"
    )
