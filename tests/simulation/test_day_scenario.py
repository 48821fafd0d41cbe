"""A scenario refuses what a day cannot be made of: naive start, unknown or repeated hubs."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hyperlocal.geo import CircuityModel, Mode, Point
from hyperlocal.simulation.day import CourierSpec, HubSpec, OrderSpec, Scenario
from hyperlocal.simulation.day.synthetic import SEOUL

HUB = HubSpec("h", Point(37.55, 126.90))
START = datetime(2025, 6, 2, 10, tzinfo=SEOUL)


def scenario(**changes: object) -> Scenario:
    fields: dict[str, object] = {
        "start": START,
        "hubs": (HUB,),
        "couriers": (CourierSpec("c", "h", Mode.BIKE, 10, 0, 60),),
        "orders": (OrderSpec("o", 1, "h", Point(37.551, 126.90), 1, 61),),
        "travel": CircuityModel(),
    }
    fields.update(changes)
    return Scenario(**fields)  # type: ignore[arg-type]


def test_clock_minutes_map_to_aware_datetimes() -> None:
    day = scenario()
    assert day.at(90) == START + timedelta(minutes=90)
    assert day.hub("h") is HUB
    assert day.couriers[0].shift_minutes == 60


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": datetime(2025, 6, 2, 10)}, "timezone-aware"),
        ({"hubs": (HUB, HUB)}, "unique"),
        ({"couriers": (CourierSpec("c", "x", Mode.BIKE, 10, 0, 60),)}, "courier c: unknown hub 'x'"),
        ({"orders": (OrderSpec("o", 1, "x", Point(37.5, 126.9), 1, 61),)}, "order o: unknown hub 'x'"),
    ],
)
def test_bad_scenarios_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        scenario(**changes)
