"""The incident maps: where incidents happened, drawn as a server-rendered SVG over Natural
Earth's country outlines (claims.pages.map_outlines), with no tiles and no script.

A map is fitted to the points it shows with a margin: a lone incident shows its region, incidents
spread over continents show the world. Each point is a circle whose *area* is proportional to its
number of claims (the legend says the scale); how closely the coordinates place the incident is
drawn too: a solid dot for the spot or the named place, a dashed ring for "near", and a
translucent area, as wide as the uncertainty, for a district, a province or a whole country.
Every point links to its incident and has a title naming it, its claims and its precision; the
page puts the same data in a table beside the map.

The index's map is one aggregate query over every incident the filters match (capped at
``MAP_LIMIT``, the busiest first) and one count of those without coordinates; the incident page's
map is one query for the incidents near it. Both are kept per state of the record, like the
timeline's band (claims.reading.bands.kept).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from claims.models import Incident, LocationPrecision
from claims.pages.map_outlines import WIDTH, View, outlines

# More matching incidents than this: the busiest are drawn and the page says how many are not.
MAP_LIMIT = 2000
NEARBY_LIMIT = 60
R_MAX = 26.0  # map units: the circle of the map's largest count
R_MIN = 4.0  # ...and no circle is drawn smaller, so one claim stays visible among thousands
LONE_R = 12.0  # an incident's own map draws it alone: its size means nothing
# How far the coordinates may be from the event, in km, as each precision says.
UNCERTAIN_KM = {
    LocationPrecision.SITE: 0,
    LocationPrecision.PLACE: 0,
    LocationPrecision.NEAR: 25,
    LocationPrecision.DISTRICT: 50,
    LocationPrecision.PROVINCE: 150,
    LocationPrecision.COUNTRY: 400,
}
KM_PER_DEGREE = 111.32
# How each precision is drawn (the CSS class) and what the legend says of it.
STYLES = {
    LocationPrecision.SITE: "exact",
    LocationPrecision.PLACE: "exact",
    LocationPrecision.NEAR: "near",
    LocationPrecision.DISTRICT: "area",
    LocationPrecision.PROVINCE: "area",
    LocationPrecision.COUNTRY: "area",
}
WORLD = View(lon=0.0, lat=13.0, half_x=180.0, half_y=71.0)  # 58° S to 84° N
MIN_HALF_Y = 2.5  # degrees: a lone incident shows some 550 km of its region
ASPECT = (0.5, 0.62)
# A view wider or taller than this part of the world's shows the whole world: a crop that wide
# shows little more than the world does and looks like a mistake.
WORLDWIDE = 0.4  # the map's height over its width, at least and at most


@dataclass(frozen=True)
class Spot:
    """One incident as a map draws it."""

    slug: str
    title: str
    place: str
    latitude: float
    longitude: float
    precision: str
    claims: int

    @property
    def precision_label(self) -> str:
        return str(LocationPrecision(self.precision).label)

    @property
    def url(self) -> str:
        return reverse("incident-detail", args=[self.slug])


@dataclass(frozen=True)
class Point:
    """A spot placed on the map: its circle, and the ring or area of its uncertainty."""

    spot: Spot
    x: float
    y: float
    r: float
    style: str  # exact, near or area
    halo: float  # radius of the ring (near) or area (district, province, country); 0 for none
    faint: bool = False  # a neighbour on an incident's map, drawn for context

    @property
    def title(self) -> str:
        spot = self.spot
        claims = f"{spot.claims} claim{'s' if spot.claims != 1 else ''}"
        what = "another incident nearby" if self.faint else claims
        where = f"{spot.place}: " if spot.place else ""
        return f"{spot.title} ({what}); {where}{spot.precision_label}"


@dataclass(frozen=True)
class SizeSample:
    """A circle of the legend: the size of ``claims`` claims, in percent of the map's width
    (so the legend's circles are the map's own size on any screen)."""

    claims: int
    r: float

    @property
    def box(self) -> float:
        return round(2 * self.r + 2, 1)

    @property
    def middle(self) -> float:
        return round(self.box / 2, 2)

    @property
    def width_percent(self) -> float:
        return round(100 * self.box / WIDTH, 2)


@dataclass
class Map:
    view: View
    points: list[Point]
    outlines: str
    unlocated: int = 0  # matching incidents without coordinates
    left_out: int = 0  # matching incidents with coordinates not drawn (over MAP_LIMIT)
    most: int = 0  # the largest count drawn
    sizes: list[SizeSample] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)  # the precision styles drawn

    @property
    def height(self) -> int:
        return self.view.height

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def halos(self) -> list[Point]:
        """The points' rings and areas, the largest first (drawn under every dot)."""
        return sorted((p for p in self.points if p.halo), key=lambda p: -p.halo)

    @property
    def has_faint(self) -> bool:
        return any(point.faint for point in self.points)

    @property
    def is_world(self) -> bool:
        return self.view == WORLD


def radius(claims: int, most: int) -> float:
    """The circle of ``claims``: area proportional to the count, the largest R_MAX."""
    if most <= 0 or claims <= 0:
        return R_MIN
    return max(R_MIN, R_MAX * math.sqrt(claims / most))


def _snap(value: float, step: float) -> float:
    """A view's size rounded up to a step, so near views are one view (kept once)."""
    return math.ceil(value / step) * step


def fit(spots: Iterable[Spot]) -> View:
    """The view of ``spots`` with a margin: a region for one or a few near each other, the world
    once they spread over most of it."""
    spots = list(spots)
    if not spots:
        return WORLD
    lats = [s.latitude for s in spots]
    lons = [s.longitude for s in spots]
    lat = (min(lats) + max(lats)) / 2
    lon = (min(lons) + max(lons)) / 2
    k = max(math.cos(math.radians(lat)), 0.2)
    # The uncertainty of the loosest point is inside the view, not only its dot.
    widest = max(UNCERTAIN_KM[LocationPrecision(s.precision)] for s in spots) / KM_PER_DEGREE
    half_y = max((max(lats) - min(lats)) / 2 * 1.2 + 0.5, MIN_HALF_Y, widest * 1.5)
    half_x = max((max(lons) - min(lons)) / 2 * k * 1.2 + 0.5, MIN_HALF_Y)
    low, high = ASPECT
    half_y = max(half_y, half_x * low)
    half_x = max(half_x, half_y / high)
    if half_x >= WORLDWIDE * WORLD.half_x or half_y >= WORLDWIDE * WORLD.half_y:
        return WORLD
    step = 0.5 if half_y > 5 else 0.25
    return View(
        lon=round(lon, 1), lat=round(lat, 1), half_x=_snap(half_x, step), half_y=_snap(half_y, step)
    )


def _place(spot: Spot, view: View, most: int, faint: bool = False) -> Point:
    x, y = view.project(spot.longitude, spot.latitude)
    r = 3.0 if faint else LONE_R if most < 0 else radius(spot.claims, most)
    style = STYLES[LocationPrecision(spot.precision)]
    uncertain = UNCERTAIN_KM[LocationPrecision(spot.precision)] / KM_PER_DEGREE * view.scale
    halo = 0.0
    if style != "exact" and not faint:
        # At world scale 25 km is under a unit: the ring is kept visibly apart from its dot,
        # and an area never swallows the map.
        halo = min(max(uncertain, r + (4 if style == "near" else 7)), view.height * 0.3)
    return Point(spot, round(x, 1), round(y, 1), round(r, 1), style, round(halo, 1), faint)


def _sizes(most: int) -> list[SizeSample]:
    """The legend's circles: one claim, a round number between, and the largest count."""
    if most <= 0:
        return []
    counts = sorted({1, most} | ({_round_between(most)} if most >= 10 else set()))
    return [SizeSample(n, radius(n, most)) for n in counts]


def _round_between(most: int) -> int:
    """A round number about a quarter of ``most``: 1, 2 or 5 times a power of ten."""
    quarter = most / 4
    power = 10 ** math.floor(math.log10(quarter))
    return int(max(m * power for m in (1, 2, 5) if m * power <= quarter))


def draw(
    spots: list[Spot],
    *,
    unlocated: int = 0,
    left_out: int = 0,
    view: View | None = None,
    faint: Iterable[Spot] = (),
    sized: bool = True,
) -> Map:
    """The map of ``spots`` (the largest drawn first, so small ones stay on top and clickable),
    sized by their claims unless ``sized`` is false."""
    view = view or fit(spots)
    most = max((s.claims for s in spots), default=0) if sized else -1
    points = [_place(s, view, most, faint=True) for s in faint]
    placed = [_place(s, view, most) for s in spots]
    points += sorted(placed, key=lambda p: (-p.r, p.spot.slug))
    styles = sorted({p.style for p in placed}, key=["exact", "near", "area"].index)
    sizes = _sizes(most)
    return Map(view, points, outlines(view), unlocated, left_out, max(most, 0), sizes, styles)


def _spot(row: tuple) -> Spot:
    slug, title, place, region, lat, lon, precision, claims = row
    return Spot(slug, title, _where(place, region), float(lat), float(lon), precision, claims or 0)


def _where(place: str, region: str) -> str:
    return ", ".join(part for part in (place, region if region != place else "") if part)


SPOT_FIELDS = ("slug", "title", "place", "region", "latitude", "longitude", "location_precision")


def index_map(rows: QuerySet) -> Map:  # Incidents, with an annotation the stubs cannot see
    """The map of every incident in ``rows`` (annotated with ``claim_count``) that has
    coordinates, the busiest MAP_LIMIT of them if there are more, and how many have none."""
    located = (
        rows.filter(latitude__isnull=False)
        .order_by("-claim_count", "id")
        .values_list(*SPOT_FIELDS, "claim_count")[: MAP_LIMIT + 1]
    )
    spots = [_spot(row) for row in located]
    totals = rows.order_by().aggregate(
        located=Count("pk", filter=Q(latitude__isnull=False)),
        unlocated=Count("pk", filter=Q(latitude__isnull=True)),
    )
    left_out = max(totals["located"] - MAP_LIMIT, 0)
    return draw(spots[:MAP_LIMIT], unlocated=totals["unlocated"], left_out=left_out)


def incident_map(incident: Incident, visible: QuerySet[Incident]) -> Map | None:
    """The map of one incident, with the ``visible`` incidents near it drawn faintly; None
    when it has no coordinates."""
    if incident.latitude is None or incident.longitude is None:
        return None
    claims = getattr(incident, "claim_count", 0) or 0
    here = Spot(
        incident.slug,
        incident.title,
        _where(incident.place, incident.region),
        float(incident.latitude),
        float(incident.longitude),
        incident.location_precision,
        claims,
    )
    view = fit([here])
    west, south, east, north = view.bounds
    near = (
        visible.filter(
            latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east
        )
        .exclude(pk=incident.pk)
        .order_by("id")
        .values_list(*SPOT_FIELDS)[:NEARBY_LIMIT]
    )
    faint = [_spot((*row, 0)) for row in near]
    return draw([here], view=view, faint=faint, sized=False)
