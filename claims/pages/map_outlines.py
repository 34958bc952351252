"""Country outlines for the incident maps: Natural Earth's admin-0 polygons, as the
geo-intel-offline package ships them inside its wheel, projected, clipped and thinned for one view.

The projection is equirectangular with the longitude scaled by the cosine of the view's middle
latitude, so a region keeps its shape near its centre (a world view uses the equator's scale).
The package's polygons are detailed enough for a district (about 367,000 points); they are read
once per process, thinned to a few kilometres, and for each view only the rings that reach it are
projected, clipped to it and thinned to about a pixel, so a world map's outlines stay a few tens
of kilobytes. A view's outlines are kept in the process (``outlines``): the same view is drawn
again and again, and nothing here depends on the record.

Reading and thinning the package's polygons takes seconds (its JSON alone 2.8 s at 1M-scale
load), which each web process paid on its first map; the thinned rings (about 250,000 points,
5 MB pickled) are kept in the shared cache too, under the package's version, so only the first
process after the cache is emptied reads them from the package.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.metadata import version
from itertools import pairwise

from django.core.cache import cache as shared_cache
from geo_intel_offline.data_loader import DataLoader

WIDTH = 1000  # the map's width in its own units (the SVG's viewBox): it scales to the page
# Points closer than this (degrees) to the one before them are dropped on reading (~2 km), and
# again for the coarser copies kept for wider views: each view draws from the coarsest copy
# whose step is under a map unit.
LEVELS = (0.02, 0.08, 0.25)
# On drawing, points closer than this (map units) to the one before are dropped, and a ring
# smaller than twice it in both directions is not drawn at all (an islet at world scale).
DRAW_THIN = 1.5
Ring = tuple[tuple[float, float], ...]  # (longitude, latitude) pairs


@dataclass(frozen=True)
class View:
    """What a map shows: the middle, the half-width in scaled degrees of longitude (``k`` times
    degrees) and the half-height in degrees of latitude."""

    lon: float
    lat: float
    half_x: float
    half_y: float

    @property
    def k(self) -> float:
        """The longitude scale: the cosine of the middle latitude (1 for a world view)."""
        return max(math.cos(math.radians(self.lat)), 0.2)

    @property
    def scale(self) -> float:
        """Map units per degree of latitude."""
        return WIDTH / (2 * self.half_x)

    @property
    def height(self) -> int:
        return round(2 * self.half_y * self.scale)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees."""
        half_lon = self.half_x / self.k
        return (
            self.lon - half_lon,
            self.lat - self.half_y,
            self.lon + half_lon,
            self.lat + self.half_y,
        )

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        """Map units from the top left corner."""
        x = ((lon - self.lon) * self.k + self.half_x) * self.scale
        y = (self.half_y - (lat - self.lat)) * self.scale
        return x, y

    def contains(self, lon: float, lat: float) -> bool:
        west, south, east, north = self.bounds
        return west <= lon <= east and south <= lat <= north


Bounds = tuple[float, float, float, float]  # west, south, east, north


def _thinned(points: Ring, step: float) -> Ring:
    """The ring without the points within ``step`` degrees of the one kept before them."""
    kept: list[tuple[float, float]] = []
    for lon, lat in points:
        if kept and abs(lon - kept[-1][0]) < step and abs(lat - kept[-1][1]) < step:
            continue
        kept.append((lon, lat))
    return tuple(kept)


@cache
def _rings(level: int) -> tuple[tuple[Bounds, Ring], ...]:
    """Every country's outer rings with their bounds, thinned to ``LEVELS[level]``, read once
    (the package stores latitude first)."""
    if level:
        finer = _rings(level - 1)
        thinned = ((bounds, _thinned(ring, LEVELS[level])) for bounds, ring in finer)
        return tuple((bounds, ring) for bounds, ring in thinned if len(ring) >= 3)
    key = f"map-outlines|{version('geo-intel-offline')}|{LEVELS[0]}"
    rings = shared_cache.get(key)
    if rings is None:
        rings = _read_package()
        shared_cache.set(key, rings, timeout=None)
    return rings


def _read_package() -> tuple[tuple[Bounds, Ring], ...]:
    """The package's polygons as outer rings thinned to ``LEVELS[0]``, with their bounds."""
    found = []
    for polygon in DataLoader().polygons.values():
        parts = polygon["exteriors"] if polygon.get("multi") else [polygon["exterior"]]
        for part in parts:
            ring = _thinned(tuple((lon, lat) for lat, lon in part), LEVELS[0])
            if len(ring) < 3:
                continue
            lons, lats = [p[0] for p in ring], [p[1] for p in ring]
            found.append(((min(lons), min(lats), max(lons), max(lats)), ring))
    return tuple(found)


def _level(view: View) -> int:
    """The coarsest copy of the outlines whose step is under a map unit of ``view``."""
    unit = 1 / view.scale  # degrees of latitude per map unit
    return max((n for n, step in enumerate(LEVELS) if step <= unit), default=0)


def _clip(points: list[tuple[float, float]], width: float, height: float) -> list:
    """The polygon cut to the rectangle [-pad, width + pad] x [-pad, height + pad]
    (Sutherland–Hodgman: one pass per edge of the rectangle)."""
    pad = 4.0
    edges = [
        (lambda p: p[0] >= -pad, lambda a, b: _at_x(a, b, -pad)),
        (lambda p: p[0] <= width + pad, lambda a, b: _at_x(a, b, width + pad)),
        (lambda p: p[1] >= -pad, lambda a, b: _at_y(a, b, -pad)),
        (lambda p: p[1] <= height + pad, lambda a, b: _at_y(a, b, height + pad)),
    ]
    for inside, crossing in edges:
        if not points:
            break
        cut, previous = [], points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    cut.append(crossing(previous, point))
                cut.append(point)
            elif inside(previous):
                cut.append(crossing(previous, point))
            previous = point
        points = cut
    return points


def _at_x(a: tuple[float, float], b: tuple[float, float], x: float) -> tuple[float, float]:
    return x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0])


def _at_y(a: tuple[float, float], b: tuple[float, float], y: float) -> tuple[float, float]:
    return a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y


def _simplified(points: list[tuple[float, float]], tolerance: float) -> list:
    """The ring without the points that lie within ``tolerance`` of the line through their
    neighbours kept (Douglas–Peucker, with a stack rather than recursion)."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        farthest, distance = 0, tolerance
        for i in range(first + 1, last):
            px, py = points[i]
            if length:
                d = abs(dy * (px - ax) - dx * (py - ay)) / length
            else:  # a closed ring's ends meet: the distance from that point
                d = math.hypot(px - ax, py - ay)
            if d > distance:
                farthest, distance = i, d
        if farthest:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _path(points: list[tuple[float, float]]) -> str:
    """One closed ring as SVG path data in whole map units, relative moves after the first."""
    steps: list[tuple[int, int]] = []
    for x, y in _simplified(points, DRAW_THIN / 2):
        here = (round(x), round(y))
        if steps and abs(here[0] - steps[-1][0]) + abs(here[1] - steps[-1][1]) < DRAW_THIN:
            continue
        steps.append(here)
    if len(steps) < 3:
        return ""
    # Relative moves are short; a minus sign needs no space before it.
    moves = "".join(
        f"{_signed(x1 - x0)}{_signed(y1 - y0)}" for (x0, y0), (x1, y1) in pairwise(steps)
    )
    return f"M{steps[0][0]} {steps[0][1]}l{moves.lstrip()}z"


def _signed(n: int) -> str:
    return str(n) if n < 0 else f" {n}"


def _reaches(bounds: Bounds, view: View) -> bool:
    west, south, east, north = view.bounds
    return bounds[0] <= east and bounds[2] >= west and bounds[1] <= north and bounds[3] >= south


@lru_cache(maxsize=256)
def outlines(view: View) -> str:
    """The country outlines that reach ``view`` as the data of one SVG path."""
    width, height = WIDTH, view.height
    drawn = []
    for bounds, ring in _rings(_level(view)):
        if not _reaches(bounds, view):
            continue
        span = (bounds[2] - bounds[0]) * view.k * view.scale, (bounds[3] - bounds[1]) * view.scale
        if max(span) < DRAW_THIN * 2:
            continue
        projected = _clip([view.project(lon, lat) for lon, lat in ring], width, height)
        if path := _path(projected):
            drawn.append(path)
    return "".join(drawn)
