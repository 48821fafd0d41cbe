"""What a dispatch round sees and what it decides, for one hub at one instant.

Times are float minutes on the caller's clock (the simulator's clock, or minutes since an
epoch the Django side chooses); ``now`` says where that clock stands. Points are WGS84.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

from hyperlocal.geo import Mode, Point, TravelTimeModel

__all__ = [
    "CarriedStop",
    "CourierPlan",
    "CourierState",
    "DispatchStrategy",
    "OpenShipment",
    "PlannedStop",
    "RoundInput",
    "RoundPlan",
]


@dataclass(frozen=True)
class OpenShipment:
    """A shipment of this hub that no courier has picked up yet."""

    id: str
    drop_off: Point
    items: int
    ready_at: float  # packed (or expected to be) at the hub: the earliest departure with it
    due_by: float  # the end of the promised window (the promise; never moved by dispatch)
    due_from: float = -math.inf  # the start of the window (scheduled slots); arrive no earlier
    service_minutes: float = 2.0  # hand-over at the door


@dataclass(frozen=True)
class CarriedStop:
    """A shipment a courier has already picked up: fixed to that courier, in this order."""

    id: str
    drop_off: Point
    due_by: float
    service_minutes: float = 2.0


@dataclass(frozen=True)
class CourierState:
    id: str
    mode: Mode
    capacity_items: int
    at: Point  # where the courier is at ``now`` (the hub when idle there)
    shift_ends_at: float  # back at the hub by then
    carrying: tuple[CarriedStop, ...] = ()  # still to deliver, in order
    available_from: float = -math.inf  # not before (e.g. clocks in later); max(now, this)


@dataclass(frozen=True)
class RoundInput:
    hub_id: str
    hub: Point
    now: float
    shipments: tuple[OpenShipment, ...]
    couriers: tuple[CourierState, ...]
    hub_handover_minutes: float = 1.0  # picking up a bag at the hub
    time_limit_s: float = 1.0
    seed: int = 1


@dataclass(frozen=True)
class PlannedStop:
    shipment_id: str
    eta: float  # arrival at the door
    late: bool  # eta > due_by


@dataclass(frozen=True)
class CourierPlan:
    """The next trip of one courier: leave the hub at ``depart_at`` with these shipments,
    deliver them in order. Carried stops are not repeated here."""

    courier_id: str
    depart_at: float
    stops: tuple[PlannedStop, ...]
    distance_m: float  # hub -> stops -> hub


@dataclass(frozen=True)
class RoundPlan:
    hub_id: str
    trips: tuple[CourierPlan, ...]
    # Shipments that no trip of this round takes (no courier free, or none can reach them
    # in time): each with the earliest honest arrival estimate, or inf when none exists.
    waiting: dict[str, float] = field(default_factory=dict)
    # Ids of shipments that will miss their promise, to flag: planned stops and waiting
    # shipments whose estimate is past due_by (or inf), and carried stops whose arrival on
    # the courier's current ride is past theirs.
    late: frozenset[str] = frozenset()
    solve_seconds: float = 0.0


class DispatchStrategy(Protocol):
    """Decides one round. Implementations: greedy (baseline) and optimised (PyVRP)."""

    name: str

    def plan(self, round_input: RoundInput, travel: TravelTimeModel) -> RoundPlan: ...
