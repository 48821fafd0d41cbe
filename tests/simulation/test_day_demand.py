"""Demand: the daily profile's peaks, the arrival times drawn from it, hub allocation."""

from __future__ import annotations

import numpy as np

from hyperlocal.geo import Point
from hyperlocal.simulation.day import DailyProfile, HubSpec, allocate_hub, order_times, orders_from_homes


def test_profile_has_a_lunch_and_a_higher_evening_peak() -> None:
    rate = DailyProfile().rate
    lunch, evening = float(rate(12.5)), float(rate(19.0))
    assert lunch > float(rate(10.0))
    assert lunch > float(rate(15.5))
    assert evening > float(rate(15.5))
    assert evening > float(rate(22.0))
    assert evening > lunch


def test_arrival_times_follow_the_profile() -> None:
    times = order_times(20_000, start_hour=10, hours=12, rng=np.random.default_rng(3))
    assert np.all(np.diff(times) >= 0)
    assert times.min() >= 0
    assert times.max() <= 12 * 60
    per_hour = np.histogram(times, bins=12, range=(0, 720))[0]  # hour 0 = 10:00-11:00
    assert per_hour[2] > per_hour[0]
    assert per_hour[2] > per_hour[5]
    assert per_hour[9] > per_hour[5]
    assert per_hour[9] > per_hour[11]
    assert per_hour.argmax() in (8, 9)  # the evening peak sits at 19:00


def test_same_seed_same_times() -> None:
    a = order_times(100, start_hour=10, hours=2, rng=np.random.default_rng(1))
    b = order_times(100, start_hour=10, hours=2, rng=np.random.default_rng(1))
    assert np.array_equal(a, b)


def test_home_goes_to_nearest_hub_whose_reach_holds_it() -> None:
    west = HubSpec("w", Point(37.55, 126.90), reach_m=3000)
    east = HubSpec("e", Point(37.55, 126.95), reach_m=1000)
    homes = [
        Point(37.55, 126.905),  # 440 m from west
        Point(37.55, 126.945),  # 440 m from east
        Point(37.55, 126.93),  # 2.6 km from west, 1.8 km from east: east's reach is too short
        Point(37.60, 127.10),  # far from both
    ]
    assert allocate_hub(homes, [west, east]).tolist() == [0, 1, 0, -1]


def test_orders_come_only_from_served_homes_with_the_hubs_promise() -> None:
    hub = HubSpec("h", Point(37.55, 126.90), promise_minutes=45, reach_m=1000)
    homes = [Point(37.55, 126.901), Point(37.70, 127.2)]
    orders = orders_from_homes(homes, [hub], 50, start_hour=10, hours=3, rng=np.random.default_rng(2))
    assert len(orders) == 50
    assert {o.drop_off for o in orders} == {homes[0]}
    assert all(o.due_by == o.placed_at + 45 and 1 <= o.items <= 6 for o in orders)
