"""Pick and pack at a hub: a first-come-first-served queue served by the hub's pickers.

Picking does not depend on dispatch, so the whole day's packing times are known once the
orders are: the simulator computes them up front, and the estimate a dispatch round sees
for a shipment still in the queue is exactly when it will be packed (a noise-free packing
estimate; real hubs would be less sure).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass

from .scenario import HubSpec, OrderSpec

__all__ = ["Packing", "pack"]


@dataclass(frozen=True)
class Packing:
    order_id: str
    picker: int  # -1 when the replay file gave the ready time
    started_at: float
    packed_at: float


def prep_minutes(hub: HubSpec, order: OrderSpec) -> float:
    return hub.pick_minutes + hub.pick_minutes_per_item * order.items


def pack(hub: HubSpec, orders: Iterable[OrderSpec]) -> dict[str, Packing]:
    """When each of the hub's orders is picked and packed. Orders with a known ``ready_at``
    (replays) keep it and take no picker."""
    if hub.pickers < 1:
        raise ValueError(f"hub {hub.id}: needs at least one picker")
    free = [(0.0, n) for n in range(hub.pickers)]  # (free from, picker), earliest first
    result: dict[str, Packing] = {}
    for order in sorted(orders, key=lambda o: (o.placed_at, o.id)):
        if order.ready_at is not None:
            result[order.id] = Packing(order.id, -1, order.placed_at, max(order.ready_at, order.placed_at))
            continue
        free_at, picker = heapq.heappop(free)
        started = max(free_at, order.placed_at)
        packed = started + prep_minutes(hub, order)
        heapq.heappush(free, (packed, picker))
        result[order.id] = Packing(order.id, picker, started, packed)
    return result
