"""Day records: on time against the promise to the minute, and a day's totals over hubs."""

from __future__ import annotations

from datetime import datetime

from hyperlocal.geo import Point
from hyperlocal.simulation.day import DayResult, Delivery, HubLog, RoundStat, Trip
from hyperlocal.simulation.day.synthetic import SEOUL

HUB = Point(37.55, 126.90)


def test_on_time_is_at_or_before_the_promise() -> None:
    on_the_minute = Delivery("a", "h", "c", 0, 5, 6, 60.0, 60.0)
    a_second_late = Delivery("b", "h", "c", 0, 5, 6, 60.0 + 1 / 60, 60.0)
    assert on_the_minute.on_time
    assert not a_second_late.on_time
    assert on_the_minute.click_to_door == 60.0


def test_a_day_gathers_its_hubs() -> None:
    def log(hub: str, n: int) -> HubLog:
        deliveries = tuple(Delivery(f"{hub}{k}", hub, "c", 0, 1, 2, 10, 60) for k in range(n))
        trips = (Trip("c", hub, 2, 20, tuple(d.order_id for d in deliveries), n, 1000.0, (HUB, HUB)),)
        rounds = (RoundStat(hub, 1.0, n, 1, 0.01, "clock"),)
        return HubLog(hub, deliveries, trips, rounds, (f"{hub}-late",), 2)

    day = DayResult(
        "greedy", "t", datetime(2025, 6, 2, 10, tzinfo=SEOUL), 1.0, 7, 120.0, (log("a", 2), log("b", 3)), 0.0
    )
    assert [d.order_id for d in day.deliveries] == ["a0", "a1", "b0", "b1", "b2"]
    assert len(day.trips) == 2
    assert len(day.rounds) == 2
    assert day.undelivered == ["a-late", "b-late"]
    assert day.refused_trips == 4
