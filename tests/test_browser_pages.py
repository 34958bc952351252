"""The analyst pages in a real browser: Debian's Chromium driven by Playwright, demo data loaded.

Every test saves full-page screenshots at a laptop and a phone width under test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect, sync_playwright

from claims.models import Claim, Incident
from sources.models import Actor
from tests.factories import ClaimFactory, IncidentFactory, ResponseFactory, UserFactory

# The live server thread reads what the tests write, so each test commits for real. Restoring the
# serialized database keeps the data migrations' rows (the editors group) for tests that follow.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
WIDTHS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
INCIDENT = "/incidents/idlib-airstrikes-september-2017/"
HELMETS_CLAIM = "recovered the bodies of 152 civilians"
DENIAL = "Russian aircraft do not strike residential areas or villages"


@pytest.fixture(scope="module", autouse=True)
def _allow_orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an event loop running in this thread, so Django refuses the
    ORM calls the tests make to set up data as "async unsafe". Nothing here runs concurrently
    with them; the permission is limited to this module so other tests keep Django's check."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        # A missing browser is a broken set-up, not a reason to pass: .ci/run installs it.
        pytest.fail("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def demo(live_server) -> str:
    call_command("load_demo", verbosity=0)
    return live_server.url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=WIDTHS["laptop"])
    page = context.new_page()
    # A dialog (alert, confirm) never belongs on these pages: record any that opens.
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


# Every visible piece of text against the first opaque background behind it: WCAG 2 contrast
# ratio at least 4.5 (3 for large text). SVG text is checked by its fill colour.
CONTRAST_FAILURES = """() => {
  const parse = (c) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c || "");
    if (!m) return null;
    const p = m[1].split(",").map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const channel = (v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const background = (el) => {
    for (; el; el = el.parentElement) {
      if (el instanceof SVGElement) continue;
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const failures = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    const el = walker.currentNode.parentElement;
    const tag = el.tagName.toUpperCase();
    if (!text || seen.has(el) || ["TITLE", "DESC", "SCRIPT", "STYLE"].includes(tag)) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    const hidden = style.display === "none" || style.visibility === "hidden";
    if (hidden || box.width <= 1 || box.height <= 1) continue;
    const fg = parse(el instanceof SVGElement ? style.fill : style.color);
    if (!fg) continue;
    const [a, b] = [luminance(fg), luminance(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (parseInt(style.fontWeight, 10) >= 700 && size >= 18.66);
    if (ratio < (large ? 3 : 4.5)) {
      failures.push(`${ratio.toFixed(2)} ${el.tagName} "${text.slice(0, 40)}"`);
    }
  }
  return failures;
}"""


def screenshot(page: Page, name: str) -> None:
    """Save the page at laptop and phone width; check its contrast and that it never scrolls
    sideways."""
    ARTIFACTS.mkdir(exist_ok=True)
    assert page.evaluate(CONTRAST_FAILURES) == [], f"{name}: text below AA contrast"
    for width_name, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width_name}.png"), full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width_name} width"
    page.set_viewport_size(WIDTHS["laptop"])


def log_in_as_editor(page: Page, base: str) -> None:
    editor = UserFactory(username="browser-editor", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_claim"))
    page.goto(f"{base}/admin/login/?next=/")
    page.get_by_label("Username").fill("browser-editor")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def test_incident_page_shows_the_ministry_denial_under_the_white_helmets_claim(
    page: Page, demo: str
) -> None:
    page.goto(demo + INCIDENT)
    expect(page).to_have_title(re.compile(r"^Airstrikes in Idlib province, September 2017"))
    thread = page.locator("ol.threads > li").filter(has_text=HELMETS_CLAIM)
    expect(thread).to_have_count(1)
    denial = thread.locator("ol.thread-replies > li").filter(has_text=DENIAL)
    expect(denial).to_have_count(1)
    expect(denial.locator(".response-kind")).to_have_text(
        "Ministry of Defence of the Russian Federation denies the claim above"
    )
    expect(page.locator("svg.spread line.figure.range.open")).to_have_count(1)
    expect(page.get_by_role("table", name=re.compile("Casualty figures claimed"))).to_be_visible()
    screenshot(page, "incident")


def test_following_the_claim_link_shows_the_three_hop_chain(page: Page, demo: str) -> None:
    page.goto(demo + INCIDENT)
    page.locator("ol.threads > li").filter(has_text=HELMETS_CLAIM).locator(
        ".claim-summary a"
    ).first.click()
    claim = Claim.objects.get(summary__contains=HELMETS_CLAIM)
    expect(page).to_have_url(f"{demo}/claims/{claim.pk}/")
    hops = page.locator("ol.chain > li.chain-hop")
    expect(hops).to_have_count(3)
    expect(hops.nth(0)).to_contain_text("White Helmets")
    expect(hops.nth(1)).to_contain_text("Reuters")
    expect(hops.nth(2)).to_contain_text("RT")
    expect(page.locator("ol.chain > li.chain-document")).to_contain_text("RT report")
    expect(page.get_by_text("Asserted but not produced")).to_have_count(0)
    expect(page.locator(".standing")).to_have_text("denied")
    screenshot(page, "claim")


def test_evidence_asserted_but_not_produced_is_labelled(page: Page, demo: str) -> None:
    claim = Claim.objects.get(evidence__availability="not_produced")
    page.goto(f"{demo}{claim.get_absolute_url()}")
    expect(page.locator(".evidence-item .badge-not-produced")).to_have_text(
        "Asserted but not produced"
    )
    screenshot(page, "claim-with-evidence")


def test_filtering_the_timeline_by_actor_changes_the_url_and_the_list(
    page: Page, demo: str
) -> None:
    page.goto(f"{demo}/timeline/")
    everything = page.locator("ol.claim-list > li").count()
    screenshot(page, "timeline")
    page.get_by_label("Actor (as speaker or accused)").fill("white-helmets")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(f"{demo}/timeline/?actor=white-helmets")
    items = page.locator("ol.claim-list > li")
    expect(items.first).to_be_visible()
    assert 0 < items.count() < everything
    for index in range(items.count()):
        assert "White Helmets" in items.nth(index).inner_text()
    expect(page.locator("h2#results-heading")).to_contain_text("matching the filters")
    expect(page.get_by_label("Actor (as speaker or accused)")).to_have_value("white-helmets")
    expect(page.locator("svg.band rect.mark.span").first).to_be_visible()
    screenshot(page, "timeline-filtered")


def test_searching_an_alias_finds_the_actor(page: Page, demo: str) -> None:
    page.goto(demo)
    page.get_by_label(re.compile("^Search actors")).fill("Syrian Civil Defence")
    page.get_by_label(re.compile("^Search actors")).press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=Syrian\+Civil\+Defence"))
    actors = page.locator("section").filter(has=page.get_by_role("heading", name="Actors"))
    expect(actors.get_by_role("link", name="White Helmets")).to_be_visible()
    screenshot(page, "search")
    actors.get_by_role("link", name="White Helmets").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("White Helmets")
    expect(page.locator(".facts")).to_contain_text("Syrian Civil Defence")
    screenshot(page, "actor-white-helmets")


def test_markup_in_an_editor_entered_quote_shows_as_text_and_runs_nothing(
    page: Page, demo: str
) -> None:
    payload = (
        "<script>window.__xss = 'script'</script>"
        "<img src=x onerror=\"window.__xss = 'onerror'; alert(1)\">"
    )
    claim = ClaimFactory(
        speaker=Actor.objects.get(slug="rt"),
        summary=f"RT quotes someone saying {payload}",
        quote=payload,
        incident=Incident.objects.get(slug="idlib-airstrikes-september-2017"),
    )
    for url in (claim.get_absolute_url(), INCIDENT, "/timeline/", "/search/?q=onerror"):
        page.goto(demo + url)
        assert page.evaluate("typeof window.__xss") == "undefined", url
        assert page.locator("img[src=x]").count() == 0, url
    page.goto(demo + claim.get_absolute_url())
    expect(page.locator(".quote blockquote")).to_have_text(payload)
    assert page.dialogs == []
    screenshot(page, "claim-with-markup")


def test_withdrawn_claim_is_readable_with_its_notice(page: Page, demo: str) -> None:
    claim = ClaimFactory(
        speaker=Actor.objects.get(slug="rt"),
        status=Claim.Status.WITHDRAWN,
        withdrawal_reason="The editors found the quote belongs to another report.",
    )
    page.goto(demo + claim.get_absolute_url())
    expect(page.get_by_role("note")).to_contain_text("This claim was withdrawn from the record")
    expect(page).to_have_title(re.compile(r"^Withdrawn:"))
    screenshot(page, "claim-withdrawn")


def test_editors_see_drafts_marked_and_the_public_does_not(page: Page, demo: str) -> None:
    ClaimFactory(
        speaker=Actor.objects.get(slug="reuters"),
        status=Claim.Status.DRAFT,
        summary="Reuters reports a draft statement not yet checked.",
    )
    page.goto(f"{demo}/timeline/")
    expect(page.get_by_text("draft statement not yet checked")).to_have_count(0)
    log_in_as_editor(page, demo)
    page.goto(f"{demo}/timeline/")
    draft = page.locator("ol.claim-list > li").filter(has_text="draft statement not yet checked")
    expect(draft.locator(".badge-draft")).to_have_text("Draft, not public")
    screenshot(page, "timeline-editor")


def test_every_page_has_a_title_one_h1_and_an_api_link(page: Page, demo: str) -> None:
    claim = Claim.objects.get(summary__contains=HELMETS_CLAIM)
    document = claim.source_document
    pages = {
        "home": "/",
        "actor-ministry": "/actors/russian-defence-ministry/",
        "actor-konashenkov": "/actors/igor-konashenkov/",
        "actor-nusra": "/actors/nusra-front/",
        "document": document.get_absolute_url(),
        "search-empty": "/search/?q=zzzz",
    }
    for name, url in pages.items():
        page.goto(demo + url)
        assert page.title().endswith("· claimtracker"), url
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        expect(page.get_by_role("main")).to_have_count(1)
        expect(page.locator(".api-link a").first).to_have_attribute("href", re.compile("^/api/v1/"))
        screenshot(page, name)


def test_keyboard_focus_is_visible_and_the_skip_link_works(page: Page, demo: str) -> None:
    page.goto(demo + INCIDENT)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    outline = skip.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))


def test_the_timeline_pages_forward_and_back_without_javascript(
    browser: Browser, demo: str
) -> None:
    helmets = Actor.objects.get(slug="white-helmets")
    for n in range(30):
        ClaimFactory(speaker=helmets, summary=f"Synthetic paging claim {n:02}.")
    context = browser.new_context(java_script_enabled=False, viewport=WIDTHS["laptop"])
    page = context.new_page()
    page.goto(f"{demo}/timeline/?speaker=white-helmets")
    items = page.locator("ol.claim-list > li")
    expect(items).to_have_count(25)
    expect(page.locator("svg.band .lane")).to_have_count(1)
    expect(page.get_by_role("heading", name=re.compile("matching the filters"))).to_have_text(
        re.compile(r"^3\d claims matching the filters$")
    )
    first_page = items.all_inner_texts()
    page.get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"\?speaker=white-helmets&after=[0-9-]+\.\d+#"))
    expect(items.first).to_be_visible()
    assert 0 < items.count() < 25
    assert not set(items.all_inner_texts()) & set(first_page)
    expect(page.locator("svg.band .lane")).to_have_count(1)  # the band covers the whole range
    page.get_by_role("link", name="Previous page").click()
    expect(items).to_have_count(25)
    assert items.all_inner_texts() == first_page
    expect(page.get_by_role("link", name="Previous page")).to_have_count(0)
    context.close()


def test_a_big_incident_pages_its_threads_without_javascript(browser: Browser, demo: str) -> None:
    incident = IncidentFactory(slug="big-synthetic", title="A big synthetic incident")
    ministry = Actor.objects.get(slug="russian-defence-ministry")
    for n in range(30):
        allegation = ClaimFactory(incident=incident, summary=f"Synthetic allegation {n:02}.")
        denial = ClaimFactory(incident=incident, speaker=ministry, summary=f"Denial {n:02}.")
        ResponseFactory(claim=denial, answers=allegation)
    context = browser.new_context(java_script_enabled=False, viewport=WIDTHS["laptop"])
    page = context.new_page()
    page.goto(f"{demo}/incidents/big-synthetic/")
    threads = page.locator("ol.threads > li")
    expect(threads).to_have_count(25)
    expect(threads.first.locator("ol.thread-replies > li")).to_have_count(1)
    page.get_by_role("link", name="Next page").click()
    expect(threads).to_have_count(5)
    expect(threads.first).to_contain_text("Synthetic allegation")
    expect(threads.first.locator("ol.thread-replies > li")).to_contain_text("denies the claim")
    screenshot(page, "incident-big-second-page")
    page.get_by_role("link", name="Previous page").click()
    expect(threads).to_have_count(25)
    context.close()


def test_pages_are_readable_without_javascript(browser: Browser, demo: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=WIDTHS["phone"])
    page = context.new_page()
    page.goto(f"{demo}/timeline/?actor=russian-defence-ministry")
    expect(page.locator("ol.claim-list > li").first).to_be_visible()
    page.goto(demo + INCIDENT)
    expect(page.locator("ol.threads > li").filter(has_text=HELMETS_CLAIM)).to_be_visible()
    context.close()
