"""The incident maps in a real browser: Debian's Chromium driven by Playwright, demo data loaded
and a few more placed incidents. The map is there, its points link to their incidents, the
legend explains each precision, and on a phone it scales without scrolling sideways."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from claims.models import Incident, LocationPrecision
from tests import test_browser_pages as shared
from tests.factories import ClaimFactory, IncidentFactory

# The browser, the page at laptop width and the demo behind a live server, as the other
# browser tests have them (fixtures are found by name in the test's module).
_allow_orm_beside_playwright = shared._allow_orm_beside_playwright
browser = shared.browser
page = shared.page
demo = shared.demo
screenshot = shared.screenshot
INCIDENT, WIDTHS = shared.INCIDENT, shared.WIDTHS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def placed(slug: str, lat: str, lon: str, precision: str, claims: int) -> Incident:
    incident = IncidentFactory(
        slug=slug,
        title=f"Shelling near {slug.title()}",
        place=slug.title(),
        latitude=Decimal(lat),
        longitude=Decimal(lon),
        location_precision=precision,
    )
    for _ in range(claims):
        ClaimFactory(incident=incident)
    return incident


@pytest.fixture
def placed_demo(demo: str) -> str:
    placed("saraqib", "35.86", "36.80", LocationPrecision.NEAR, 2)
    placed("hama", "35.13", "36.75", LocationPrecision.PROVINCE, 1)
    return demo


def test_incident_index_maps_every_incident_with_a_legend_and_links(
    page: Page, placed_demo: str
) -> None:
    # The demo's incident is placed at province precision; one placed at its town beside it.
    placed("kafr-nabl", "35.61", "36.56", LocationPrecision.PLACE, 1)
    page.goto(placed_demo + "/incidents/")
    drawn = page.locator("figure.map svg.map-svg a.map-point")
    expect(drawn).to_have_count(4)
    expect(page.locator("figure.map svg.map-svg a.map-point.near")).to_have_count(1)
    expect(page.locator("figure.map svg.map-svg a.map-point.area")).to_have_count(2)
    legend = page.get_by_role("list", name=re.compile("how precisely each point is placed"))
    expect(legend).to_contain_text("at the spot or the named place")
    expect(legend).to_contain_text("near the named place")
    expect(legend).to_contain_text("somewhere in a district, province or country")
    expect(page.locator("figure.map figcaption")).to_contain_text(
        "1 incident has no coordinates and is not on the map."
    )
    # The busiest incident is the biggest circle.
    radii = {
        link.get_attribute("href"): float(link.locator("circle.dot").get_attribute("r"))
        for link in drawn.all()
    }
    assert max(radii, key=radii.get) == INCIDENT
    screenshot(page, "incidents-map")
    page.locator('figure.map a.map-point[href="/incidents/saraqib/"]').click()
    expect(page).to_have_url(placed_demo + "/incidents/saraqib/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Shelling near Saraqib")


def test_incident_page_map_shows_it_and_its_neighbours_faintly(
    page: Page, placed_demo: str
) -> None:
    page.goto(placed_demo + INCIDENT)
    figure = page.locator("figure.map")
    expect(figure).to_be_visible()
    expect(figure.locator("a.map-point:not(.faint)")).to_have_count(1)
    expect(figure.locator(f'a.map-point:not(.faint)[href="{INCIDENT}"]')).to_have_count(1)
    expect(figure.locator("a.map-point.faint")).to_have_count(2)
    expect(page.locator("dl.facts")).to_contain_text("as the record places it")
    # Keyboard users reach the points: each is a link with a name.
    expect(figure.get_by_role("link", name=re.compile("Shelling near Hama"))).to_have_count(1)
    screenshot(page, "incident-map")


def test_map_scales_to_a_phone_and_the_table_stacks(page: Page, placed_demo: str) -> None:
    page.set_viewport_size(WIDTHS["phone"])
    page.goto(placed_demo + "/incidents/")
    svg = page.locator("figure.map svg.map-svg").bounding_box()
    table = page.locator(".map-table table").bounding_box()
    assert svg["width"] <= WIDTHS["phone"]["width"]
    assert svg["width"] > 0.8 * WIDTHS["phone"]["width"]
    assert table["y"] >= svg["y"] + svg["height"]  # below the map, not beside it
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    # The legend's circles are the map's own size on screen: same scale, one claim.
    one = page.locator(".legend-sizes .legend-size").first.bounding_box()
    assert one["width"] < 0.05 * svg["width"]
