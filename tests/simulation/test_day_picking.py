"""Picking: a first-come-first-served queue that never works more orders than pickers."""

from __future__ import annotations

from hyperlocal.geo import Point
from hyperlocal.simulation.day import HubSpec, OrderSpec, pack

HUB = HubSpec("h", Point(37.55, 126.9), pickers=2, pick_minutes=3.0, pick_minutes_per_item=1.0)


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
