from __future__ import annotations

import math
from collections.abc import Sequence

import h3
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperlocal.geo import (
    CircuityModel,
    Mode,
    OsrmTableModel,
    Point,
    cell_centre,
    cell_of,
    haversine_m,
    neighbourhood,
    reachable_cells,
)

from .conftest import FAKE_SPEED_M_PER_S, FakeOsrm

CITY_HALL = Point(37.5663, 126.9779)
HONGIK = Point(37.5572, 126.9245)


def brute_force(
    origin: Point, minutes: float, mode: Mode, model: CircuityModel, resolution: int, k: int
) -> set[str]:
    """Oracle: scan a disk far larger than needed, timing each centre directly."""
    home = cell_of(origin, resolution)
    cells = sorted(neighbourhood(home, k))
    times = model.minutes([origin], [cell_centre(c) for c in cells], mode)[0]
    return {c for c, t in zip(cells, times, strict=True) if t <= minutes} | {home}


class CountingModel:
    """Wraps a model to record how it is called."""

    def __init__(self, inner: CircuityModel) -> None:
        self.inner = inner
        self.calls: list[tuple[int, int]] = []
        self.destinations: list[Point] = []

    def minutes(self, origins: Sequence[Point], destinations: Sequence[Point], mode: Mode) -> np.ndarray:
        self.calls.append((len(origins), len(destinations)))
        self.destinations.extend(destinations)
        return self.inner.minutes(origins, destinations, mode)

    def max_reach_m(self, minutes: float, mode: Mode) -> float:
        return self.inner.max_reach_m(minutes, mode)


class NothingReachable:
    def minutes(self, origins: Sequence[Point], destinations: Sequence[Point], mode: Mode) -> np.ndarray:
        return np.full((len(origins), len(destinations)), np.inf)

    def max_reach_m(self, minutes: float, mode: Mode) -> float:
        return 500.0


def test_ten_minutes_by_bike_from_city_hall() -> None:
    model = CircuityModel()
    result = reachable_cells(CITY_HALL, 10, Mode.BIKE, model, 9)
    assert set(result) == brute_force(CITY_HALL, 10, Mode.BIKE, model, 9, 40)
    assert cell_of(CITY_HALL, 9) in result
    assert all(0 <= t <= 10 for t in result.values())
    assert all(t == round(t, 1) for t in result.values())
    # Reachable area is a disk of radius 10 min * 250 m/min / 1.3; count cells by local cell area.
    radius = 10 * 250 / 1.3
    local_area = h3.cell_area(cell_of(CITY_HALL, 9), unit="m^2")
    assert len(result) == pytest.approx(math.pi * radius**2 / local_area, rel=0.1)
    # Each value is the time to that cell's centre.
    some_cell = max(result, key=result.__getitem__)
    expected = haversine_m(CITY_HALL, cell_centre(some_cell)) * 1.3 / 250
    assert result[some_cell] == pytest.approx(expected, abs=0.05)


def test_model_called_once_with_pruned_candidates() -> None:
    model = CountingModel(CircuityModel())
    reachable_cells(HONGIK, 8, Mode.WALK, model, 10)
    assert len(model.calls) == 1
    assert model.calls[0][0] == 1
    reach = model.max_reach_m(8, Mode.WALK)
    home_centre = cell_centre(cell_of(HONGIK, 10))
    assert all(haversine_m(HONGIK, d) <= reach or d == home_centre for d in model.destinations)


def test_more_time_reaches_a_superset() -> None:
    model = CircuityModel()
    short = reachable_cells(HONGIK, 5, Mode.SCOOTER, model, 9)
    long = reachable_cells(HONGIK, 12, Mode.SCOOTER, model, 9)
    assert set(short) < set(long)
    assert all(long[c] == short[c] for c in short)


def test_origin_cell_always_included() -> None:
    # Res 5 cells are ~8 km across: no centre is within 1 minute on foot, not even the origin's.
    coarse = reachable_cells(CITY_HALL, 1, Mode.WALK, CircuityModel(), 5)
    home = cell_of(CITY_HALL, 5)
    assert list(coarse) == [home]
    assert coarse[home] == round(haversine_m(CITY_HALL, cell_centre(home)) * 1.3 / 75, 1)
    # A model that cannot route anywhere still yields the origin cell, at 0.
    assert reachable_cells(CITY_HALL, 10, Mode.WALK, NothingReachable(), 9) == {cell_of(CITY_HALL, 9): 0.0}


def test_with_fake_osrm_server(fake_osrm: FakeOsrm) -> None:
    # The fake routes in straight lines at 5 m/s = 300 m/min, within the 1.5x car bound.
    model = OsrmTableModel({Mode.CAR: fake_osrm.url}, max_locations=100)
    result = reachable_cells(CITY_HALL, 3, Mode.CAR, model, 9)
    oracle = CircuityModel(circuity=1.0, speeds_m_per_min={Mode.CAR: FAKE_SPEED_M_PER_S * 60})
    assert set(result) == brute_force(CITY_HALL, 3, Mode.CAR, oracle, 9, 20)
    assert max(fake_osrm.coords_per_request()) <= 100


@pytest.mark.parametrize("minutes", [0, -5, math.nan, math.inf])
def test_bad_minutes(minutes: float) -> None:
    with pytest.raises(ValueError, match="minutes must be a positive"):
        reachable_cells(CITY_HALL, minutes, Mode.WALK, CircuityModel(), 9)


def test_huge_disk_is_refused() -> None:
    with pytest.raises(ValueError, match="coarser resolution"):
        reachable_cells(CITY_HALL, 60, Mode.SCOOTER, CircuityModel(), 13)


@settings(max_examples=15, deadline=None)
@given(
    st.floats(-70, 70),
    st.floats(-179, 179),
    st.sampled_from([(7, 20.0, Mode.SCOOTER), (8, 12.0, Mode.BIKE), (9, 6.0, Mode.WALK)]),
)
def test_matches_brute_force_anywhere(lat: float, lng: float, case: tuple[int, float, Mode]) -> None:
    resolution, minutes, mode = case
    origin, model = Point(lat, lng), CircuityModel()
    result = reachable_cells(origin, minutes, mode, model, resolution)
    assert set(result) == brute_force(origin, minutes, mode, model, resolution, 30)
