"""What a simulated day is made of: hubs, couriers and orders on a clock in minutes.

Plain frozen dataclasses, no Django: the command layer fills them from the database, the
synthetic city or replay files. The clock's minute 0 is ``Scenario.start`` (timezone-aware).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hyperlocal.geo import Mode, Point, TravelTimeModel

__all__ = ["CourierSpec", "HubSpec", "OrderSpec", "Scenario"]


@dataclass(frozen=True)
class HubSpec:
    id: str
    point: Point
    name: str = ""
    promise_minutes: float = 60.0  # instant promise: due_by = placed_at + this
    pickers: int = 2
    pick_minutes: float = 3.0  # per order, plus ``pick_minutes_per_item`` per item
    pick_minutes_per_item: float = 0.5
    reach_m: float = float("inf")  # straight-line metres the hub serves (its service area)
    # The actual pick-and-pack time varies around that estimate: its coefficient of
    # variation (gamma-distributed, seeded; 0: exactly the estimate). See ``picking``.
    pick_cv: float = 0.3


@dataclass(frozen=True)
class CourierSpec:
    id: str
    hub_id: str
    mode: Mode
    capacity_items: int
    on_at: float  # shift start, minutes on the clock
    off_at: float  # back at the hub by then

    @property
    def shift_minutes(self) -> float:
        return self.off_at - self.on_at


@dataclass(frozen=True)
class OrderSpec:
    """One shipment: an order fulfilled by one hub (the simulator does not split orders)."""

    id: str
    placed_at: float
    hub_id: str
    drop_off: Point
    items: int
    due_by: float  # the original promise; never moved
    ready_at: float | None = None  # packed at (replays that know it); None: the picking model
    service_minutes: float = 2.0


@dataclass(frozen=True)
class Scenario:
    start: datetime  # timezone-aware: minute 0 of the clock
    hubs: tuple[HubSpec, ...]
    couriers: tuple[CourierSpec, ...]
    orders: tuple[OrderSpec, ...]
    travel: TravelTimeModel
    name: str = "day"
    # Households that could order (for the map); empty for replays.
    homes: tuple[Point, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("Scenario.start must be timezone-aware")
        hub_ids = {h.id for h in self.hubs}
        if len(hub_ids) != len(self.hubs):
            raise ValueError("hub ids must be unique")
        for courier in self.couriers:
            if courier.hub_id not in hub_ids:
                raise ValueError(f"courier {courier.id}: unknown hub {courier.hub_id!r}")
        for order in self.orders:
            if order.hub_id not in hub_ids:
                raise ValueError(f"order {order.id}: unknown hub {order.hub_id!r}")

    def at(self, minutes: float) -> datetime:
        return self.start + timedelta(minutes=minutes)

    def hub(self, hub_id: str) -> HubSpec:
        return next(h for h in self.hubs if h.id == hub_id)
