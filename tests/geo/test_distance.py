from __future__ import annotations

import math

import h3
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperlocal.geo import EARTH_RADIUS_M, Point, haversine_m, haversine_matrix_m, points_to_arrays

CITY_HALL = Point(37.5663, 126.9779)
GANGNAM = Point(37.4979, 127.0276)
MAPO_OFFICE = Point(37.5663, 126.9019)
HONGIK = Point(37.5572, 126.9245)

points = st.builds(
    Point,
    st.floats(min_value=-90, max_value=90, allow_nan=False),
    st.floats(min_value=-180, max_value=180, allow_nan=False),
)


def test_city_hall_to_gangnam() -> None:
    d = haversine_m(CITY_HALL, GANGNAM)
    # h3's C great-circle routine is an independent implementation with the same radius.
    reference = h3.great_circle_distance((CITY_HALL.lat, CITY_HALL.lng), (GANGNAM.lat, GANGNAM.lng), unit="m")
    assert d == pytest.approx(reference, abs=0.1)
    # ~8.78 km; a geodesic on WGS84 differs from the sphere by well under 0.5 %.
    assert d == pytest.approx(8_778, abs=5)


def test_one_degree_of_latitude_is_r_times_pi_over_180() -> None:
    d = haversine_m(Point(37.0, 127.0), Point(38.0, 127.0))
    assert d == pytest.approx(EARTH_RADIUS_M * math.pi / 180, rel=1e-12)


def test_longitude_degree_shrinks_with_cos_latitude() -> None:
    # Along the equator one degree of longitude equals one of latitude.
    assert haversine_m(Point(0, 0), Point(0, 1)) == pytest.approx(111_195.08, abs=0.01)
    # At 60 degrees the same step is about half as long (arc across, not along the parallel).
    assert haversine_m(Point(60, 0), Point(60, 0.01)) == pytest.approx(555.98, abs=0.02)


def test_quarter_and_half_circumference() -> None:
    assert haversine_m(Point(0, 0), Point(90, 0)) == pytest.approx(math.pi / 2 * EARTH_RADIUS_M)
    # Antipodes: the sqrt argument rounds to ~1, which must not produce NaN.
    assert haversine_m(Point(0, 0), Point(0, 180)) == pytest.approx(math.pi * EARTH_RADIUS_M)
    # Across the antimeridian is the short way round, like the same gap elsewhere.
    across = haversine_m(Point(10, -170), Point(10, 170))
    assert across == pytest.approx(haversine_m(Point(10, 0), Point(10, 20)), rel=1e-12)


def test_matrix_shape_dtype_and_values() -> None:
    origins = [CITY_HALL, MAPO_OFFICE]
    dests = [GANGNAM, HONGIK, CITY_HALL]
    o_lat, o_lng = points_to_arrays(origins)
    d_lat, d_lng = points_to_arrays(dests)
    m = haversine_matrix_m(o_lat, o_lng, d_lat, d_lng)
    assert m.shape == (2, 3)
    assert m.dtype == np.float64
    for i, o in enumerate(origins):
        for j, d in enumerate(dests):
            assert m[i, j] == pytest.approx(haversine_m(o, d), rel=1e-12, abs=1e-9)
    assert m[0, 2] == 0.0


def test_matrix_accepts_plain_sequences() -> None:
    m = haversine_matrix_m([37.5663], [126.9779], (37.4979, 37.5663), (127.0276, 126.9779))
    assert m.shape == (1, 2)
    assert m[0, 0] == pytest.approx(haversine_m(CITY_HALL, GANGNAM))


def test_matrix_with_no_origins_or_destinations() -> None:
    assert haversine_matrix_m([], [], [1.0, 2.0], [3.0, 4.0]).shape == (0, 2)
    assert haversine_matrix_m([1.0], [3.0], [], []).shape == (1, 0)


def test_matrix_rejects_mismatched_or_nested_input() -> None:
    with pytest.raises(ValueError, match="origins_lat and origins_lng"):
        haversine_matrix_m([1.0, 2.0], [3.0], [1.0], [1.0])
    with pytest.raises(ValueError, match="dests_lat and dests_lng"):
        haversine_matrix_m([1.0], [3.0], [1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="one-dimensional"):
        haversine_matrix_m([[1.0]], [[3.0]], [1.0], [1.0])  # type: ignore[list-item]


def test_points_to_arrays() -> None:
    lats, lngs = points_to_arrays(p for p in [CITY_HALL, GANGNAM])  # any iterable
    assert lats.dtype == np.float64
    assert lats.tolist() == [37.5663, 37.4979]
    assert lngs.tolist() == [126.9779, 127.0276]
    empty_lats, empty_lngs = points_to_arrays([])
    assert empty_lats.shape == empty_lngs.shape == (0,)


@given(points, points)
def test_symmetric_non_negative_and_bounded(a: Point, b: Point) -> None:
    d = haversine_m(a, b)
    assert 0 <= d <= math.pi * EARTH_RADIUS_M + 1e-6
    assert d == pytest.approx(haversine_m(b, a), abs=1e-6)
    assert haversine_m(a, a) == 0.0


@given(points, points, points)
def test_triangle_inequality(a: Point, b: Point, c: Point) -> None:
    assert haversine_m(a, c) <= haversine_m(a, b) + haversine_m(b, c) + 1e-6


@settings(max_examples=50)
@given(st.lists(points, max_size=6), st.lists(points, max_size=6))
def test_matrix_matches_scalar_function(origins: list[Point], dests: list[Point]) -> None:
    m = haversine_matrix_m(*points_to_arrays(origins), *points_to_arrays(dests))
    assert m.shape == (len(origins), len(dests))
    expected = [[haversine_m(o, d) for d in dests] for o in origins]
    np.testing.assert_allclose(m, np.array(expected, dtype=np.float64).reshape(m.shape), atol=1e-6)
