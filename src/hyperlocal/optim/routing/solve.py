"""Solve a ``RoutingProblem`` with PyVRP: scale to integers, solve, read back in floats."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyvrp
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, NoImprovement, StoppingCriterion

from .problem import InvalidProblem, RoutingProblem
from .solution import Route, RoutingSolution, schedule_route

__all__ = ["solve", "to_pyvrp"]

# Stands for "no edge" (an inf in a matrix): PyVRP's own missing-edge value, large enough
# that no solution uses it, small enough that sums do not overflow.
_NO_EDGE = int(pyvrp.constants.MAX_VALUE)
# Forgives the float noise of x * scale (10.2 * 1000 = 10199.999...) before ceil/floor.
_EPS = 1e-6
_OPEN = int(np.iinfo(np.int64).max)  # PyVRP's own "no latest time"

IntMatrix = npt.NDArray[np.int64]
InitialRoute = tuple[int, Sequence[Sequence[int]]]  # (vehicle type, client indices per trip)


def _ceil(value: float, scale: float) -> int:
    return math.ceil(value * scale - _EPS)


def _floor(value: float, scale: float) -> int:
    return math.floor(value * scale + _EPS)


def _matrix(matrix: npt.NDArray[np.float64], scale: float, *, up: bool) -> IntMatrix:
    scaled = matrix * scale
    finite = np.isfinite(scaled)
    # Durations round up and windows' ends round down, so that a schedule that is feasible
    # in integers is feasible in floats too; distances round to nearest (objective only).
    rounded = np.ceil(scaled - _EPS) if up else np.rint(scaled)
    result = np.where(finite, np.minimum(rounded, _NO_EDGE), _NO_EDGE).astype(np.int64)
    np.fill_diagonal(result, 0)
    return result


def to_pyvrp(problem: RoutingProblem) -> pyvrp.ProblemData:
    """The integer PyVRP instance for ``problem`` (times x duration_scale, distances x
    distance_scale; see the rounding directions in ``_matrix``)."""
    ts, ds = problem.duration_scale, problem.distance_scale
    coordinates = problem.coordinates or [(0.0, 0.0)] * problem.num_locations
    locations = [pyvrp.Location(float(x), float(y)) for x, y in coordinates]

    def late(value: float) -> int:
        return _floor(value, ts) if math.isfinite(value) else _OPEN

    depots = [
        pyvrp.Depot(
            d.location, tw_early=_ceil(max(0.0, d.tw_early), ts), tw_late=late(d.tw_late), name=d.name
        )
        for d in problem.depots
    ]
    for c, client in enumerate(problem.clients):
        early = _ceil(max(0.0, client.tw_early), ts)
        if math.isfinite(client.tw_late) and _floor(client.tw_late, ts) < early:
            raise InvalidProblem(f"client {c}: time window vanishes at duration_scale {ts}")
    clients = [
        pyvrp.Client(
            c.location,
            delivery=[c.demand],
            service_duration=_ceil(c.service, ts),
            tw_early=_ceil(max(0.0, c.tw_early), ts),
            release_time=_ceil(max(0.0, c.release), ts),
            prize=round(c.prize * ds),
            required=c.required,
            tw_late=late(c.tw_late),
            name=c.name,
        )
        for c in problem.clients
    ]
    vehicle_types = [
        pyvrp.VehicleType(
            v.num_available,
            capacity=[v.capacity],
            start_depot=v.start_depot,
            end_depot=v.end_depot,
            tw_early=_ceil(max(0.0, v.tw_early), ts),
            profile=v.profile,
            reload_depots=list(v.reload_depots),
            tw_late=late(v.tw_late),
            name=v.name,
        )
        for v in problem.vehicle_types
    ]
    # PyVRP's stubs type matrices loosely; these are int64 arrays as it expects.
    distances: list[Any] = [_matrix(m, ds, up=False) for m in problem.distances]
    durations: list[Any] = [_matrix(m, ts, up=True) for m in problem.durations]
    try:
        return pyvrp.ProblemData(
            locations,
            clients,
            depots,
            vehicle_types,
            distances,
            durations,
        )
    except (ValueError, IndexError) as error:
        raise InvalidProblem(f"PyVRP refused the problem: {error}") from error


def _stop(time_limit_s: float, max_iterations: int | None, no_improvement: int | None) -> StoppingCriterion:
    if not (math.isfinite(time_limit_s) and time_limit_s > 0):
        raise ValueError(f"time_limit_s must be positive and finite, got {time_limit_s!r}")
    criteria: list[StoppingCriterion] = [MaxRuntime(time_limit_s)]
    if max_iterations is not None:
        criteria.append(MaxIterations(max_iterations))
    if no_improvement is not None:
        criteria.append(NoImprovement(no_improvement))
    return criteria[0] if len(criteria) == 1 else MultipleCriteria(criteria)


def _initial(
    data: pyvrp.ProblemData, problem: RoutingProblem, routes: Sequence[InitialRoute]
) -> pyvrp.Solution:
    pyvrp_routes = []
    for vehicle_type, trips in routes:
        vehicle = problem.vehicle_types[vehicle_type]
        reload = vehicle.reload_depots[0] if vehicle.reload_depots else vehicle.start_depot
        activities: list[pyvrp.Activity] = []
        for t, trip in enumerate(trips):
            if t:
                activities.append(pyvrp.Activity(pyvrp.ActivityType.DEPOT, reload))
            activities.extend(pyvrp.Activity(pyvrp.ActivityType.CLIENT, c) for c in trip)
        pyvrp_routes.append(pyvrp.Route(data, activities, vehicle_type))
    return pyvrp.Solution(data, pyvrp_routes)


def solve(
    problem: RoutingProblem,
    *,
    time_limit_s: float,
    seed: int = 1,
    max_iterations: int | None = None,
    no_improvement: int | None = None,
    initial_routes: Sequence[InitialRoute] | None = None,
) -> RoutingSolution:
    """Best solution PyVRP finds within ``time_limit_s`` (wall clock), or fewer iterations.

    Deterministic for a seed when an iteration limit stops it first. ``initial_routes``
    warm-starts the search (client indices per trip; trips of one route reload at the
    vehicle's first reload depot).
    """
    started = time.perf_counter()
    stop = _stop(time_limit_s, max_iterations, no_improvement)
    data = to_pyvrp(problem)
    initial = _initial(data, problem, initial_routes) if initial_routes else None
    result = pyvrp.solve(data, stop, seed=seed, collect_stats=False, display=False, initial_solution=initial)
    best = result.best
    routes: list[Route] = []
    for pyvrp_route in best.routes():
        trips: list[tuple[int, int, list[int]]] = []
        depot = -1
        visits: list[int] = []
        for activity in pyvrp_route:
            if activity.is_depot():
                if depot >= 0:
                    trips.append((depot, activity.idx, visits))
                    visits = []
                depot = activity.idx
            else:
                visits.append(activity.idx)
        routes.append(schedule_route(problem, pyvrp_route.vehicle_type(), trips))
    visited = {visit.client for route in routes for visit in route.visits}
    return RoutingSolution(
        routes=tuple(routes),
        unassigned=tuple(c for c in range(len(problem.clients)) if c not in visited),
        # An edge the caller marked unreachable (inf) makes a route infeasible whatever
        # the integer model thought of its large stand-in value.
        feasible=bool(best.is_feasible()) and all(math.isfinite(r.distance) for r in routes),
        runtime_s=time.perf_counter() - started,
        iterations=int(result.num_iterations),
    )
