"""Staffing: pickers for the peak and courier shifts that follow the demand curve."""

from __future__ import annotations

import numpy as np
import pytest

from hyperlocal.geo import CircuityModel, Mode, Point
from hyperlocal.simulation.day import HubSpec
from hyperlocal.simulation.day.staffing import (
    courier_shifts,
    expected_per_hour,
    minutes_per_order,
    pickers_for,
)

HUB = HubSpec("h", Point(37.55, 126.9))


def test_expected_orders_per_hour_add_up_and_peak() -> None:
    per_hour = expected_per_hour(1200, start_hour=10, hours=12)
    assert len(per_hour) == 12
    assert sum(per_hour) == pytest.approx(1200)
    assert max(per_hour) in (per_hour[8], per_hour[9])


def test_shifts_cover_each_hours_need() -> None:
    per_hour = [10, 30, 60, 20, 10]
    minutes_each = 15.0
    couriers = courier_shifts(HUB, per_hour, minutes_each, np.random.default_rng(0), utilisation=1.0)
    for hour, orders in enumerate(per_hour):
        need = max(1, int(np.ceil(orders * minutes_each / 60)))
        on = sum(1 for c in couriers if c.on_at <= hour * 60 and c.off_at >= (hour + 1) * 60)
        assert on >= need
    assert max(c.off_at for c in couriers) == 5 * 60 + 60  # the tail after the last order
    for c in couriers:
        assert c.mode in (Mode.BIKE, Mode.SCOOTER)
        assert 8 <= c.capacity_items <= 28


def test_minutes_per_order_and_pickers() -> None:
    home = Point(37.559, 126.9)  # 1 km north
    minutes = minutes_per_order(HUB.point, [home], CircuityModel(), handover=1, service=2)
    bike, scooter = 2 * 1000 * 1.3 / 250, 2 * 1000 * 1.3 / 400
    assert abs(minutes - (3 + 0.6 * bike + 0.4 * scooter)) < 0.05
    assert pickers_for(100, 4.5, utilisation=0.75) == 10
    assert pickers_for(0, 4.5) == 1
