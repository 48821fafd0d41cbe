"""Parsing of GeoJSON Polygon/MultiPolygon geometries into plain rings.

Kept separate so ``polygons`` and ``cells`` agree on exactly what they accept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# (lng, lat) in GeoJSON order; rings are stored open (no repeated first vertex).
Vertex = tuple[float, float]
Ring = list[Vertex]
Polygon = list[Ring]  # outer ring first, then holes


def _vertex(raw: object) -> Vertex:
    # Extra members (altitude) are allowed by GeoJSON and ignored here.
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence) or len(raw) < 2:
        raise ValueError(f"a position must be [lng, lat], got {raw!r}")
    lng, lat = raw[0], raw[1]
    if isinstance(lng, bool) or isinstance(lat, bool):
        raise ValueError(f"a position must be [lng, lat], got {raw!r}")
    try:
        vertex = (float(lng), float(lat))
    except (TypeError, ValueError):
        raise ValueError(f"a position must be [lng, lat], got {raw!r}") from None
    # Also catches swapped [lat, lng] input for most of the world.
    if not (-180.0 <= vertex[0] <= 180.0 and -90.0 <= vertex[1] <= 90.0):
        raise ValueError(f"a position must be [lng, lat] in degrees, got {raw!r}")
    return vertex


def _ring(raw: object) -> Ring:
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
        raise ValueError("a linear ring must be a list of positions")
    ring = [_vertex(v) for v in raw]
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    if len(set(ring)) < 3:
        raise ValueError("a linear ring needs at least three distinct positions")
    return ring


def _polygon(raw: object) -> Polygon:
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence) or not raw:
        raise ValueError("a polygon must be a non-empty list of linear rings")
    return [_ring(r) for r in raw]


def parse_polygons(geometry: Mapping[str, object]) -> list[Polygon]:
    """Return the polygons of a GeoJSON ``Polygon`` or ``MultiPolygon`` geometry."""
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        return [_polygon(coordinates)]
    if kind == "MultiPolygon":
        if isinstance(coordinates, str | bytes) or not isinstance(coordinates, Sequence):
            raise ValueError("MultiPolygon coordinates must be a list of polygons")
        polygons = [_polygon(p) for p in coordinates]
        if not polygons:
            raise ValueError("MultiPolygon has no polygons")
        return polygons
    raise ValueError(f"expected a Polygon or MultiPolygon geometry, got type {kind!r}")
