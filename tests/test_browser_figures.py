"""An incident page with many figures in Chromium: groups, trajectories, flags, and the spread's
scale still in view half-way down a long spread. Screenshots go under test-artifacts/."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from claims.models import CasualtyFigure
from claimtracker.dates import Precision
from tests.factories import (
    ActorFactory,
    AttributionFactory,
    ClaimFactory,
    FigureFactory,
    IncidentFactory,
)
from tests.test_browser_pages import (  # noqa: F401  (the fixtures, shared)
    ARTIFACTS,
    _allow_orm_beside_playwright,
    browser,
    screenshot,
)
from tests.test_browser_pages import page as page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Q = CasualtyFigure.Qualifier


def busy_incident() -> str:
    """Four parties revising their tolls over a month, some by the week, some open-ended, with
    relays: 59 figures in three groups."""
    incident = IncidentFactory(slug="hospital-strike", title="Strike on a hospital")
    parties = [
        ActorFactory(name=name)
        for name in ("Médecins Sans Frontières", "Ministry of Defence", "Provincial council")
    ]
    outlet = ActorFactory(name="Daily Outlet")
    for n in range(16):
        for index, party in enumerate(parties):
            day = dt.date(2015, 10, 3) + dt.timedelta(days=2 * n + index)
            claim = ClaimFactory(
                speaker=party,
                incident=incident,
                made_on=day,
                made_precision=Precision.WEEK if n % 5 == 4 else Precision.DAY,
            )
            toll = [22 + 2 * n, 3 + n // 4, 30 + n][index]
            if n == 9 and index == 2:
                FigureFactory(claim=claim, low=toll, high=None, qualifier=Q.MORE_THAN)
            else:
                FigureFactory(
                    claim=claim,
                    low=toll,
                    high=toll + (5 if index == 2 else 0),
                    qualifier=Q.EXACTLY if index != 2 else Q.BETWEEN,
                )
            if index == 0 and n % 4 == 0:
                FigureFactory(
                    claim=claim, low=10 + n, high=None, qualifier=Q.AT_LEAST, outcome="injured"
                )
    relay = ClaimFactory(speaker=outlet, incident=incident, made_on=dt.date(2015, 10, 20))
    AttributionFactory(
        claim=relay.claim if hasattr(relay, "claim") else relay, position=1, actor=parties[0]
    )
    FigureFactory(claim=relay, low=22, high=22, qualifier=Q.EXACTLY)
    return incident.get_absolute_url()


def test_a_busy_incident_draws_its_figures_by_group_with_the_scale_in_view(
    page: Page, live_server
) -> None:
    url = busy_incident()
    page.goto(live_server.url + url)

    expect(page.locator("svg.spread")).to_have_count(2)
    expect(page.locator("svg.trajectory-plot")).to_have_count(2)
    expect(page.locator(".flag-relay_superseded")).to_have_count(1)
    expect(
        page.get_by_role(
            "table",
            name="Civilians killed: each speaker’s figures in date order "
            "(the chart above as a table)",
        )
    ).to_be_visible()

    # Half-way down the long spread its scale is still on screen, stuck to the top.
    spread = page.locator("svg.spread").first
    box = spread.bounding_box()
    page.mouse.wheel(0, box["y"] + box["height"] / 2)
    page.wait_for_timeout(200)
    axis = page.locator(".sticky-axis").first.bounding_box()
    assert 0 <= axis["y"] <= 2, axis
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "incident-many-figures-scrolled.png"))
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("#flags-heading ~ .flag-list").screenshot(
        path=str(ARTIFACTS / "incident-many-figures-flags.png")
    )
    page.locator("figure.trajectory").first.screenshot(
        path=str(ARTIFACTS / "incident-many-figures-trajectory.png")
    )
    screenshot(page, "incident-many-figures")
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("figure.trajectory").first.screenshot(
        path=str(ARTIFACTS / "incident-many-figures-trajectory-phone.png")
    )
