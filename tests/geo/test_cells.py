from __future__ import annotations

import json
from collections.abc import Mapping
from itertools import pairwise

import h3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperlocal.geo import (
    Point,
    cell_boundary,
    cell_centre,
    cell_of,
    cells_to_feature_collection,
    geometry_area_m2,
    geometry_cells,
    grid_steps,
    haversine_m,
    is_cell,
    neighbourhood,
    point_in_geometry,
)

CITY_HALL = Point(37.5663, 126.9779)
MAPO_OFFICE = Point(37.5663, 126.9019)
HONGIK = Point(37.5572, 126.9245)
GANGNAM = Point(37.4979, 127.0276)
SYDNEY = Point(-33.8688, 151.2093)

points = st.builds(
    Point,
    st.floats(min_value=-85, max_value=85, allow_nan=False),
    st.floats(min_value=-179.9, max_value=179.9, allow_nan=False),
)
resolutions = st.integers(min_value=0, max_value=15)


def square(west: float, south: float, size: float) -> list[list[float]]:
    return [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]


def brute_force_cells(geometry: Mapping[str, object], around: Point, resolution: int, k: int) -> set[str]:
    """Independent oracle: every cell near the shape whose centre our ray casting puts inside."""
    return {
        c
        for c in neighbourhood(cell_of(around, resolution), k)
        if point_in_geometry(cell_centre(c), geometry)
    }


def test_cell_of_city_hall() -> None:
    cell = cell_of(CITY_HALL, 9)
    assert is_cell(cell)
    assert h3.get_resolution(cell) == 9
    assert point_in_geometry(CITY_HALL, {"type": "Polygon", "coordinates": [cell_boundary(cell)]})
    # A res-9 cell is ~0.1 km^2: its centre is within ~200 m (one edge) of any point in it.
    assert haversine_m(cell_centre(cell), CITY_HALL) < 200


@given(points, resolutions)
def test_centre_round_trips_to_its_cell(p: Point, resolution: int) -> None:
    cell = cell_of(p, resolution)
    assert cell_of(cell_centre(cell), resolution) == cell


@settings(max_examples=50)
@given(points, st.integers(min_value=5, max_value=12), st.integers(min_value=0, max_value=6))
def test_disk_size_is_centred_hexagonal_number(p: Point, resolution: int, k: int) -> None:
    cell = cell_of(p, resolution)
    disk = neighbourhood(cell, k)
    assert cell in disk
    if not any(h3.is_pentagon(c) for c in disk):
        assert len(disk) == 3 * k * (k + 1) + 1
    assert all((grid_steps(cell, c) or 0) <= k for c in disk)


def test_pentagon_has_five_neighbours() -> None:
    pentagon = sorted(h3.get_pentagons(8))[0]
    assert len(neighbourhood(pentagon, 1)) == 6
    # 5 vertices + the closing one (even resolution: no face-crossing extra vertices).
    assert len(cell_boundary(pentagon)) == 6


def test_neighbourhood_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        neighbourhood(cell_of(CITY_HALL, 9), -1)
    with pytest.raises(ValueError, match="not a valid H3 cell"):
        neighbourhood("not-a-cell", 1)


def test_grid_steps() -> None:
    cell = cell_of(CITY_HALL, 9)
    assert grid_steps(cell, cell) == 0
    for k in (1, 2, 5):
        ring = {str(c) for c in h3.grid_ring(cell, k)}
        assert {grid_steps(cell, c) for c in ring} == {k}
    a, b = cell_of(MAPO_OFFICE, 9), cell_of(HONGIK, 9)
    steps = grid_steps(a, b)
    assert steps == grid_steps(b, a)
    # Neighbouring centres are sqrt(3) edges (~348 m at res 9) apart, so a straight
    # ~2.3 km walk needs between 2300/348 and 2300/(1.5*200) steps.
    d = haversine_m(MAPO_OFFICE, HONGIK)
    assert steps is not None
    assert d / 400 <= steps <= d / 250


def test_grid_steps_none_when_h3_cannot() -> None:
    assert grid_steps(cell_of(CITY_HALL, 9), cell_of(CITY_HALL, 8)) is None  # resolutions differ
    assert grid_steps(cell_of(CITY_HALL, 9), cell_of(SYDNEY, 9)) is None  # different faces
    with pytest.raises(ValueError, match="not a valid H3 cell"):
        grid_steps("xyz", cell_of(CITY_HALL, 9))


def test_is_cell_only_accepts_canonical_cells() -> None:
    cell = cell_of(CITY_HALL, 9)
    assert is_cell(cell)
    assert not is_cell(cell.upper())  # h3 would accept these, we do not
    assert not is_cell(" " + cell)
    assert not is_cell("")
    assert not is_cell("8a30e1d8b")
    assert not is_cell(int(cell, 16))  # type: ignore[arg-type]
    edge = str(h3.origin_to_directed_edges(cell)[0])
    assert h3.is_valid_directed_edge(edge)
    assert not is_cell(edge)  # a valid H3 index, but not a cell


def test_cell_boundary_is_closed_geojson_ring() -> None:
    cell = cell_of(CITY_HALL, 9)
    ring = cell_boundary(cell)
    assert len(ring) == 7
    assert ring[0] == ring[-1]
    centre = cell_centre(cell)
    for lng, lat in ring:
        assert 126.9 < lng < 127.1  # (lng, lat) order for GeoJSON
        assert 37.5 < lat < 37.6
        assert 100 < haversine_m(centre, Point(lat, lng)) < 300
    # Counter-clockwise exterior (GeoJSON right-hand rule): positive shoelace area.
    shoelace = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(ring))
    assert shoelace > 0


def test_feature_collection_from_iterable_and_mapping() -> None:
    a, b = cell_of(CITY_HALL, 8), cell_of(GANGNAM, 8)
    fc = cells_to_feature_collection([a, b])
    assert fc["type"] == "FeatureCollection"
    features = fc["features"]
    assert isinstance(features, list)
    assert [f["properties"] for f in features] == [{"cell": a}, {"cell": b}]
    assert features[0]["geometry"] == {"type": "Polygon", "coordinates": [cell_boundary(a)]}
    assert features[0]["id"] == a

    fc = cells_to_feature_collection({a: {"minutes": 3.5, "cell": "spoofed"}, b: {}})
    features = fc["features"]
    assert isinstance(features, list)
    assert features[0]["properties"] == {"cell": a, "minutes": 3.5}
    json.dumps(fc)  # must be serialisable as-is
    assert cells_to_feature_collection([]) == {"type": "FeatureCollection", "features": []}


def test_feature_collection_rejects_bad_input() -> None:
    with pytest.raises(TypeError):
        cells_to_feature_collection(cell_of(CITY_HALL, 8))
    with pytest.raises(ValueError, match="not a valid H3 cell"):
        cells_to_feature_collection(["nope"])


SQUARE_WITH_HOLE = {
    "type": "Polygon",
    "coordinates": [square(126.90, 37.55, 0.02), square(126.905, 37.555, 0.01)[::-1]],
}


def test_geometry_cells_match_centre_in_polygon_oracle() -> None:
    cells = geometry_cells(SQUARE_WITH_HOLE, 9)
    assert cells == brute_force_cells(SQUARE_WITH_HOLE, Point(37.56, 126.91), 9, 15)
    assert not any(
        point_in_geometry(cell_centre(c), {"type": "Polygon", "coordinates": [square(126.905, 37.555, 0.01)]})
        for c in cells
    )
    # Count ~ area / local cell area (Seoul cells are ~30 % smaller than H3's global
    # average); at res 10 (~280 cells) edge effects stay within a few percent.
    fine = geometry_cells(SQUARE_WITH_HOLE, 10)
    local_area = h3.cell_area(cell_of(Point(37.56, 126.91), 10), unit="m^2")
    assert len(fine) == pytest.approx(geometry_area_m2(SQUARE_WITH_HOLE) / local_area, rel=0.08)


def test_geometry_cells_multipolygon_is_union_of_parts() -> None:
    a = [square(126.90, 37.55, 0.02)]
    overlapping = [square(126.91, 37.56, 0.02)]
    far = [square(126.97, 37.56, 0.01)]
    multi = {"type": "MultiPolygon", "coordinates": [a, overlapping, far]}
    parts = [geometry_cells({"type": "Polygon", "coordinates": p}, 9) for p in (a, overlapping, far)]
    cells = geometry_cells(multi, 9)
    assert cells == parts[0] | parts[1] | parts[2]
    assert parts[0] & parts[1]  # the overlap really exists and is counted once
    assert cells == brute_force_cells(multi, Point(37.565, 126.94), 9, 30)


def test_geometry_cells_ignores_altitude_and_handles_tiny_shapes() -> None:
    with_altitude = {"type": "Polygon", "coordinates": [[[*v, 12.0] for v in square(126.90, 37.55, 0.02)]]}
    plain = {"type": "Polygon", "coordinates": [square(126.90, 37.55, 0.02)]}
    assert geometry_cells(with_altitude, 9) == geometry_cells(plain, 9)
    # Smaller than a cell and not covering any centre: empty, not an error.
    tiny = {"type": "Polygon", "coordinates": [square(126.90001, 37.55001, 0.00001)]}
    assert geometry_cells(tiny, 7) == set()


def test_resolution_is_validated() -> None:
    with pytest.raises(ValueError, match="between 0 and 15"):
        cell_of(CITY_HALL, 16)
    with pytest.raises(ValueError, match="between 0 and 15"):
        geometry_cells(SQUARE_WITH_HOLE, -1)
    with pytest.raises(TypeError):
        cell_of(CITY_HALL, 9.0)  # type: ignore[arg-type]
