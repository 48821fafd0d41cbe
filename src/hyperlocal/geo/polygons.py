"""Planar geometry on GeoJSON-like Polygon/MultiPolygon dicts (WGS84 lng/lat).

Everything here targets neighbourhood/city-scale shapes, where local planar
projections are accurate to well under a percent. Shapes crossing the
antimeridian or containing a pole are not supported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise

import numpy as np

from ._geojson import Polygon, Ring, Vertex, parse_polygons
from .distance import EARTH_RADIUS_M
from .points import Point

__all__ = [
    "distance_to_polyline_m",
    "geometry_area_m2",
    "geometry_bbox",
    "geometry_centroid",
    "point_in_geometry",
    "sample_points_in_geometry",
]

_M_PER_DEG = EARTH_RADIUS_M * math.pi / 180.0

BBox = tuple[float, float, float, float]


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    # Even-odd ray casting towards +x; each edge counts once thanks to the
    # half-open comparison on y, so vertices on the ray are not double counted.
    inside = False
    x1, y1 = ring[-1]
    for x2, y2 in ring:
        if (y1 > y) != (y2 > y):
            x_cross = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < x_cross:
                inside = not inside
        x1, y1 = x2, y2
    return inside


def _in_polygon(x: float, y: float, polygon: Polygon) -> bool:
    outer, *holes = polygon
    return _in_ring(x, y, outer) and not any(_in_ring(x, y, h) for h in holes)


def point_in_geometry(point: Point, geometry: Mapping[str, object]) -> bool:
    """True if the point lies inside the Polygon/MultiPolygon (holes excluded)."""
    return any(_in_polygon(point.lng, point.lat, p) for p in parse_polygons(geometry))


def _bbox(polygons: list[Polygon]) -> BBox:
    # Holes lie inside their outer ring, so outer rings bound everything.
    lngs = [v[0] for p in polygons for v in p[0]]
    lats = [v[1] for p in polygons for v in p[0]]
    return min(lngs), min(lats), max(lngs), max(lats)


def geometry_bbox(geometry: Mapping[str, object]) -> BBox:
    """``(min_lng, min_lat, max_lng, max_lat)`` of the geometry."""
    return _bbox(parse_polygons(geometry))


def _project(ring: Ring, lng0: float) -> list[tuple[float, float]]:
    # Sinusoidal projection around the shape's own meridian: equal-area, so
    # shoelace areas and area-weighted centroids come out right.
    return [((lng - lng0) * math.cos(math.radians(lat)) * _M_PER_DEG, lat * _M_PER_DEG) for lng, lat in ring]


def _signed_area_and_moment(xy: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Shoelace signed area plus first moments (sum of cx*A, cy*A)."""
    area = mx = my = 0.0
    x1, y1 = xy[-1]
    for x2, y2 in xy:
        cross = x1 * y2 - x2 * y1
        area += cross
        mx += (x1 + x2) * cross
        my += (y1 + y2) * cross
        x1, y1 = x2, y2
    return area / 2, mx / 6, my / 6


def _area_and_centroid(geometry: Mapping[str, object]) -> tuple[float, float, float, float]:
    polygons = parse_polygons(geometry)
    min_lng, _, max_lng, _ = _bbox(polygons)
    lng0 = (min_lng + max_lng) / 2
    total = mx = my = 0.0
    for polygon in polygons:
        for index, ring in enumerate(polygon):
            a, rx, ry = _signed_area_and_moment(_project(ring, lng0))
            # Orientation in the wild is unreliable: force outer +, holes -.
            sign = (1.0 if index == 0 else -1.0) * (1.0 if a >= 0 else -1.0)
            total += sign * a
            mx += sign * rx
            my += sign * ry
    return total, mx, my, lng0


def geometry_area_m2(geometry: Mapping[str, object]) -> float:
    """Approximate area in square metres, holes subtracted."""
    return _area_and_centroid(geometry)[0]


def geometry_centroid(geometry: Mapping[str, object]) -> Point:
    """Area-weighted centroid (may fall outside concave shapes)."""
    area, mx, my, lng0 = _area_and_centroid(geometry)
    if area <= 0:
        raise ValueError("geometry has no area, so it has no centroid")
    lat = my / area / _M_PER_DEG
    lng = lng0 + mx / area / (_M_PER_DEG * math.cos(math.radians(lat)))
    return Point(lat, lng)


def _segment_distance(px: float, py: float, a: Vertex, b: Vertex) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else ((px - a[0]) * dx + (py - a[1]) * dy) / length2
    t = min(1.0, max(0.0, t))
    return math.hypot(px - (a[0] + t * dx), py - (a[1] + t * dy))


def distance_to_polyline_m(point: Point, line: Sequence[tuple[float, float]]) -> float:
    """Shortest distance in metres from the point to a (lng, lat) polyline."""
    if not line:
        raise ValueError("line must have at least one vertex")
    # Equirectangular projection centred on the point: exact scale where it matters.
    x_scale = _M_PER_DEG * math.cos(math.radians(point.lat))

    def local(vertex: tuple[float, float]) -> Vertex:
        dlng = (vertex[0] - point.lng + 180.0) % 360.0 - 180.0
        return dlng * x_scale, (vertex[1] - point.lat) * _M_PER_DEG

    xy = [local(v) for v in line]
    if len(xy) == 1:
        return math.hypot(*xy[0])
    return min(_segment_distance(0.0, 0.0, a, b) for a, b in pairwise(xy))


def sample_points_in_geometry(
    geometry: Mapping[str, object],
    n: int,
    rng: np.random.Generator,
    accept: Callable[[Point], bool] | None = None,
    max_tries: int = 100_000,
) -> list[Point]:
    """Draw ``n`` points uniformly (by area) inside the geometry.

    Rejection sampling within the bounding box; ``accept`` can veto points
    (e.g. "not in the river"). Deterministic for a seeded ``rng``. Raises
    ``ValueError`` if fewer than ``n`` points are found within ``max_tries`` draws.
    """
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    if max_tries < 1:
        raise ValueError(f"max_tries must be positive, got {max_tries}")
    polygons = parse_polygons(geometry)
    min_lng, min_lat, max_lng, max_lat = _bbox(polygons)
    # Uniform in sin(lat) is uniform in area on the sphere.
    sin_lo, sin_hi = math.sin(math.radians(min_lat)), math.sin(math.radians(max_lat))
    points: list[Point] = []
    tries = 0
    while len(points) < n and tries < max_tries:
        tries += 1
        u, v = rng.random(2)
        lng = min_lng + float(u) * (max_lng - min_lng)
        lat = math.degrees(math.asin(sin_lo + float(v) * (sin_hi - sin_lo)))
        if not any(_in_polygon(lng, lat, p) for p in polygons):
            continue
        point = Point(lat, lng)
        if accept is None or accept(point):
            points.append(point)
    if len(points) < n:
        raise ValueError(f"placed only {len(points)} of {n} points in {max_tries} tries")
    return points
