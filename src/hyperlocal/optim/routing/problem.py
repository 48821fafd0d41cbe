"""A routing problem at matrix level: what goes into the solver.

Distances and durations are plain floats in the caller's units (metres and minutes in
dispatch, Euclidean units in the Solomon benchmark). The solver works in integers; the
scale factors say how many integer steps make one unit (``solve`` converts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Client", "Depot", "InvalidProblem", "RoutingProblem", "VehicleType"]

FloatMatrix = npt.NDArray[np.float64]


class InvalidProblem(ValueError):
    """The problem is malformed (shapes, indices, windows): nothing was solved."""


@dataclass(frozen=True)
class Depot:
    location: int
    tw_early: float = 0.0
    tw_late: float = math.inf
    name: str = ""


@dataclass(frozen=True)
class VehicleType:
    """``num_available`` identical vehicles. The shift window is [tw_early, tw_late]: leave
    the start depot no earlier than tw_early, be back at the end depot by tw_late."""

    capacity: int
    num_available: int = 1
    start_depot: int = 0
    end_depot: int = 0
    tw_early: float = 0.0
    tw_late: float = math.inf
    profile: int = 0
    # Depots where the vehicle may empty and reload mid-route (multi-trip).
    reload_depots: tuple[int, ...] = ()
    name: str = ""


@dataclass(frozen=True)
class Client:
    """A stop. ``release`` is the earliest departure from the depot on a trip that serves
    it; an optional client (``required=False``) is worth ``prize`` distance units."""

    location: int
    demand: int = 0
    service: float = 0.0
    tw_early: float = 0.0
    tw_late: float = math.inf
    release: float = 0.0
    required: bool = True
    prize: float = 0.0
    name: str = ""


@dataclass(frozen=True)
class RoutingProblem:
    """Matrices are indexed by location: ``distances[p][i, j]`` is the distance from location
    ``i`` to ``j`` for routing profile ``p`` (one matrix per profile, same for durations).
    Times are measured from 0, the start of the horizon; negative earliest times mean
    "already open" and count as 0."""

    distances: tuple[FloatMatrix, ...]
    durations: tuple[FloatMatrix, ...]
    depots: tuple[Depot, ...]
    vehicle_types: tuple[VehicleType, ...]
    clients: tuple[Client, ...]
    # x1000 keeps rounding error far below anything measurable (see DESIGN.md, Solomon).
    distance_scale: float = 1000.0
    duration_scale: float = 1000.0
    coordinates: tuple[tuple[float, float], ...] | None = None  # for display only

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def num_locations(self) -> int:
        return int(self.distances[0].shape[0])

    @property
    def num_profiles(self) -> int:
        return len(self.distances)


def _validate(problem: RoutingProblem) -> None:
    if not problem.distances or len(problem.distances) != len(problem.durations):
        raise InvalidProblem("need one distance and one duration matrix per profile (at least one)")
    size = problem.distances[0].shape[0] if problem.distances[0].ndim == 2 else -1
    for what, matrices in (("distance", problem.distances), ("duration", problem.durations)):
        for p, matrix in enumerate(matrices):
            if matrix.ndim != 2 or matrix.shape != (size, size):
                raise InvalidProblem(f"{what} matrix {p} must be square {size}x{size}, got {matrix.shape}")
            if np.isnan(matrix).any() or (matrix < 0).any():
                raise InvalidProblem(f"{what} matrix {p} has negative or NaN entries")
    for scale in (problem.distance_scale, problem.duration_scale):
        if not (math.isfinite(scale) and scale > 0):
            raise InvalidProblem(f"scales must be positive and finite, got {scale!r}")
    if not problem.depots:
        raise InvalidProblem("at least one depot is needed")
    if not problem.vehicle_types:
        raise InvalidProblem("at least one vehicle type is needed")
    if problem.coordinates is not None and len(problem.coordinates) != size:
        raise InvalidProblem(f"coordinates must list {size} locations, got {len(problem.coordinates)}")

    def location(index: int, what: str) -> None:
        if not 0 <= index < size:
            raise InvalidProblem(f"{what} refers to location {index}, outside 0..{size - 1}")

    def window(early: float, late: float, what: str) -> None:
        if math.isnan(early) or math.isnan(late) or early > late or early == math.inf:
            raise InvalidProblem(f"{what} has an empty time window [{early}, {late}]")

    for d, depot in enumerate(problem.depots):
        location(depot.location, f"depot {d}")
        window(depot.tw_early, depot.tw_late, f"depot {d}")
    for v, vehicle in enumerate(problem.vehicle_types):
        what = f"vehicle type {v}"
        if vehicle.capacity < 0 or vehicle.num_available < 1:
            raise InvalidProblem(f"{what} needs capacity >= 0 and num_available >= 1")
        for index in (vehicle.start_depot, vehicle.end_depot, *vehicle.reload_depots):
            if not 0 <= index < len(problem.depots):
                raise InvalidProblem(f"{what} refers to depot {index}, which does not exist")
        if not 0 <= vehicle.profile < len(problem.distances):
            raise InvalidProblem(f"{what} refers to profile {vehicle.profile}, which does not exist")
        window(vehicle.tw_early, vehicle.tw_late, what)
    for c, client in enumerate(problem.clients):
        what = f"client {c}"
        location(client.location, what)
        window(client.tw_early, client.tw_late, what)
        if client.demand < 0:
            raise InvalidProblem(f"{what} has a negative demand")
        if not (math.isfinite(client.service) and client.service >= 0):
            raise InvalidProblem(f"{what} needs a finite, non-negative service time")
        if not (math.isfinite(client.prize) and client.prize >= 0):
            raise InvalidProblem(f"{what} needs a finite, non-negative prize")
        if math.isnan(client.release) or client.release == math.inf:
            raise InvalidProblem(f"{what} needs a finite release time")
