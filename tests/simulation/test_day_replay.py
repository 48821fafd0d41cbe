"""Replays from CSV: good files (planar and lat/lng) and bad ones (clear line and field)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from hyperlocal.geo import Point
from hyperlocal.optim.dispatch import GreedyDispatch
from hyperlocal.simulation.day import HubSpec, PlanarTravelModel, kpis, run_day, to_planar
from hyperlocal.simulation.day.replay import ReplayError, read_replay
from hyperlocal.simulation.day.synthetic import SEOUL

PLANAR_ORDERS = """id,placed_at,pickup_x,pickup_y,dropoff_x,dropoff_y,ready_at,items
a,0,0,0,1000,0,5,2
b,1,0,0,0,1500,,1
c,2,5000,5000,5000,6000,,1
"""
PLANAR_COURIERS = """id,start_x,start_y,on_at,off_at,capacity
k1,0,0,0,120,5
k2,5000,5000,0,120,5
"""
HUB = HubSpec("mangwon", Point(37.556, 126.905))
LATLNG_ORDERS = """id,placed_at,hub,dropoff_lat,dropoff_lng,items,due_by
x1,2025-06-02T12:03:00+09:00,mangwon,37.559,126.907,2,
x2,2025-06-02T12:10:00,mangwon,37.552,126.901,1,2025-06-02T12:40:00
"""
LATLNG_COURIERS = """id,start_lat,start_lng,on_at,off_at,mode
r1,37.556,126.905,2025-06-02T12:00:00,2025-06-02T14:00:00,scooter
"""


def test_planar_replay_builds_hubs_from_pickup_points_and_runs() -> None:
    scenario = read_replay(PLANAR_ORDERS, PLANAR_COURIERS, speed_m_per_min=200)
    assert isinstance(scenario.travel, PlanarTravelModel)
    assert [to_planar(h.point) for h in scenario.hubs] == [(0, 0), pytest.approx((5000, 5000))]
    assert {c.id: c.hub_id for c in scenario.couriers} == {"k1": "p1", "k2": "p2"}
    orders = {o.id: o for o in scenario.orders}
    assert orders["a"].ready_at == 5
    assert orders["b"].ready_at is None
    assert orders["a"].due_by == 60  # placed + the default 60-minute promise
    # Picking exactly at the hub's estimate (no noise), so that the times below add up.
    exact = dataclasses.replace(
        scenario, hubs=tuple(dataclasses.replace(h, pick_cv=0.0) for h in scenario.hubs)
    )
    result = run_day(exact, GreedyDispatch())
    k = kpis(result)
    assert k.delivered == 3
    # b is packed first (4.5) and goes alone: 1 min hand-over + 1500 m at 200 m/min.
    delivered = {d.order_id: d.delivered_at for d in result.deliveries}
    assert delivered["b"] == pytest.approx(4.5 + 1 + 7.5)
    assert k.courier_km == pytest.approx((2000 + 3000 + 2000) / 1000)


def test_lat_lng_replay_with_times_of_day_and_known_hubs() -> None:
    scenario = read_replay(LATLNG_ORDERS, LATLNG_COURIERS, hubs=[HUB])
    assert scenario.start == datetime(2025, 6, 2, 12, tzinfo=SEOUL)  # the hour of the first order
    orders = {o.id: o for o in scenario.orders}
    assert orders["x1"].placed_at == pytest.approx(3)
    assert orders["x2"].due_by == pytest.approx(40)
    courier = scenario.couriers[0]
    assert (courier.hub_id, courier.mode, courier.on_at) == ("mangwon", "scooter", 0)
    assert kpis(run_day(scenario, GreedyDispatch())).delivered == 2


def problems(orders: str, couriers: str, **kwargs: object) -> str:
    with pytest.raises(ReplayError) as caught:
        read_replay(orders, couriers, **kwargs)  # type: ignore[arg-type]
    return str(caught.value)


@pytest.mark.parametrize(
    ("orders", "expected"),
    [
        (
            "id,hub,dropoff_lat,dropoff_lng\nx,mangwon,37.5,126.9\n",
            "orders, line 1: missing column(s) placed_at",
        ),
        ("id,placed_at,hub\nx,1,mangwon\n", "missing columns dropoff_lat/dropoff_lng"),
        (
            "id,placed_at,hub,dropoff_lat,dropoff_lng\nx,soon,mangwon,37.5,126.9\n",
            "orders, line 2, field placed_at: not an ISO 8601 date-time or a number of minutes: 'soon'",
        ),
        (
            "id,placed_at,hub,dropoff_lat,dropoff_lng\nx,1,mangwon,north,126.9\n",
            "orders, line 2, field dropoff_lat: not a number: 'north'",
        ),
        (
            "id,placed_at,hub,dropoff_lat,dropoff_lng\nx,1,mangwon,97.5,126.9\n",
            "orders, line 2, field dropoff_lat: lat must be between -90 and 90",
        ),
        (
            "id,placed_at,hub,dropoff_lat,dropoff_lng\nx,1,mangwon,37.5,126.9\ny,2,hongdae,37.5,126.9\n",
            "orders, line 3, field hub: unknown hub 'hongdae'",
        ),
        (
            "id,placed_at,hub,dropoff_lat,dropoff_lng,ready_at\nx,10,mangwon,37.5,126.9,5\n",
            "orders, line 2, field ready_at: before placed_at",
        ),
        (
            "id,placed_at,hub,dropoff_lat,dropoff_lng,items\nx,1,mangwon,37.5,126.9,0\n",
            "orders, line 2, field items: must be at least 1",
        ),
        (
            "id,placed_at,hub,dropoff_lat,dropoff_lng\nx,1,mangwon,37.5,126.9\nx,2,mangwon,37.5,126.9\n",
            "orders, line 3, field id: duplicate order id 'x'",
        ),
        ("", "orders: the file is empty"),
    ],
)
def test_bad_orders_files_name_line_and_field(orders: str, expected: str) -> None:
    assert expected in problems(orders, LATLNG_COURIERS, hubs=[HUB])


@pytest.mark.parametrize(
    ("couriers", "expected"),
    [
        (
            "id,start_lat,start_lng,on_at,off_at\nr,37.556,126.905,120,60\n",
            "couriers, line 2, field off_at: not after on_at",
        ),
        (
            "id,start_lat,start_lng,on_at,off_at,mode\nr,37.556,126.905,0,60,rocket\n",
            "couriers, line 2, field mode: unknown mode 'rocket'",
        ),
        (
            "id,start_lat,start_lng,on_at,off_at,hub\nr,37.556,126.905,0,60,nowhere\n",
            "couriers, line 2, field hub: unknown hub 'nowhere'",
        ),
        ("id,on_at,off_at\nr,0,60\n", "missing columns start_lat/start_lng"),
        (
            "id,start_lat,start_lng,on_at,off_at\nr,37.556,126.905,0,60,extra\n",
            "line 2, field -: more values",
        ),
    ],
)
def test_bad_couriers_files_name_line_and_field(couriers: str, expected: str) -> None:
    assert expected in problems(LATLNG_ORDERS, couriers, hubs=[HUB])


def test_planar_files_need_a_speed_and_matching_kinds() -> None:
    assert "--speed" in problems(PLANAR_ORDERS, PLANAR_COURIERS)
    assert "different coordinate kinds" in problems(PLANAR_ORDERS, LATLNG_COURIERS, speed_m_per_min=200)


def test_every_bad_row_is_listed() -> None:
    orders = "id,placed_at,hub,dropoff_lat,dropoff_lng\n" + "".join(
        f"x{n},bad,mangwon,37.5,126.9\n" for n in range(3)
    )
    text = problems(orders, LATLNG_COURIERS, hubs=[HUB])
    assert all(f"line {n}, field placed_at" in text for n in (2, 3, 4))
