"""H3 cells (v4 string form) as the platform's unit of "neighbourhood".

h3 ships without type stubs, so every call goes through a small typed wrapper
here; nothing else in ``geo`` talks to h3 directly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

import h3

from ._geojson import parse_polygons
from .points import Point

__all__ = [
    "cell_boundary",
    "cell_centre",
    "cell_edge_m",
    "cell_of",
    "cells_to_feature_collection",
    "geometry_cells",
    "grid_steps",
    "is_cell",
    "neighbourhood",
]

# h3 itself accepts upper case and leading spaces; we only accept the canonical
# lower-case 15-digit form so cells compare equal as dict keys and DB values.
_CANONICAL = re.compile(r"[0-9a-f]{15}")


def _check_resolution(resolution: int) -> None:
    if isinstance(resolution, bool) or not isinstance(resolution, int):
        raise TypeError(f"resolution must be an int, got {resolution!r}")
    if not 0 <= resolution <= 15:
        raise ValueError(f"resolution must be between 0 and 15, got {resolution}")


def is_cell(value: str) -> bool:
    """True for a valid H3 cell in canonical (lower-case hex) string form."""
    return (
        isinstance(value, str) and _CANONICAL.fullmatch(value) is not None and bool(h3.is_valid_cell(value))
    )


def _check_cell(cell: str) -> None:
    if not is_cell(cell):
        raise ValueError(f"not a valid H3 cell: {cell!r}")


def cell_of(point: Point, resolution: int) -> str:
    """The cell containing the point at the given resolution."""
    _check_resolution(resolution)
    return str(h3.latlng_to_cell(point.lat, point.lng, resolution))


def cell_centre(cell: str) -> Point:
    """The cell's centre point."""
    _check_cell(cell)
    lat, lng = h3.cell_to_latlng(cell)
    return Point(float(lat), float(lng))


def neighbourhood(cell: str, k: int) -> set[str]:
    """All cells within ``k`` grid steps, including the cell itself."""
    _check_cell(cell)
    if k < 0:
        raise ValueError(f"k must be non-negative, got {k}")
    return {str(c) for c in h3.grid_disk(cell, k)}


def grid_steps(a: str, b: str) -> int | None:
    """Grid distance between two cells, or None when H3 cannot compute it.

    That happens for different resolutions, cells far apart (across icosahedron
    faces) and some paths around pentagons.
    """
    _check_cell(a)
    _check_cell(b)
    if h3.get_resolution(a) != h3.get_resolution(b):
        return None
    try:
        return int(h3.grid_distance(a, b))
    except h3.H3BaseException:
        return None


def cell_edge_m(cell: str) -> float:
    """A conservative edge length for cells around ``cell``, in metres.

    H3 cell sizes vary about twofold over the globe, so the resolution average
    alone can overstate local spacing; take the smaller of it and the edge of a
    regular hexagon with this cell's actual area.
    """
    _check_cell(cell)
    average = float(h3.average_hexagon_edge_length(h3.get_resolution(cell), unit="m"))
    local = math.sqrt(2 * float(h3.cell_area(cell, unit="m^2")) / (3 * math.sqrt(3)))
    return min(average, local)


def cell_boundary(cell: str) -> list[tuple[float, float]]:
    """The cell outline as a closed ring of (lng, lat) pairs, GeoJSON order."""
    _check_cell(cell)
    ring = [(float(lng), float(lat)) for lat, lng in h3.cell_to_boundary(cell)]
    ring.append(ring[0])
    return ring


def cells_to_feature_collection(
    cells: Mapping[str, Mapping[str, object]] | Iterable[str],
) -> dict[str, object]:
    """GeoJSON FeatureCollection with one Polygon feature per cell.

    Pass a mapping ``{cell: properties}`` to attach properties; each feature's
    properties always carry ``"cell"`` (which wins over a clashing key).
    """
    if isinstance(cells, str):
        raise TypeError("pass an iterable of cells, not a single cell string")
    items: Iterable[tuple[str, Mapping[str, object]]] = (
        cells.items() if isinstance(cells, Mapping) else ((cell, {}) for cell in cells)
    )
    features: list[dict[str, object]] = []
    for cell, properties in items:
        features.append(
            {
                "type": "Feature",
                "id": cell,
                "geometry": {"type": "Polygon", "coordinates": [cell_boundary(cell)]},
                "properties": {"cell": cell, **{k: v for k, v in properties.items() if k != "cell"}},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def geometry_cells(geometry: Mapping[str, object], resolution: int) -> set[str]:
    """Cells whose centre lies inside a GeoJSON Polygon/MultiPolygon (holes respected).

    Each polygon is filled separately and the results are unioned, so overlapping
    parts of a MultiPolygon count once (h3's own MultiPolygon fill returns
    duplicates). Shapes smaller than a cell may yield an empty set.
    """
    _check_resolution(resolution)
    cells: set[str] = set()
    for outer, *holes in parse_polygons(geometry):
        # h3 wants (lat, lng) tuples; our rings are (lng, lat).
        shape = h3.LatLngPoly(
            [(lat, lng) for lng, lat in outer],
            *[[(lat, lng) for lng, lat in hole] for hole in holes],
        )
        cells.update(str(c) for c in h3.h3shape_to_cells(shape, resolution))
    return cells
