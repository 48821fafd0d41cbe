from __future__ import annotations

import socket
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hyperlocal.geo import Mode, OsrmTableModel, Point, TravelTimeUnavailable, haversine_m
from hyperlocal.geo.osrm import chunk_sizes

from .conftest import FAKE_SPEED_M_PER_S, FakeOsrm

CITY_HALL = Point(37.5663, 126.9779)
GANGNAM = Point(37.4979, 127.0276)
MAPO_OFFICE = Point(37.5663, 126.9019)
HONGIK = Point(37.5572, 126.9245)

# A 4 x 7 grid of origins/destinations around Mapo, at 4 decimals so the 6-decimal
# wire format carries them exactly.
ORIGINS = [Point(37.55 + i * 0.003, 126.90 + i * 0.002) for i in range(4)]
DESTS = [Point(37.54 + j * 0.004, 126.95 - j * 0.003) for j in range(7)]


def expected_minutes(origins: list[Point], dests: list[Point]) -> np.ndarray:
    return np.array([[haversine_m(o, d) / FAKE_SPEED_M_PER_S / 60 for d in dests] for o in origins])


def test_matrix_from_one_request(fake_osrm: FakeOsrm) -> None:
    model = OsrmTableModel({Mode.BIKE: fake_osrm.url + "/"})
    m = model.minutes([CITY_HALL, MAPO_OFFICE], [GANGNAM, HONGIK, CITY_HALL], Mode.BIKE)
    assert m.dtype == np.float64
    np.testing.assert_allclose(m, expected_minutes([CITY_HALL, MAPO_OFFICE], [GANGNAM, HONGIK, CITY_HALL]))
    assert m[0, 2] == 0.0
    assert len(fake_osrm.requests) == 1
    parts = urlsplit(fake_osrm.requests[0])
    assert parts.path == (
        "/table/v1/bike/126.977900,37.566300;126.901900,37.566300;"
        "127.027600,37.497900;126.924500,37.557200;126.977900,37.566300"
    )
    assert parse_qs(parts.query) == {
        "sources": ["0;1"],
        "destinations": ["2;3;4"],
        "annotations": ["duration"],
    }


@pytest.mark.parametrize(
    ("mode", "profile"), [(Mode.WALK, "foot"), (Mode.SCOOTER, "bike"), (Mode.CAR, "car")]
)
def test_profiles_per_mode(fake_osrm: FakeOsrm, mode: Mode, profile: str) -> None:
    model = OsrmTableModel(dict.fromkeys(Mode, fake_osrm.url))
    model.minutes([CITY_HALL], [GANGNAM], mode)
    assert fake_osrm.requests[0].startswith(f"/table/v1/{profile}/")


def test_custom_profile(fake_osrm: FakeOsrm) -> None:
    model = OsrmTableModel({Mode.SCOOTER: fake_osrm.url}, profiles={Mode.SCOOTER: "scooter"})
    model.minutes([CITY_HALL], [GANGNAM], Mode.SCOOTER)
    assert fake_osrm.requests[0].startswith("/table/v1/scooter/")


def test_chunked_requests_assemble_the_same_matrix(fake_osrm: FakeOsrm) -> None:
    whole = OsrmTableModel({Mode.BIKE: fake_osrm.url}).minutes(ORIGINS, DESTS, Mode.BIKE)
    assert len(fake_osrm.requests) == 1
    fake_osrm.requests.clear()
    chunked = OsrmTableModel({Mode.BIKE: fake_osrm.url}, max_locations=5).minutes(ORIGINS, DESTS, Mode.BIKE)
    np.testing.assert_array_equal(chunked, whole)
    np.testing.assert_allclose(whole, expected_minutes(ORIGINS, DESTS))
    # 2 origins x 3 destinations per request: 2 row blocks x 3 column blocks.
    assert len(fake_osrm.requests) == 6
    assert max(fake_osrm.coords_per_request()) <= 5


def test_one_origin_many_destinations_uses_few_requests(fake_osrm: FakeOsrm) -> None:
    dests = DESTS * 30  # 210 destinations
    model = OsrmTableModel({Mode.BIKE: fake_osrm.url}, max_locations=100)
    m = model.minutes([CITY_HALL], dests, Mode.BIKE)
    np.testing.assert_allclose(m, expected_minutes([CITY_HALL], dests))
    assert fake_osrm.coords_per_request() == [100, 100, 13]


@given(st.integers(1, 500), st.integers(1, 500), st.integers(2, 200))
def test_chunk_sizes_respect_the_limit(n_src: int, n_dst: int, limit: int) -> None:
    rows, cols = chunk_sizes(n_src, n_dst, limit)
    assert 1 <= rows <= n_src
    assert 1 <= cols <= n_dst
    assert rows + cols <= limit


def test_null_means_unreachable(fake_osrm: FakeOsrm) -> None:
    fake_osrm.behaviour = "null_far"
    fake_osrm.null_beyond_m = 3_000
    m = OsrmTableModel({Mode.WALK: fake_osrm.url}).minutes([MAPO_OFFICE], [HONGIK, GANGNAM], Mode.WALK)
    assert np.isfinite(m[0, 0])  # ~2.1 km
    assert m[0, 1] == np.inf


def test_empty_input_makes_no_request(fake_osrm: FakeOsrm) -> None:
    model = OsrmTableModel({Mode.BIKE: fake_osrm.url})
    assert model.minutes([], [GANGNAM], Mode.BIKE).shape == (0, 1)
    assert model.minutes([GANGNAM], [], Mode.BIKE).shape == (1, 0)
    assert fake_osrm.requests == []


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        ("error_code", "NoSegment.*Could not find a matching segment"),
        ("http500", "HTTP 500"),
        ("http400", "HTTP 400: TooBig: Too many table coordinates"),
        ("garbage", "invalid JSON"),
    ],
)
def test_server_errors_raise(fake_osrm: FakeOsrm, behaviour: str, message: str) -> None:
    fake_osrm.behaviour = behaviour
    with pytest.raises(TravelTimeUnavailable, match=message):
        OsrmTableModel({Mode.BIKE: fake_osrm.url}).minutes([CITY_HALL], [GANGNAM], Mode.BIKE)


def test_timeout_raises(fake_osrm: FakeOsrm) -> None:
    fake_osrm.behaviour = "slow"  # answers after 1 s
    model = OsrmTableModel({Mode.BIKE: fake_osrm.url}, timeout_s=0.2)
    with pytest.raises(TravelTimeUnavailable, match="request failed"):
        model.minutes([CITY_HALL], [GANGNAM], Mode.BIKE)


def test_closed_port_raises() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Nothing listens there any more.
    model = OsrmTableModel({Mode.BIKE: f"http://127.0.0.1:{port}"}, timeout_s=2)
    with pytest.raises(TravelTimeUnavailable, match="request failed"):
        model.minutes([CITY_HALL], [GANGNAM], Mode.BIKE)


def test_unconfigured_mode_raises_naming_it(fake_osrm: FakeOsrm) -> None:
    model = OsrmTableModel({Mode.BIKE: fake_osrm.url})
    with pytest.raises(TravelTimeUnavailable, match="'scooter'"):
        model.minutes([CITY_HALL], [GANGNAM], Mode.SCOOTER)
    assert fake_osrm.requests == []


def test_max_reach_uses_max_speeds() -> None:
    model = OsrmTableModel({})
    assert model.max_reach_m(10, Mode.CAR) == pytest.approx(10 * 300 * 1.5)
    custom = OsrmTableModel({}, max_speed_m_per_min={Mode.CAR: 1000})
    assert custom.max_reach_m(10, Mode.CAR) == 10_000
    with pytest.raises(ValueError, match="non-negative"):
        custom.max_reach_m(-1, Mode.CAR)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base_urls": {Mode.BIKE: "file:///etc/passwd"}}, "must be http"),
        ({"base_urls": {Mode.BIKE: "localhost:5000"}}, "must be http"),
        ({"base_urls": {}, "timeout_s": 0}, "timeout_s must be positive"),
        ({"base_urls": {}, "max_locations": 1}, "at least 2"),
        ({"base_urls": {}, "profiles": {Mode.BIKE: "a/b"}}, "invalid OSRM profile"),
    ],
)
def test_constructor_validation(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OsrmTableModel(**kwargs)  # type: ignore[arg-type]
