"""What comes out of the solver, with times and distances recomputed in double precision."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from .problem import RoutingProblem
from .timeline import ride

__all__ = ["Route", "RoutingSolution", "Trip", "Visit", "routes_feasible", "schedule_route"]

# Float noise below which a schedule counts as on time (in the problem's time units).
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Visit:
    client: int
    arrival: float  # at the door
    start: float  # service begins: max(arrival, tw_early)
    late_by: float  # max(0, start - tw_late); 0 in a feasible solution


@dataclass(frozen=True)
class Trip:
    """Depot -> visits -> depot, leaving at ``departure`` and back at ``return_at``."""

    start_depot: int
    end_depot: int
    departure: float
    visits: tuple[Visit, ...]
    return_at: float
    distance: float


@dataclass(frozen=True)
class Route:
    vehicle_type: int
    trips: tuple[Trip, ...]

    @property
    def visits(self) -> tuple[Visit, ...]:
        return tuple(visit for trip in self.trips for visit in trip.visits)

    @property
    def distance(self) -> float:
        return sum(trip.distance for trip in self.trips)

    @property
    def end_time(self) -> float:
        return self.trips[-1].return_at if self.trips else 0.0


@dataclass(frozen=True)
class RoutingSolution:
    routes: tuple[Route, ...]
    unassigned: tuple[int, ...]  # optional clients left out (and required ones, if infeasible)
    feasible: bool  # by the solver's integer model
    runtime_s: float
    iterations: int

    @property
    def distance(self) -> float:
        """Total distance in the problem's units, summed in double precision."""
        return sum(route.distance for route in self.routes)

    @property
    def max_late_by(self) -> float:
        return max((visit.late_by for route in self.routes for visit in route.visits), default=0.0)


def _late_by(start: float, tw_late: float) -> float:
    return max(0.0, start - tw_late) if math.isfinite(tw_late) else 0.0


def schedule_route(
    problem: RoutingProblem, vehicle_type: int, trips: Sequence[tuple[int, int, Sequence[int]]]
) -> Route:
    """Earliest schedule of ``trips`` (start depot, end depot, client indices) in floats.

    Each trip leaves as soon as the vehicle is at its depot, its shift has begun and every
    client on it is released; the vehicle then waits at a door for a window to open.
    """
    vehicle = problem.vehicle_types[vehicle_type]
    distance = problem.distances[vehicle.profile]
    duration = problem.durations[vehicle.profile]
    clients = problem.clients
    free_at = max(0.0, vehicle.tw_early)
    result: list[Trip] = []
    for start_depot, end_depot, visits in trips:
        depot = problem.depots[start_depot]
        released = max((clients[c].release for c in visits), default=0.0)
        departure = float(max(free_at, released, depot.tw_early))
        path = [depot.location, *(clients[c].location for c in visits), problem.depots[end_depot].location]
        timed = ride(
            departure,
            [float(duration[a, b]) for a, b in itertools.pairwise(path)],
            [clients[c].service for c in visits],
            opens=[clients[c].tw_early for c in visits],
        )
        planned = [
            Visit(c, arrival, start, _late_by(start, clients[c].tw_late))
            for c, arrival, start in zip(visits, timed.arrivals, timed.starts, strict=True)
        ]
        travelled = 0.0
        for a, b in itertools.pairwise(path):  # left to right, as the solver's read-back always has
            travelled += float(distance[a, b])
        result.append(Trip(start_depot, end_depot, departure, tuple(planned), timed.back, travelled))
        free_at = timed.back
    return Route(vehicle_type, tuple(result))


def routes_feasible(problem: RoutingProblem, routes: Sequence[Route]) -> bool:
    """Whether ``routes`` (as ``schedule_route`` computes them) hold in floats: every visit
    within its window, every trip within the vehicle's capacity, back by the end of the
    vehicle's shift and the depot's window, finite times and distances, each client at most
    once and no more routes of a vehicle type than it has vehicles."""
    seen: set[int] = set()
    used: dict[int, int] = {}
    for route in routes:
        vehicle = problem.vehicle_types[route.vehicle_type]
        used[route.vehicle_type] = used.get(route.vehicle_type, 0) + 1
        if used[route.vehicle_type] > vehicle.num_available:
            return False
        for trip in route.trips:
            if sum(problem.clients[visit.client].demand for visit in trip.visits) > vehicle.capacity:
                return False
            if not (math.isfinite(trip.distance) and math.isfinite(trip.return_at)):
                return False
            if trip.return_at > problem.depots[trip.end_depot].tw_late + _TOLERANCE:
                return False
            for visit in trip.visits:
                if visit.client in seen or visit.late_by > _TOLERANCE:
                    return False
                seen.add(visit.client)
        if route.end_time > vehicle.tw_late + _TOLERANCE:
            return False
    return True
