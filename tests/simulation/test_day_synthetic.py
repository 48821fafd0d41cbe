"""A synthetic day: the same plan gives the same day; the parts fit together."""

from __future__ import annotations

from datetime import datetime

import pytest

from hyperlocal.simulation.day import DayPlan, synthetic_day
from hyperlocal.simulation.day.synthetic import SEOUL

PLAN = DayPlan(orders=200, hubs=3, hours=4, homes=600, city="disc", seed=9)
DAY = datetime(2025, 6, 2, tzinfo=SEOUL)


def test_same_plan_same_day_and_a_different_seed_differs() -> None:
    a, b = synthetic_day(PLAN, date=DAY), synthetic_day(PLAN, date=DAY)
    assert a.orders == b.orders
    assert a.couriers == b.couriers
    other = synthetic_day(DayPlan(orders=200, hubs=3, hours=4, homes=600, city="disc", seed=10), date=DAY)
    assert other.orders != a.orders


def test_the_day_starts_at_the_start_hour_in_seoul_with_the_promise() -> None:
    scenario = synthetic_day(PLAN, date=DAY)
    assert scenario.start == datetime(2025, 6, 2, 10, tzinfo=SEOUL)
    assert len(scenario.orders) == 200
    assert all(0 <= o.placed_at <= 240 and o.due_by == o.placed_at + 60 for o in scenario.orders)
    assert {c.hub_id for c in scenario.couriers} == {h.id for h in scenario.hubs}
    assert all(h.pickers >= 1 for h in scenario.hubs)


def test_unknown_city() -> None:
    with pytest.raises(ValueError, match="unknown city"):
        synthetic_day(DayPlan(city="atlantis"))
