"""Pick and pack at a hub: a first-come-first-served queue served by the hub's pickers.

Two times per order, kept apart on purpose:

- the hub's *estimate* of an order's pick-and-pack time, ``prep_minutes``: the hub's per-order
  and per-item minutes (``HubSpec.pick_minutes`` + ``pick_minutes_per_item`` x items), what a
  hub knows before the work is done;
- the *actual* time, drawn per order from a gamma distribution whose mean is that estimate
  and whose coefficient of variation is ``HubSpec.pick_cv`` (seeded per day and hub; 0 gives
  the estimate exactly).

Picking does not depend on dispatch, so ``pack`` computes the whole day's actual packing times
up front (the simulator's ground truth: a bag cannot leave before it). A dispatch round never
sees them for a bag still being picked or queued: ``ready_estimates`` tells it when each open
shipment is expected to be packed from what the hub knows at that instant, the same kind of
formula as the real dispatch's snapshot (``dispatch.services.snapshot.ready_minutes``):

- packed: when it was packed (in the past);
- being picked: when picking started + its estimated pick time;
- queued: after the orders ahead of it in the queue, shared by the pickers, each taking its
  estimated time, then its own estimated time (the pickers' queue played forward with
  estimates);
- an estimate already in the past for a bag that is not packed yet (the picker is slow) says
  ``OVERDUE_MINUTES`` from now.

Orders whose ready time came with the data (replays' ``ready_at``) take no picker; their
ready time counts as announced when the order was placed, so rounds see it as is.
"""

from __future__ import annotations

import heapq
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .scenario import HubSpec, OrderSpec

__all__ = ["OVERDUE_MINUTES", "Packing", "pack", "prep_minutes", "ready_estimates"]

EPS = 1e-6
# A bag past its estimate and still not packed is expected this many minutes from now.
OVERDUE_MINUTES = 1.0


@dataclass(frozen=True)
class Packing:
    order_id: str
    picker: int  # -1 when the replay file gave the ready time
    started_at: float
    packed_at: float  # actual: the bag cannot leave before
    expected_minutes: float = 0.0  # the hub's estimate of the pick-and-pack time


def prep_minutes(hub: HubSpec, order: OrderSpec) -> float:
    """The hub's estimate of one order's pick-and-pack time."""
    return hub.pick_minutes + hub.pick_minutes_per_item * order.items


def pack(hub: HubSpec, orders: Iterable[OrderSpec], seed: int | None = None) -> dict[str, Packing]:
    """When each of the hub's orders is picked and packed. Each order's actual pick time is
    drawn around the hub's estimate (``hub.pick_cv``) from a generator seeded by ``seed`` and
    the hub's id; ``seed=None`` or ``pick_cv == 0``: exactly the estimate. Orders with a
    known ``ready_at`` (replays) keep it and take no picker."""
    if hub.pickers < 1:
        raise ValueError(f"hub {hub.id}: needs at least one picker")
    if not hub.pick_cv >= 0:
        raise ValueError(f"hub {hub.id}: pick_cv must be >= 0, got {hub.pick_cv!r}")
    rng = None
    if seed is not None and hub.pick_cv > 0:
        rng = np.random.default_rng([seed, zlib.crc32(hub.id.encode())])
        shape = 1.0 / hub.pick_cv**2
    free = [(0.0, n) for n in range(hub.pickers)]  # (free from, picker), earliest first
    result: dict[str, Packing] = {}
    for order in sorted(orders, key=lambda o: (o.placed_at, o.id)):
        if order.ready_at is not None:
            ready = max(order.ready_at, order.placed_at)
            result[order.id] = Packing(order.id, -1, order.placed_at, ready, ready - order.placed_at)
            continue
        expected = prep_minutes(hub, order)
        actual = expected if rng is None else float(rng.gamma(shape, expected / shape))
        free_at, picker = heapq.heappop(free)
        started = max(free_at, order.placed_at)
        packed = started + actual
        heapq.heappush(free, (packed, picker))
        result[order.id] = Packing(order.id, picker, started, packed, expected)
    return result


def ready_estimates(
    hub: HubSpec, open_orders: Iterable[OrderSpec], packing: dict[str, Packing], now: float
) -> dict[str, float]:
    """When the hub expects each open order (placed, not picked up) to be packed, from what
    it knows at ``now``: which bags are packed, which are being picked since when, the queue
    and its own per-order estimates (see the module's docstring). Never the actual time of
    a bag not yet packed."""
    ready: dict[str, float] = {}
    busy: list[float] = []  # the pickers at work: when each expects to be free
    queued: list[tuple[float, str, float]] = []  # (placed_at, id, expected minutes)
    for order in open_orders:
        p = packing[order.id]
        if p.packed_at <= now + EPS or p.picker < 0:
            ready[order.id] = p.packed_at
        elif p.started_at <= now + EPS:
            ready[order.id] = max(p.started_at + p.expected_minutes, now + OVERDUE_MINUTES)
            busy.append(ready[order.id])
        else:
            queued.append((order.placed_at, order.id, p.expected_minutes))
    if queued:
        free = busy + [now] * max(0, hub.pickers - len(busy))
        heapq.heapify(free)
        for _, order_id, expected in sorted(queued):
            ready[order_id] = heapq.heappop(free) + expected
            heapq.heappush(free, ready[order_id])
    return ready
