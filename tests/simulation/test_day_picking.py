"""Picking: a first-come-first-served queue that never works more orders than pickers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from hyperlocal.geo import Point
from hyperlocal.simulation.day import HubSpec, OrderSpec, pack
from hyperlocal.simulation.day.picking import OVERDUE_MINUTES, Packing, prep_minutes, ready_estimates

HUB = HubSpec("h", Point(37.55, 126.9), pickers=2, pick_minutes=3.0, pick_minutes_per_item=1.0)
NOISY = dataclasses.replace(HUB, pick_cv=0.3)


def order(n: int, placed: float, items: int = 1, ready: float | None = None) -> OrderSpec:
    return OrderSpec(f"o{n}", placed, "h", Point(37.551, 126.9), items, placed + 60, ready)


def test_never_more_orders_in_picking_than_pickers() -> None:
    orders = [order(n, placed=n * 0.5, items=1 + n % 3) for n in range(30)]
    packing = pack(HUB, orders)
    events = sorted(
        [(p.started_at, 1) for p in packing.values()] + [(p.packed_at, -1) for p in packing.values()]
    )
    busy = 0
    for _, change in sorted(events, key=lambda e: (e[0], e[1])):  # finishes before starts
        busy += change
        assert busy <= HUB.pickers
    for p in packing.values():
        assert p.picker in (0, 1)


def test_prep_time_and_queue_order() -> None:
    packing = pack(HUB, [order(1, 0, items=2), order(2, 0, items=1), order(3, 1, items=1)])
    assert (packing["o1"].started_at, packing["o1"].packed_at) == (0, 5)  # 3 + 2 x 1
    assert (packing["o2"].started_at, packing["o2"].packed_at) == (0, 4)
    # Both pickers busy until 4: the third order waits for the first one free.
    assert (packing["o3"].started_at, packing["o3"].packed_at) == (4, 8)


def test_known_ready_time_takes_no_picker() -> None:
    packing = pack(HUB, [order(1, 0, ready=7.0), order(2, 0), order(3, 0)])
    assert packing["o1"].packed_at == 7.0
    assert packing["o1"].picker == -1
    assert packing["o2"].started_at == 0
    assert packing["o3"].started_at == 0


def test_without_a_seed_picking_takes_exactly_the_estimate() -> None:
    packing = pack(NOISY, [order(1, 0, items=2)])
    assert packing["o1"].packed_at == packing["o1"].expected_minutes == 5


def test_actual_pick_times_vary_around_the_estimate_seeded() -> None:
    orders = [order(n, placed=n * 2.0, items=1 + n % 4) for n in range(2000)]  # a queue that drains
    packing = pack(NOISY, orders, seed=7)
    assert pack(NOISY, orders, seed=7) == packing
    assert pack(NOISY, orders, seed=8) != packing
    actual = np.array([p.packed_at - p.started_at for p in packing.values()])
    expected = np.array([p.expected_minutes for p in packing.values()])
    assert list(expected) == [prep_minutes(NOISY, o) for o in orders]  # the hub's estimate
    ratio = actual / expected
    assert ratio.mean() == pytest.approx(1.0, abs=0.03)  # the estimate is the mean
    assert ratio.std() == pytest.approx(0.3, abs=0.03)
    assert (ratio > 1.1).sum() > 200  # late bags
    assert (ratio < 0.9).sum() > 200  # and early ones
    # Still first come first served with never more orders in picking than pickers.
    events = sorted(
        [(p.started_at, 1) for p in packing.values()] + [(p.packed_at, -1) for p in packing.values()]
    )
    busy = 0
    for _, change in events:
        busy += change
        assert busy <= NOISY.pickers


def test_a_round_sees_the_hubs_estimate_not_the_actual_packing_time() -> None:
    orders = {
        o.id: o for o in (order(1, 0, items=2), order(2, 0, items=1), order(3, 1, items=1), order(4, 1))
    }
    # Actual times (as if drawn): o1 picked 0-9 (slow), o2 0-3 (fast), o3 3-5, o4 5-...
    packing = {
        "o1": Packing("o1", 0, 0.0, 9.0, 5.0),
        "o2": Packing("o2", 1, 0.0, 3.0, 4.0),
        "o3": Packing("o3", 1, 3.0, 5.0, 4.0),
        "o4": Packing("o4", 1, 5.0, 10.0, 4.0),
    }
    at_2 = ready_estimates(HUB, orders.values(), packing, now=2.0)
    # Both pickers busy (o1 expected at 5, o2 at 4); o3 then o4 queue behind them.
    assert at_2 == {"o1": 5.0, "o2": 4.0, "o3": 8.0, "o4": 9.0}
    at_4 = ready_estimates(HUB, orders.values(), packing, now=4.0)
    # o2 was packed at 3 (earlier than expected); o3 is being picked since 3.
    assert at_4 == {"o1": 5.0, "o2": 3.0, "o3": 7.0, "o4": 9.0}
    at_6 = ready_estimates(HUB, orders.values(), packing, now=6.0)
    # o1 is overdue (expected at 5, not packed): expected shortly; o3 was packed at 5.
    assert at_6 == {"o1": 6.0 + OVERDUE_MINUTES, "o2": 3.0, "o3": 5.0, "o4": 9.0}
    for now, seen in ((2.0, at_2), (4.0, at_4), (6.0, at_6)):
        for order_id, ready in seen.items():
            if packing[order_id].packed_at > now:
                assert ready > now


def test_a_known_ready_time_is_seen_as_announced() -> None:
    known = order(1, 0, ready=7.0)
    packing = pack(NOISY, [known], seed=3)
    assert ready_estimates(NOISY, [known], packing, now=1.0) == {"o1": 7.0}
