from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hyperlocal.geo import (
    DEFAULT_SPEED_M_PER_MIN,
    CircuityModel,
    Mode,
    OsrmTableModel,
    Point,
    TravelTimeModel,
    haversine_m,
    travel_model_from_config,
)

CITY_HALL = Point(37.5663, 126.9779)
GANGNAM = Point(37.4979, 127.0276)
MAPO_OFFICE = Point(37.5663, 126.9019)
HONGIK = Point(37.5572, 126.9245)

seoul_points = st.builds(Point, st.floats(37.45, 37.68), st.floats(126.8, 127.15))


def test_modes_and_default_speeds() -> None:
    assert [m.value for m in Mode] == ["walk", "bike", "scooter", "car"]
    assert Mode("bike") is Mode.BIKE
    assert f"{Mode.CAR}" == "car"
    # km/h * 1000 / 60 = m/min
    assert DEFAULT_SPEED_M_PER_MIN[Mode.WALK] == 4.5 * 1000 / 60
    assert DEFAULT_SPEED_M_PER_MIN[Mode.BIKE] == 15 * 1000 / 60
    assert DEFAULT_SPEED_M_PER_MIN[Mode.SCOOTER] == 24 * 1000 / 60
    assert DEFAULT_SPEED_M_PER_MIN[Mode.CAR] == 18 * 1000 / 60
    with pytest.raises(TypeError):
        DEFAULT_SPEED_M_PER_MIN[Mode.CAR] = 1.0  # type: ignore[index]


def test_both_models_satisfy_the_protocol() -> None:
    assert isinstance(CircuityModel(), TravelTimeModel)
    assert isinstance(OsrmTableModel({Mode.BIKE: "http://osrm.example"}), TravelTimeModel)
    assert not isinstance(object(), TravelTimeModel)


def test_city_hall_to_gangnam_by_bike() -> None:
    m = CircuityModel().minutes([CITY_HALL], [GANGNAM, CITY_HALL], Mode.BIKE)
    assert m.shape == (1, 2)
    assert m.dtype == np.float64
    # 8,778 m x 1.3 / 250 m/min
    assert m[0, 0] == pytest.approx(8_778 * 1.3 / 250, abs=0.05)
    assert m[0, 1] == 0.0


def test_circuity_road_metres_are_the_stretched_great_circle_for_any_mode() -> None:
    model = CircuityModel(circuity=1.25, speeds_m_per_min={Mode.BIKE: 100.0})
    for mode in (Mode.BIKE, Mode.SCOOTER):
        metres = model.metres([CITY_HALL, HONGIK], [GANGNAM], mode)
        assert metres.shape == (2, 1)
        assert metres[0, 0] == pytest.approx(haversine_m(CITY_HALL, GANGNAM) * 1.25)
    # minutes x speed gives the same road distance back
    minutes = model.minutes([HONGIK], [GANGNAM], Mode.BIKE)
    assert minutes[0, 0] * 100.0 == pytest.approx(model.metres([HONGIK], [GANGNAM], Mode.BIKE)[0, 0])
    with pytest.raises(ValueError, match="boat"):
        model.metres([HONGIK], [GANGNAM], "boat")  # type: ignore[arg-type]


def test_matrix_orientation_and_custom_speeds() -> None:
    model = CircuityModel(circuity=1.0, speeds_m_per_min={Mode.WALK: 60.0})
    origins, dests = [MAPO_OFFICE, HONGIK], [CITY_HALL, GANGNAM, HONGIK]
    m = model.minutes(origins, dests, Mode.WALK)
    assert m.shape == (2, 3)
    for i, o in enumerate(origins):
        for j, d in enumerate(dests):
            assert m[i, j] == pytest.approx(haversine_m(o, d) / 60.0)
    # Other modes keep their defaults; plain strings are accepted as modes.
    assert model.speeds_m_per_min[Mode.BIKE] == 250.0
    assert model.minutes([MAPO_OFFICE], [HONGIK], "bike")[0, 0] == pytest.approx(  # type: ignore[arg-type]
        haversine_m(MAPO_OFFICE, HONGIK) / 250.0
    )
    assert model.minutes([], dests, Mode.CAR).shape == (0, 3)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"circuity": 0.9},
        {"circuity": float("nan")},
        {"speeds_m_per_min": {Mode.BIKE: 0}},
        {"speeds_m_per_min": {Mode.BIKE: -5}},
        {"speeds_m_per_min": {Mode.BIKE: float("inf")}},
        {"speeds_m_per_min": {"hoverboard": 100}},
    ],
)
def test_circuity_model_validation(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - several distinct messages
        CircuityModel(**kwargs)  # type: ignore[arg-type]


def test_max_reach() -> None:
    model = CircuityModel()
    assert model.max_reach_m(10, Mode.BIKE) == pytest.approx(10 * 250 / 1.3)
    assert model.max_reach_m(0, Mode.WALK) == 0
    with pytest.raises(ValueError, match="non-negative"):
        model.max_reach_m(-1, Mode.WALK)


@given(seoul_points, seoul_points, st.floats(1, 60), st.sampled_from(list(Mode)))
def test_max_reach_is_consistent_with_minutes(a: Point, b: Point, budget: float, mode: Mode) -> None:
    # Pruning by max_reach_m must never drop a destination minutes() calls reachable.
    model = CircuityModel()
    minutes = float(model.minutes([a], [b], mode)[0, 0])
    if minutes <= budget:
        assert haversine_m(a, b) <= model.max_reach_m(budget, mode) + 1e-6


def test_config_builds_circuity_model() -> None:
    model = travel_model_from_config({"kind": "circuity", "circuity": 1.5, "speeds": {"bike": 200}})
    assert isinstance(model, CircuityModel)
    assert model.circuity == 1.5
    assert model.speeds_m_per_min[Mode.BIKE] == 200.0
    assert isinstance(travel_model_from_config({"kind": "circuity"}), CircuityModel)


def test_config_builds_osrm_model() -> None:
    model = travel_model_from_config(
        {
            "kind": "osrm",
            "urls": {"bike": "http://osrm.example:5000/", "car": "https://osrm.example/car"},
            "timeout_s": 5,
            "max_speeds": {"bike": 500},
            "max_locations": 50,
            "profiles": {"bike": "cycling"},
        }
    )
    assert isinstance(model, OsrmTableModel)
    assert model.timeout_s == 5.0
    assert model.max_locations == 50
    assert model.max_reach_m(2, Mode.BIKE) == 1000.0
    assert model.max_reach_m(2, Mode.WALK) == pytest.approx(2 * 75 * 1.5)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"kind": "teleport"}, "unknown travel model kind 'teleport'"),
        ({}, "unknown travel model kind None"),
        ({"kind": "circuity", "circuitee": 1.2}, "unknown keys.*circuitee"),
        ({"kind": "circuity", "circuity": "1.3"}, "'circuity' must be a positive number"),
        ({"kind": "circuity", "circuity": 0.5}, "circuity must be >= 1"),
        ({"kind": "circuity", "speeds": {"jetpack": 9}}, "unknown mode 'jetpack'"),
        ({"kind": "circuity", "speeds": [1, 2]}, "'speeds' must be a mapping"),
        ({"kind": "osrm"}, "non-empty 'urls'"),
        ({"kind": "osrm", "urls": {"bike": 5}}, "must be a string"),
        ({"kind": "osrm", "urls": {"boat": "http://x"}}, "unknown mode 'boat'"),
        ({"kind": "osrm", "urls": {"bike": "ftp://x"}}, "must be http"),
        ({"kind": "osrm", "urls": {"bike": "http://x"}, "timeout_s": 0}, "'timeout_s' must be a positive"),
        ({"kind": "osrm", "urls": {"bike": "http://x"}, "max_locations": 1}, "at least 2"),
        ({"kind": "osrm", "urls": {"bike": "http://x"}, "max_locations": 2.5}, "must be an int"),
    ],
)
def test_config_errors(config: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        travel_model_from_config(config)
