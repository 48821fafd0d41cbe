"""What both strategies need to know about a round: road times and distances from the hub
to the doors and back, and when each courier is back at the hub, free for a new trip."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from hyperlocal.geo import DEFAULT_SPEED_M_PER_MIN, Mode, Point, TravelTimeModel, haversine_m

from ..routing import ride
from .model import CourierState, RoundInput

__all__ = [
    "RoadDistanceModel",
    "RoundGeometry",
    "courier_free_at",
    "courier_timeline",
    "is_late",
    "road_metres",
]

FloatMatrix = npt.NDArray[np.float64]

# A courier this close to the hub counts as being at it (GPS noise, the building's size).
AT_HUB_M = 50.0
# An eta this much past due_by is late; below it is float noise, not a missed promise.
LATE_TOLERANCE_MIN = 1e-6


@runtime_checkable
class RoadDistanceModel(Protocol):
    def metres(self, origins: Sequence[Point], destinations: Sequence[Point], mode: Mode) -> FloatMatrix:
        """Road metres from each origin (rows) to each destination (columns)."""
        ...


def road_metres(
    travel: TravelTimeModel, origins: Sequence[Point], destinations: Sequence[Point], mode: Mode
) -> FloatMatrix:
    """Road distance in metres: the model's own when it has one (``metres``), else
    minutes x the mode's default speed (exact for a circuity model at default speeds)."""
    if isinstance(travel, RoadDistanceModel):
        return np.asarray(travel.metres(origins, destinations, mode), dtype=np.float64)
    minutes = np.asarray(travel.minutes(origins, destinations, mode), dtype=np.float64)
    return minutes * DEFAULT_SPEED_M_PER_MIN[Mode(mode)]


def is_late(eta: float, due_by: float) -> bool:
    return eta > due_by + LATE_TOLERANCE_MIN


@dataclass(frozen=True)
class RoundGeometry:
    """Location 0 is the hub, location i + 1 the drop-off of shipment i. Per mode: full
    minute and metre matrices (``minutes[mode][i, j]``), without the hub hand-over."""

    points: tuple[Point, ...]
    minutes: dict[Mode, FloatMatrix]
    metres: dict[Mode, FloatMatrix]
    free_at: dict[str, float]  # courier id -> back at the hub, free for a new trip
    # carried shipment id -> arrival at its door on the courier's current ride
    carried_eta: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, round_input: RoundInput, travel: TravelTimeModel) -> RoundGeometry:
        points = (round_input.hub, *(s.drop_off for s in round_input.shipments))
        modes = sorted({Mode(c.mode) for c in round_input.couriers})
        minutes = {m: _finite_or_inf(travel.minutes(points, points, m)) for m in modes}
        metres = {m: _finite_or_inf(road_metres(travel, points, points, m)) for m in modes}
        free_at: dict[str, float] = {}
        carried_eta: dict[str, float] = {}
        for courier in round_input.couriers:
            etas, free_at[courier.id] = courier_timeline(round_input, courier, travel)
            carried_eta.update(zip((stop.id for stop in courier.carrying), etas, strict=True))
        return cls(points, minutes, metres, free_at, carried_eta)

    def carried_late(self, round_input: RoundInput) -> set[str]:
        """Ids of carried shipments whose arrival on the current ride is past their promise."""
        return {
            stop.id
            for courier in round_input.couriers
            for stop in courier.carrying
            if is_late(self.carried_eta.get(stop.id, math.inf), stop.due_by)
        }

    def trip(self, mode: Mode, stops: Sequence[int]) -> float:
        """Road metres of hub -> shipments ``stops`` (indices) -> hub."""
        path = [0, *(s + 1 for s in stops), 0]
        matrix = self.metres[Mode(mode)]
        return float(sum(matrix[a, b] for a, b in itertools.pairwise(path)))


def _finite_or_inf(matrix: npt.ArrayLike) -> FloatMatrix:
    result = np.array(matrix, dtype=np.float64)
    result[~np.isfinite(result)] = math.inf  # NaN from a broken source means unreachable
    return result


def courier_free_at(round_input: RoundInput, courier: CourierState, travel: TravelTimeModel) -> float:
    """When ``courier`` can leave the hub on a new trip: after the carried stops in their
    order and the ride back (or just the ride back), not before now or available_from."""
    return courier_timeline(round_input, courier, travel)[1]


def courier_timeline(
    round_input: RoundInput, courier: CourierState, travel: TravelTimeModel
) -> tuple[tuple[float, ...], float]:
    """The courier's current ride: the arrival at each carried stop's door, in order (inf
    when unreachable), and when it is back at the hub and free (see ``courier_free_at``)."""
    start = max(round_input.now, courier.available_from)
    path = (courier.at, *(stop.drop_off for stop in courier.carrying), round_input.hub)
    if not courier.carrying and haversine_m(courier.at, round_input.hub) <= AT_HUB_M:
        return (), start
    legs = np.asarray(travel.minutes(path[:-1], path[1:], courier.mode), dtype=np.float64)
    timed = ride(
        round_input.now,
        [float(legs[k, k]) for k in range(len(path) - 1)],
        [stop.service_minutes for stop in courier.carrying],
    )
    etas = tuple(eta if math.isfinite(eta) else math.inf for eta in timed.arrivals)
    return etas, (max(start, timed.back) if math.isfinite(timed.back) else math.inf)
