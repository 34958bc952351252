"""The timeline's facets and the index pages in a real browser, on the demo: a facet link
narrows the list, its chosen value undoes it, and the index pages read at both widths."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import test_browser_pages as shared

# The browser, the page at laptop width and the demo behind a live server, as the other
# browser tests have them (fixtures are found by name in the test's module).
_allow_orm_beside_playwright = shared._allow_orm_beside_playwright
browser = shared.browser
page = shared.page
demo = shared.demo
screenshot = shared.screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shown_claims(page: Page) -> int:
    return page.locator("ol.claim-list > li").count()


def test_a_facet_link_narrows_the_timeline_and_its_chosen_value_undoes_it(
    page: Page, demo: str
) -> None:
    page.goto(f"{demo}/timeline/")
    everything = shown_claims(page)
    facet = page.locator(".facet").filter(has=page.get_by_role("heading", name="Kind of claim"))
    link = facet.get_by_role("link", name="casualty count")
    expected = int(link.locator("xpath=..").locator(".facet-count").inner_text())
    assert 0 < expected < everything
    link.click()
    expect(page).to_have_url(re.compile(r"\?kind=casualty_count#results-heading$"))
    expect(page.get_by_role("heading", name=re.compile(r"matching the filters"))).to_have_text(
        f"{expected} claim{'s' if expected != 1 else ''} matching the filters"
    )
    assert shown_claims(page) == expected
    expect(page.locator("select#id_kind")).to_have_value("casualty_count")
    screenshot(page, "timeline-facets")
    # The chosen value shows as active; its link removes the filter again.
    page.locator(".facet li.is-active a").first.click()
    expect(page).to_have_url(re.compile(r"/timeline/\?#results-heading$"))
    assert shown_claims(page) == everything


@pytest.mark.parametrize(
    ("path", "heading", "row"),
    [
        ("/incidents/", "Incidents", "Airstrikes in Idlib province"),
        ("/actors/", "Actors", "White Helmets"),
        ("/documents/", "Documents", "Russian"),
    ],
)
def test_index_pages_list_the_demo_with_counts(
    page: Page, demo: str, path: str, heading: str, row: str
) -> None:
    page.goto(demo + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name=heading)
    ).to_have_attribute("aria-current", "page")
    rows = page.locator("table.data-table tbody tr")
    expect(rows.filter(has_text=row).first).to_be_visible()
    screenshot(page, f"index{path.strip('/')}")
