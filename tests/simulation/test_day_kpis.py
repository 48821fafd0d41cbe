"""KPI arithmetic on a hand-built day."""

from __future__ import annotations

from datetime import datetime

import pytest

from hyperlocal.geo import Point
from hyperlocal.simulation.day import DayResult, Delivery, HubLog, RoundStat, Trip, kpis
from hyperlocal.simulation.day.synthetic import SEOUL

HUB = Point(37.55, 126.90)


def delivery(order: str, placed: float, delivered: float, due: float) -> Delivery:
    return Delivery(order, "h", "c1", placed, placed + 5, placed + 6, delivered, due)


def test_kpis_of_a_hand_built_day() -> None:
    deliveries = (
        delivery("a", 0, 20, 60),  # 20 min, on time
        delivery("b", 10, 50, 70),  # 40 min, on time
        delivery("c", 20, 90, 80),  # 70 min, late
    )
    trips = (
        Trip("c1", "h", 6, 36, ("a", "b"), 3, 4000.0, (HUB, HUB)),
        Trip("c2", "h", 26, 106, ("c",), 1, 2000.0, (HUB, HUB)),
    )
    rounds = tuple(RoundStat("h", float(t), 3, 2, s, "clock") for t, s in enumerate([0.1, 0.2, 0.3, 0.4]))
    log = HubLog("h", deliveries, trips, rounds, ("d",), 1)
    result = DayResult("x", "tiny", datetime(2025, 6, 2, 10, tzinfo=SEOUL), 2.0, 4, 240.0, (log,), 0.0)
    k = kpis(result)
    assert (k.orders, k.delivered, k.undelivered, k.on_time) == (4, 3, 1, 2)
    assert k.on_time_rate == pytest.approx(0.5)  # the undelivered order counts as not on time
    assert k.click_to_door_p50 == pytest.approx(40)
    assert k.click_to_door_p90 == pytest.approx(64)  # 40 + 0.8 x 30
    assert k.orders_per_courier_hour == pytest.approx(3 / 4)  # 240 shift minutes
    assert k.courier_km == pytest.approx(6.0)
    assert k.km_per_delivered == pytest.approx(2.0)
    assert k.utilisation == pytest.approx((30 + 80) / 240)
    assert k.trips == 2
    assert k.orders_per_trip == pytest.approx(1.5)
    assert k.rounds == 4
    assert k.round_mean_s == pytest.approx(0.25)
    assert k.round_p95_s == pytest.approx(0.385)
    assert k.refused_trips == 1


def test_an_empty_day_has_no_rates() -> None:
    result = DayResult("x", "empty", datetime(2025, 6, 2, 10, tzinfo=SEOUL), 0.0, 0, 0.0, (), 0.0)
    k = kpis(result)
    assert k.delivered == 0
    assert k.rounds == 0
    assert k.on_time_rate != k.on_time_rate  # NaN: no orders, no rate
