from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperlocal.geo import (
    EARTH_RADIUS_M,
    Point,
    distance_to_polyline_m,
    geometry_area_m2,
    geometry_bbox,
    geometry_centroid,
    haversine_m,
    point_in_geometry,
    sample_points_in_geometry,
)

# A 0.02-degree square in Mapo-gu with a 0.01-degree square hole in its middle.
W, S, SIZE = 126.90, 37.55, 0.02
HW, HS, HSIZE = 126.905, 37.555, 0.01


def square(west: float, south: float, size: float) -> list[list[float]]:
    return [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]


SQUARE = {"type": "Polygon", "coordinates": [square(W, S, SIZE)]}
WITH_HOLE = {"type": "Polygon", "coordinates": [square(W, S, SIZE), square(HW, HS, HSIZE)[::-1]]}
# A second square well to the east (towards City Hall).
MULTI = {
    "type": "MultiPolygon",
    "coordinates": [WITH_HOLE["coordinates"], [square(126.97, 37.56, 0.01)]],
}
# An "L": the square minus its north-east quarter.
L_SHAPE = {
    "type": "Polygon",
    "coordinates": [
        [
            [W, S],
            [W + SIZE, S],
            [W + SIZE, S + SIZE / 2],
            [W + SIZE / 2, S + SIZE / 2],
            [W + SIZE / 2, S + SIZE],
            [W, S + SIZE],
        ]
    ],
}


def exact_box_area(west: float, south: float, width: float, height: float) -> float:
    # Area of a lat/lng rectangle on the sphere: R^2 * dlambda * (sin phi2 - sin phi1).
    return (
        EARTH_RADIUS_M**2
        * math.radians(width)
        * (math.sin(math.radians(south + height)) - math.sin(math.radians(south)))
    )


def in_box(lng: float, lat: float, west: float, south: float, size: float) -> bool:
    return west < lng < west + size and south < lat < south + size


offsets = st.floats(min_value=-0.005, max_value=0.025, allow_nan=False)


@given(offsets, offsets)
def test_point_in_square_with_hole_matches_box_oracle(dx: float, dy: float) -> None:
    lng, lat = W + dx, S + dy
    # Stay clear of edges, where "inside" is a matter of floating point.
    edges = [W, W + SIZE, HW, HW + HSIZE, S, S + SIZE, HS, HS + HSIZE]
    if min(abs(lng - e) for e in edges[:4]) < 1e-9 or min(abs(lat - e) for e in edges[4:]) < 1e-9:
        return
    expected = in_box(lng, lat, W, S, SIZE) and not in_box(lng, lat, HW, HS, HSIZE)
    assert point_in_geometry(Point(lat, lng), WITH_HOLE) is expected


@given(offsets, offsets)
def test_l_shape_matches_oracle(dx: float, dy: float) -> None:
    lng, lat = W + dx, S + dy
    if (
        min(abs(dx - v) for v in (0, SIZE / 2, SIZE)) < 1e-9
        or min(abs(dy - v) for v in (0, SIZE / 2, SIZE)) < 1e-9
    ):
        return
    expected = in_box(lng, lat, W, S, SIZE) and not in_box(lng, lat, W + SIZE / 2, S + SIZE / 2, SIZE / 2)
    assert point_in_geometry(Point(lat, lng), L_SHAPE) is expected


def test_point_in_geometry_cases() -> None:
    assert point_in_geometry(Point(37.552, 126.902), WITH_HOLE)
    assert not point_in_geometry(Point(37.56, 126.91), WITH_HOLE)  # centre of the hole
    assert point_in_geometry(Point(37.56, 126.91), SQUARE)
    assert not point_in_geometry(Point(37.60, 126.91), SQUARE)
    assert point_in_geometry(Point(37.565, 126.975), MULTI)  # second polygon
    assert not point_in_geometry(Point(37.56, 126.91), MULTI)  # still the hole


def test_ring_orientation_and_closure_do_not_matter() -> None:
    ring = square(W, S, SIZE)
    open_reversed = {"type": "Polygon", "coordinates": [ring[:-1][::-1]]}
    for p in (Point(37.56, 126.91), Point(37.54, 126.91), Point(37.56, 126.93)):
        assert point_in_geometry(p, open_reversed) is point_in_geometry(p, SQUARE)
    assert geometry_area_m2(open_reversed) == pytest.approx(geometry_area_m2(SQUARE))


def test_ray_through_a_vertex_is_not_double_counted() -> None:
    diamond = {"type": "Polygon", "coordinates": [[[0, -1], [1, 0], [0, 1], [-1, 0]]]}
    # The +x ray from here passes exactly through the vertex (1, 0).
    assert point_in_geometry(Point(0.0, 0.0), diamond)
    assert not point_in_geometry(Point(0.0, -2.0), diamond)


def test_bbox() -> None:
    assert geometry_bbox(WITH_HOLE) == pytest.approx((W, S, W + SIZE, S + SIZE))
    assert geometry_bbox(MULTI) == pytest.approx((W, S, 126.98, 37.57))


def test_area_matches_spherical_rectangle_formula() -> None:
    assert geometry_area_m2(SQUARE) == pytest.approx(exact_box_area(W, S, SIZE, SIZE), rel=1e-6)
    # Holes are subtracted and MultiPolygon parts added.
    hole = exact_box_area(HW, HS, HSIZE, HSIZE)
    assert geometry_area_m2(WITH_HOLE) == pytest.approx(exact_box_area(W, S, SIZE, SIZE) - hole, rel=1e-6)
    east = exact_box_area(126.97, 37.56, 0.01, 0.01)
    assert geometry_area_m2(MULTI) == pytest.approx(geometry_area_m2(WITH_HOLE) + east, rel=1e-9)
    # A ~26 x 33 km city-sized box stays within 1e-5 of the exact value.
    assert geometry_area_m2({"type": "Polygon", "coordinates": [square(126.9, 37.4, 0.3)]}) == pytest.approx(
        exact_box_area(126.9, 37.4, 0.3, 0.3), rel=1e-5
    )


def test_centroids() -> None:
    c = geometry_centroid(SQUARE)
    assert haversine_m(c, Point(S + SIZE / 2, W + SIZE / 2)) < 2  # symmetric, up to sphere effects
    # The symmetric hole does not move it.
    assert haversine_m(geometry_centroid(WITH_HOLE), c) < 0.5
    # L-shape: three quarter-squares at (1/4,1/4), (3/4,1/4), (1/4,3/4) of the side.
    l_centroid = geometry_centroid(L_SHAPE)
    expected = Point(S + SIZE * 5 / 12, W + SIZE * 5 / 12)
    assert haversine_m(l_centroid, expected) < 2
    # An off-centre hole pushes the centroid away from it (south-west hole -> moves north-east).
    sw_hole = {"type": "Polygon", "coordinates": [square(W, S, SIZE), square(W + 0.001, S + 0.001, 0.005)]}
    moved = geometry_centroid(sw_hole)
    assert moved.lat > c.lat
    assert moved.lng > c.lng


def test_centroid_of_two_equal_squares_is_between_them() -> None:
    twins = {"type": "MultiPolygon", "coordinates": [[square(0.0, 0.0, 0.01)], [square(0.02, 0.0, 0.01)]]}
    c = geometry_centroid(twins)
    assert c.lng == pytest.approx(0.015, abs=1e-9)
    assert c.lat == pytest.approx(0.005, abs=1e-6)


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ({"type": "Point", "coordinates": [1, 2]}, "Polygon or MultiPolygon"),
        ({"type": "Polygon", "coordinates": []}, "non-empty"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}, "three distinct"),
        ({"type": "Polygon", "coordinates": [[[37.5, 127.0], [37.6, 127.0], [37.6, 127.1]]]}, "lng, lat"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, "x"], [1, 1]]]}, "lng, lat"),
        ({"type": "MultiPolygon", "coordinates": []}, "no polygons"),
    ],
)
def test_invalid_geometries_are_rejected(geometry: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        geometry_bbox(geometry)


def test_distance_to_polyline() -> None:
    line = [(126.90, 37.55), (126.92, 37.55)]  # east-west segment
    on_line = Point(37.55, 126.91)
    assert distance_to_polyline_m(on_line, line) == pytest.approx(0, abs=1e-6)
    # 0.001 degrees north of the middle: one thousandth of a degree of latitude.
    north = Point(37.551, 126.91)
    assert distance_to_polyline_m(north, line) == pytest.approx(
        EARTH_RADIUS_M * math.pi / 180 / 1000, rel=1e-6
    )
    # Beyond the end the nearest point is the end vertex itself.
    beyond = Point(37.551, 126.93)
    assert distance_to_polyline_m(beyond, line) == pytest.approx(
        haversine_m(beyond, Point(37.55, 126.92)), rel=1e-4
    )
    # A single vertex is a point.
    assert distance_to_polyline_m(beyond, [(126.90, 37.55)]) == pytest.approx(
        haversine_m(beyond, Point(37.55, 126.90)), rel=1e-4
    )
    with pytest.raises(ValueError, match="at least one vertex"):
        distance_to_polyline_m(beyond, [])


@given(
    st.lists(
        st.tuples(st.floats(126.85, 127.05), st.floats(37.45, 37.65)),
        min_size=1,
        max_size=6,
    ),
    st.floats(37.45, 37.65),
    st.floats(126.85, 127.05),
)
def test_polyline_distance_is_at_most_nearest_vertex(
    line: list[tuple[float, float]], lat: float, lng: float
) -> None:
    p = Point(lat, lng)
    d = distance_to_polyline_m(p, line)
    nearest_vertex = min(haversine_m(p, Point(v_lat, v_lng)) for v_lng, v_lat in line)
    assert 0 <= d <= nearest_vertex * (1 + 1e-3) + 1e-6


def test_sampling_is_deterministic_and_inside() -> None:
    a = sample_points_in_geometry(WITH_HOLE, 200, np.random.default_rng(42))
    b = sample_points_in_geometry(WITH_HOLE, 200, np.random.default_rng(42))
    c = sample_points_in_geometry(WITH_HOLE, 200, np.random.default_rng(43))
    assert a == b
    assert a != c
    assert len(a) == 200
    assert all(point_in_geometry(p, WITH_HOLE) for p in a)


def test_sampling_is_uniform_by_area() -> None:
    n = 4000
    pts = sample_points_in_geometry(WITH_HOLE, n, np.random.default_rng(7))
    # The western strip [W, HW] spans the full height: its share of the area is known.
    strip = exact_box_area(W, S, HW - W, SIZE)
    share = strip / geometry_area_m2(WITH_HOLE)
    observed = sum(p.lng < HW for p in pts) / n
    sigma = math.sqrt(share * (1 - share) / n)
    assert abs(observed - share) < 4 * sigma


def test_sampling_respects_accept_and_gives_up() -> None:
    def west_half(p: Point) -> bool:
        return p.lng < W + SIZE / 2

    pts = sample_points_in_geometry(SQUARE, 50, np.random.default_rng(1), accept=west_half)
    assert all(west_half(p) for p in pts)
    with pytest.raises(ValueError, match="placed only 0 of 3 points in 500 tries"):
        sample_points_in_geometry(SQUARE, 3, np.random.default_rng(1), accept=lambda p: False, max_tries=500)
    assert sample_points_in_geometry(SQUARE, 0, np.random.default_rng(1)) == []
    with pytest.raises(ValueError, match="non-negative"):
        sample_points_in_geometry(SQUARE, -1, np.random.default_rng(1))


@settings(max_examples=20)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_sampling_any_seed_lands_inside_the_multipolygon(seed: int) -> None:
    pts = sample_points_in_geometry(MULTI, 20, np.random.default_rng(seed))
    assert all(point_in_geometry(p, MULTI) for p in pts)
