"""Planar replays: metres carried in Points and measured back exactly."""

from __future__ import annotations

import pytest

from hyperlocal.geo import Mode, TravelTimeModel
from hyperlocal.simulation.day import PlanarTravelModel, from_planar, to_planar


def test_round_trip_and_euclidean_minutes() -> None:
    a, b = from_planar(0, 0), from_planar(3000, 4000)
    assert to_planar(b) == pytest.approx((3000, 4000))
    model = PlanarTravelModel(250)
    assert isinstance(model, TravelTimeModel)
    assert model.minutes([a], [b], Mode.BIKE)[0, 0] == pytest.approx(5000 / 250)
    assert model.metres([a, b], [b])[:, 0] == pytest.approx([5000, 0])
    assert model.max_reach_m(2, Mode.SCOOTER) == 500


def test_speed_per_mode_and_bad_speed() -> None:
    model = PlanarTravelModel(100, {Mode.SCOOTER: 400})
    a, b = from_planar(0, 0), from_planar(0, 800)
    assert model.minutes([a], [b], Mode.SCOOTER)[0, 0] == pytest.approx(2)
    assert model.minutes([a], [b], Mode.WALK)[0, 0] == pytest.approx(8)
    with pytest.raises(ValueError, match="speed"):
        PlanarTravelModel(0)
