from __future__ import annotations

import dataclasses
import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hyperlocal.geo import InvalidCoordinates, Point

lats = st.floats(min_value=-90, max_value=90, allow_nan=False)
lngs = st.floats(min_value=-180, max_value=180, allow_nan=False)


def test_valid_point_keeps_values() -> None:
    p = Point(37.5663, 126.9779)
    assert (p.lat, p.lng) == (37.5663, 126.9779)


def test_ints_are_normalised_to_float() -> None:
    p = Point(37, 127)
    assert type(p.lat) is float
    assert type(p.lng) is float
    assert p == Point(37.0, 127.0)
    assert hash(p) == hash(Point(37.0, 127.0))


@pytest.mark.parametrize(("lat", "lng"), [(90, 180), (-90, -180), (0, 0), (-90, 180)])
def test_bounds_are_inclusive(lat: float, lng: float) -> None:
    assert Point(lat, lng).lat == lat


def test_out_of_range_lat_message_names_field() -> None:
    with pytest.raises(InvalidCoordinates) as info:
        Point(123, 127)
    assert info.value.field == "lat"
    assert str(info.value) == "lat must be between -90 and 90, got 123.0"
    assert isinstance(info.value, ValueError)


def test_out_of_range_lng_message_names_field() -> None:
    with pytest.raises(InvalidCoordinates) as info:
        Point(37.5, -180.5)
    assert info.value.field == "lng"
    assert str(info.value) == "lng must be between -180 and 180, got -180.5"


@pytest.mark.parametrize(
    ("lat", "lng", "field"),
    [
        (math.nan, 0.0, "lat"),
        (0.0, math.inf, "lng"),
        (-math.inf, 0.0, "lat"),
        (True, 0.0, "lat"),
        (0.0, False, "lng"),
        (None, 0.0, "lat"),
        ("37.5", 127.0, "lat"),  # strings only through Point.parse
        (37.5, [127.0], "lng"),
    ],
)
def test_invalid_values_raise_with_field(lat: object, lng: object, field: str) -> None:
    with pytest.raises(InvalidCoordinates) as info:
        Point(lat, lng)  # type: ignore[arg-type]
    assert info.value.field == field
    assert field in str(info.value)


def test_point_is_frozen_and_slotted() -> None:
    p = Point(1.0, 2.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.lat = 3.0  # type: ignore[misc]
    assert not hasattr(p, "__dict__")


def test_parse_accepts_numeric_strings_and_numbers() -> None:
    assert Point.parse(" 37.5663 ", "126.9779\n") == Point(37.5663, 126.9779)
    assert Point.parse(37, Decimal("126.5")) == Point(37.0, 126.5)
    assert Point.parse("-1e1", "1E2") == Point(-10.0, 100.0)


@pytest.mark.parametrize(
    ("lat", "lng", "field", "fragment"),
    [
        ("abc", "127", "lat", "lat must be a number"),
        ("37.5", "", "lng", "lng must be a number"),
        (None, "127", "lat", "lat must be a number"),
        (True, "127", "lat", "lat must be a number"),
        ("37,5", "127", "lat", "lat must be a number"),  # decimal comma is not guessed at
        ("nan", "127", "lat", "lat must be finite"),
        ("37.5", "200", "lng", "lng must be between -180 and 180, got 200.0"),
        (Decimal("sNaN"), "1", "lat", "lat must be a number"),
    ],
)
def test_parse_rejects_bad_input_naming_the_field(
    lat: object, lng: object, field: str, fragment: str
) -> None:
    with pytest.raises(InvalidCoordinates) as info:
        Point.parse(lat, lng)
    assert info.value.field == field
    assert fragment in str(info.value)


@given(lats, lngs)
def test_parse_round_trips_repr_strings(lat: float, lng: float) -> None:
    # repr() of a float is the shortest string that reads back to the same float.
    assert Point.parse(repr(lat), repr(lng)) == Point(lat, lng)


@given(st.floats(allow_nan=False).filter(lambda v: abs(v) > 90), lngs)
def test_any_out_of_range_lat_is_rejected(lat: float, lng: float) -> None:
    with pytest.raises(InvalidCoordinates) as info:
        Point(lat, lng)
    assert info.value.field == "lat"


@given(lats, st.floats(allow_nan=False).filter(lambda v: abs(v) > 180))
def test_any_out_of_range_lng_is_rejected(lat: float, lng: float) -> None:
    with pytest.raises(InvalidCoordinates) as info:
        Point(lat, lng)
    assert info.value.field == "lng"
