"""What a simulated day leaves behind: deliveries, trips and rounds (plain records)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hyperlocal.geo import Point

__all__ = ["DayResult", "Delivery", "HubLog", "RoundStat", "Trip"]


@dataclass(frozen=True)
class Delivery:
    order_id: str
    hub_id: str
    courier_id: str
    placed_at: float
    packed_at: float
    picked_up_at: float
    delivered_at: float  # arrival at the door
    due_by: float  # the original promise

    @property
    def on_time(self) -> bool:
        return self.delivered_at <= self.due_by + 1e-9

    @property
    def click_to_door(self) -> float:
        return self.delivered_at - self.placed_at


@dataclass(frozen=True)
class Trip:
    courier_id: str
    hub_id: str
    depart_at: float
    return_at: float
    order_ids: tuple[str, ...]
    items: int
    metres: float
    path: tuple[Point, ...]  # hub, drop-offs in order, hub


@dataclass(frozen=True)
class RoundStat:
    hub_id: str
    at: float
    shipments: int
    couriers: int
    seconds: float  # wall-clock time the strategy took to decide
    trigger: str  # "clock" (every N seconds) or "event" (packed, courier back, shift start)


@dataclass(frozen=True)
class HubLog:
    hub_id: str
    deliveries: tuple[Delivery, ...]
    trips: tuple[Trip, ...]
    rounds: tuple[RoundStat, ...]
    undelivered: tuple[str, ...]  # never picked up by the end of the run
    refused_trips: int  # plans the simulator could not carry out (capacity, shift end, ...)


@dataclass(frozen=True)
class DayResult:
    strategy: str
    scenario: str
    start: datetime
    hours: float
    orders: int
    courier_minutes: float  # the sum of all shifts
    logs: tuple[HubLog, ...]
    wall_seconds: float
    settings: dict[str, object] = field(default_factory=dict)

    @property
    def deliveries(self) -> list[Delivery]:
        return [d for log in self.logs for d in log.deliveries]

    @property
    def trips(self) -> list[Trip]:
        return [t for log in self.logs for t in log.trips]

    @property
    def rounds(self) -> list[RoundStat]:
        return [r for log in self.logs for r in log.rounds]

    @property
    def undelivered(self) -> list[str]:
        return [o for log in self.logs for o in log.undelivered]

    @property
    def refused_trips(self) -> int:
        return sum(log.refused_trips for log in self.logs)
