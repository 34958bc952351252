"""The incident maps (claims.pages.maps): the SVG the incident page and /incidents/ draw, read
as a client reads it: which points, how big, how precise, which view, and nothing fetched."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from claims.models import Claim, LocationPrecision
from claims.pages import map_outlines, maps
from claims.pages.map_outlines import View, outlines
from tests.factories import ActorFactory, ClaimFactory, ClaimTargetFactory, IncidentFactory
from tests.test_pages_claims import get_ok

pytestmark = pytest.mark.django_db

POINT = re.compile(
    r'<a href="(?P<href>/incidents/[^"]+/)" class="map-point (?P<style>\w+)(?P<faint> faint)?"'
    r' aria-label="(?P<label>[^"]*)">\s*<title>[^<]*</title>\s*'
    r'<circle class="dot" cx="(?P<x>[^"]+)" cy="(?P<y>[^"]+)" r="(?P<r>[^"]+)"></circle>'
)


def points(html: str) -> list[dict]:
    return [match.groupdict() for match in POINT.finditer(html)]


def svg_of(html: str) -> str:
    return re.search(r'<svg viewBox="0 0 [^>]+ class="map-svg".*?</svg>', html, re.S)[0]


def view_box(html: str) -> tuple[int, int]:
    width, height = re.search(r'<svg viewBox="0 0 (\d+) (\d+)"[^>]*class="map-svg"', html).groups()
    return int(width), int(height)


def located(slug: str, lat: str, lon: str, claims: int = 0, **kwargs) -> None:
    incident = IncidentFactory(
        slug=slug, title=slug.title(), latitude=Decimal(lat), longitude=Decimal(lon), **kwargs
    )
    for _ in range(claims):
        ClaimFactory(incident=incident)
    return incident


@pytest.fixture
def spread() -> None:
    """Incidents on three continents, with 1, 4 and 9 claims, each placed differently."""
    located("idlib", "35.93", "36.63", 9, location_precision=LocationPrecision.PLACE)
    located("kabul", "34.53", "69.17", 4, location_precision=LocationPrecision.NEAR)
    located("bogota", "4.71", "-74.07", 1, location_precision=LocationPrecision.PROVINCE)
    ClaimFactory(incident=IncidentFactory(slug="nowhere", title="Unplaced"))
    ClaimFactory(incident=IncidentFactory(slug="nowhere-either", title="Unplaced too"))


def test_index_map_draws_every_located_incident_linked_with_its_precision(
    client: Client, spread: None
) -> None:
    html = get_ok(client, "/incidents/")
    drawn = {p["href"]: p for p in points(html)}
    assert set(drawn) == {"/incidents/idlib/", "/incidents/kabul/", "/incidents/bogota/"}
    assert drawn["/incidents/idlib/"]["style"] == "exact"
    assert drawn["/incidents/kabul/"]["style"] == "near"
    assert drawn["/incidents/bogota/"]["style"] == "area"
    # The ring and the area are drawn under every dot, so none hides a dot.
    halos = re.search(r'<g class="map-halos" aria-hidden="true">(.*?)</g>', html)[1]
    assert sorted(re.findall(r'class="halo (\w+)"', halos)) == ["area", "near"]
    assert "Idlib (9 claims)" in drawn["/incidents/idlib/"]["label"]
    assert "somewhere in the province or region" in drawn["/incidents/bogota/"]["label"]
    assert "2 incidents have no coordinates and are not on the map." in html
    # The table names each row's precision in words.
    assert "Near the named place (within about 25 km)" in html
    assert "No coordinates: not on the map" in html


def test_circle_areas_are_proportional_to_claims_and_the_legend_says_so(
    client: Client, spread: None
) -> None:
    html = get_ok(client, "/incidents/")
    r = {p["href"]: float(p["r"]) for p in points(html)}
    assert r["/incidents/idlib/"] > r["/incidents/kabul/"] > r["/incidents/bogota/"]
    assert r["/incidents/idlib/"] == maps.R_MAX
    area = (r["/incidents/kabul/"] / r["/incidents/idlib/"]) ** 2
    assert area == pytest.approx(4 / 9, rel=0.02)
    assert "Circle area is proportional to the number of claims" in html
    assert re.search(r"</svg> 1 claim</span>.*</svg> 9 claims</span>", html, re.S)


def test_incidents_spread_over_continents_show_the_world(client: Client, spread: None) -> None:
    assert view_box(get_ok(client, "/incidents/")) == (1000, maps.WORLD.height)


def test_a_lone_incident_zooms_to_its_region(client: Client) -> None:
    located("idlib", "35.93", "36.63", 2)
    html = get_ok(client, "/incidents/idlib/")
    west, south, east, north = maps.fit(
        [maps.Spot("idlib", "Idlib", "", 35.93, 36.63, "place", 2)]
    ).bounds
    assert north - south < 8
    assert east - west < 12
    assert south < 35.93 < north
    assert west < 36.63 < east
    [point] = points(html)
    width, height = view_box(html)
    # Near the middle of the map.
    assert abs(float(point["x"]) - width / 2) < width / 10
    assert abs(float(point["y"]) - height / 2) < height / 10
    assert "(the named town or village, as the record places it)" in html


def test_incident_page_draws_nearby_incidents_faintly_and_far_ones_not(client: Client) -> None:
    located("idlib", "35.93", "36.63", 2)
    located("saraqib", "35.86", "36.80", 1)
    located("kabul", "34.53", "69.17", 3)
    drawn = points(get_ok(client, "/incidents/idlib/"))
    assert [(p["href"], bool(p["faint"])) for p in drawn] == [
        ("/incidents/saraqib/", True),
        ("/incidents/idlib/", False),
    ]
    assert "another incident nearby" in drawn[0]["label"]


def test_incident_without_coordinates_has_no_map_and_says_so(client: Client) -> None:
    ClaimFactory(incident=IncidentFactory(slug="unplaced", title="Unplaced"))
    html = get_ok(client, "/incidents/unplaced/")
    assert 'class="map-svg"' not in html
    assert "not recorded, so the incident is not on any map" in html


def test_index_map_takes_the_timeline_claim_filters_and_counts_matching_claims(
    client: Client,
) -> None:
    ministry = ActorFactory(name="Defence Ministry", slug="ministry")
    helmets = ActorFactory(name="White Helmets", slug="helmets")
    idlib = located("idlib", "35.93", "36.63")
    hama = located("hama", "35.13", "36.75")
    for _ in range(3):
        ClaimTargetFactory(claim=ClaimFactory(incident=idlib, speaker=helmets), actor=ministry)
    ClaimFactory(incident=idlib, speaker=ministry)
    ClaimFactory(incident=hama, speaker=ministry, kind=Claim.Kind.EVENT)
    html = get_ok(client, "/incidents/?speaker=White+Helmets")
    assert [p["href"] for p in points(html)] == ["/incidents/idlib/"]
    assert "(3 claims)" in points(html)[0]["label"]
    html = get_ok(client, "/incidents/?accused=ministry&made_since=2017-01-01")
    assert [p["href"] for p in points(html)] == ["/incidents/idlib/"]
    html = get_ok(client, "/incidents/?kind=event")
    assert [p["href"] for p in points(html)] == ["/incidents/hama/"]
    assert "(1 claim)" in points(html)[0]["label"]
    # A name that names nobody is refused on its field, and lists nothing, as on the timeline.
    html = get_ok(client, "/incidents/?speaker=Nobody")
    assert "No actor is named or also known as “Nobody”." in html
    assert points(html) == []


def test_index_map_shows_every_match_not_only_this_page(client: Client) -> None:
    for n in range(30):  # more than one page of the index
        located(f"place-{n}", f"{30 + n / 10:.2f}", "40.00", 1)
    html = get_ok(client, "/incidents/")
    assert len(points(html)) == 30
    assert html.count('<th scope="row">') < 30


def test_index_map_is_capped_and_says_how_many_it_leaves_out(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(maps, "MAP_LIMIT", 2)
    located("busy", "35.93", "36.63", 3)
    located("middling", "35.13", "36.75", 2)
    located("quiet", "36.20", "37.15", 1)
    html = get_ok(client, "/incidents/")
    assert {p["href"] for p in points(html)} == {"/incidents/busy/", "/incidents/middling/"}
    assert "1 more with coordinates are not drawn" in html


def test_drafts_only_incidents_stay_off_the_public_map(client: Client) -> None:
    hidden = located("drafted", "35.93", "36.63")
    ClaimFactory(incident=hidden, status=Claim.Status.DRAFT)
    located("public", "35.13", "36.75", 1)
    assert [p["href"] for p in points(get_ok(client, "/incidents/"))] == ["/incidents/public/"]


def test_world_outlines_are_small_and_the_whole_index_page_too(
    client: Client, spread: None
) -> None:
    html = get_ok(client, "/incidents/")
    assert len(svg_of(html).encode()) < 40_000
    assert len(html.encode()) < 100_000
    # Land is drawn, as one path of whole numbers.
    assert re.search(r'<path class="map-land" d="M\d+ \d+l[-\d ]+z', html)


def test_outlines_are_clipped_to_the_view() -> None:
    region = View(lon=36.6, lat=35.9, half_x=4.0, half_y=3.0)
    numbers = [int(n) for n in re.findall(r"-?\d+", outlines(region))]
    assert numbers, "the Levant has land"
    assert len(outlines(region)) < len(outlines(maps.WORLD))
    moves = re.findall(r"M(-?\d+) (-?\d+)", outlines(region))
    assert all(-5 <= int(x) <= 1005 and -5 <= int(y) <= region.height + 5 for x, y in moves)


def test_the_map_needs_no_script_and_names_no_outside_address(client: Client, spread: None) -> None:
    svg = svg_of(get_ok(client, "/incidents/"))
    assert "<script" not in svg
    assert "http" not in svg.replace("http://www.w3.org", "")
    assert "style=" not in svg


def test_fit_keeps_the_loosest_uncertainty_in_view() -> None:
    country = maps.fit([maps.Spot("s", "S", "", 35.0, 38.0, LocationPrecision.COUNTRY, 1)])
    place = maps.fit([maps.Spot("s", "S", "", 35.0, 38.0, LocationPrecision.PLACE, 1)])
    assert country.half_y > place.half_y
    assert country.half_y >= 1.5 * 400 / maps.KM_PER_DEGREE


def test_country_outlines_come_from_the_shared_cache_once_a_process_has_read_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Reading the package's polygons took each web process seconds on its first map.
    map_outlines._rings.cache_clear()
    cache.clear()
    read = map_outlines._rings(0)
    map_outlines._rings.cache_clear()  # another process: nothing of its own yet
    monkeypatch.setattr(map_outlines, "_read_package", lambda: pytest.fail("read the package"))
    assert map_outlines._rings(0) == read
    assert map_outlines._rings(2)  # the coarser copies are thinned from it
