"""Optimised rounds: all open shipments and all couriers of the hub in one PyVRP model."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from hyperlocal.geo import Mode, TravelTimeModel

from ..routing import (
    Client,
    Depot,
    Route,
    RoutingProblem,
    VehicleType,
    routes_feasible,
    schedule_route,
    solve,
)
from .geometry import RoundGeometry, is_late
from .greedy import GreedyDispatch
from .model import CourierPlan, CourierState, OpenShipment, PlannedStop, RoundInput, RoundPlan

__all__ = ["OptimisedDispatch"]

# Worth more than any detour (metres): the solver leaves a shipment out only when no
# courier can take it within its window.
_PRIZE_M = 1_000_000.0
_MIN_WINDOW = 0.01  # minutes


def _well_formed(shipment: OpenShipment) -> bool:
    """Times the solver can take; anything else waits (flagged) rather than fail the round."""
    due_from = shipment.due_from
    return (
        math.isfinite(shipment.ready_at)
        and math.isfinite(shipment.due_by)
        and (due_from == -math.inf or (math.isfinite(due_from) and due_from <= shipment.due_by))
        and math.isfinite(shipment.service_minutes)
        and shipment.service_minutes >= 0
        and shipment.items >= 0
    )


@dataclass(frozen=True)
class _Direct:
    """The best a shipment can do alone: first courier back at the hub, straight there."""

    eta: float
    courier: int  # index into the round's couriers, -1 when none can take it
    back: float  # that courier back at the hub


class OptimisedDispatch:
    """Courier distance minimised by PyVRP under the promises.

    The model: the hub is the depot; every courier is a vehicle of its own (capacity, its
    mode's travel times and road distances, leaving the hub no earlier than it is back
    there and free, back by the end of its shift, reloading at the hub for further trips);
    every open shipment is a client with its items, hand-over time, release time
    (``ready_at``: a trip waits at the hub for its last shipment to be packed, which is
    where batching comes from) and window ``[due_from, due_by - margin_minutes]``. The
    margin keeps plans off the edge of the promise (packing that runs late, a red light).

    Shipments that cannot make their promise even alone on the first free courier get
    ``due_by`` replaced by their best direct arrival + ``late_slack_minutes``: they are
    planned as soon as is reasonable and flagged late, never dropped for being late.
    Every shipment is optional with a prize larger than any detour, so one that fits no
    courier (capacity, shift end) is left waiting with its best estimate instead of
    failing the round.

    What it returns: each courier's *first* trip, which may depart later than now (it
    waits for shipments being packed; the caller hands it out when due, and the next round
    may change it). Shipments on later trips are waiting with their planned arrival; those
    the plan leaves out, with an arrival alone after all the planned trips of the courier
    that gets them there first (inf when none can before its shift ends), flagged late when
    that is past ``due_by``. Shipments packed more than ``horizon_minutes`` from now are not
    planned yet (waiting, with their direct estimate). Carried stops that will arrive past
    their promise are flagged late too.

    Only a feasible plan is handed out: when the solver's best is infeasible (an arrival
    after a window, back after the shift, over capacity; PyVRP's integer model or the same
    check in floats), the warm start is used (one shipment per trip, on time), and when
    that does not hold either, the greedy baseline's plan.

    The search stops at the time limit (``time_limit_s``, else the round's), or earlier once
    ``no_improvement`` iterations in a row found nothing better: small rounds (a few
    shipments) converge within a few hundred iterations and return in milliseconds, so
    they need no separate fast path. A round with no shipments, or no courier, does not
    call the solver.
    """

    name = "optimised"

    def __init__(
        self,
        time_limit_s: float | None = None,
        *,
        margin_minutes: float = 3.0,
        late_slack_minutes: float = 10.0,
        horizon_minutes: float = 60.0,
        no_improvement: int | None = 200,
        max_iterations: int | None = None,
    ) -> None:
        if time_limit_s is not None and not (math.isfinite(time_limit_s) and time_limit_s > 0):
            raise ValueError(f"time_limit_s must be positive, got {time_limit_s!r}")
        for what, value in (
            ("margin_minutes", margin_minutes),
            ("late_slack_minutes", late_slack_minutes),
            ("horizon_minutes", horizon_minutes),
        ):
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{what} must be a non-negative number, got {value!r}")
        self.time_limit_s = time_limit_s
        self.margin_minutes = margin_minutes
        self.late_slack_minutes = late_slack_minutes
        self.horizon_minutes = horizon_minutes
        self.no_improvement = no_improvement
        self.max_iterations = max_iterations

    def plan(self, round_input: RoundInput, travel: TravelTimeModel) -> RoundPlan:
        started = time.perf_counter()
        geometry = RoundGeometry.of(round_input, travel)
        now = round_input.now
        shipments = round_input.shipments
        couriers = [
            c
            for c in round_input.couriers
            if c.capacity_items > 0 and geometry.free_at[c.id] < c.shift_ends_at
        ]
        direct = [
            _direct(geometry, round_input, couriers, i, geometry.free_at) for i in range(len(shipments))
        ]
        waiting = {s.id: direct[i].eta for i, s in enumerate(shipments)}
        planned = [
            i
            for i, s in enumerate(shipments)
            if direct[i].courier >= 0 and s.ready_at <= now + self.horizon_minutes and _well_formed(s)
        ]
        trips: list[CourierPlan] = []
        if planned and couriers:
            problem = self._problem(round_input, geometry, couriers, planned, direct)
            routes = self._routes(problem, round_input)
            if routes is None:
                return self._baseline(round_input, travel, started)
            # Courier id -> back at the hub after all its planned trips.
            free_after = dict(geometry.free_at)
            served: set[int] = set()
            for route in routes:
                courier = couriers[route.vehicle_type]
                if route.trips:
                    free_after[courier.id] = max(free_after[courier.id], now + route.end_time)
                for t, trip in enumerate(route.trips):
                    stops = []
                    for visit in trip.visits:
                        shipment = shipments[planned[visit.client]]
                        served.add(planned[visit.client])
                        eta = now + visit.start
                        if t == 0:
                            stops.append(PlannedStop(shipment.id, eta, is_late(eta, shipment.due_by)))
                            del waiting[shipment.id]
                        else:
                            waiting[shipment.id] = eta
                    if stops:
                        trips.append(
                            CourierPlan(courier.id, now + trip.departure, tuple(stops), trip.distance)
                        )
            # Left out of the plan: alone, after all the planned trips of the courier that
            # gets it there first (each taking that courier's time in turn, most urgent
            # first), or inf when no courier can before its shift ends.
            left_out = sorted((i for i in planned if i not in served), key=lambda i: (shipments[i].due_by, i))
            for i in left_out:
                after = _direct(geometry, round_input, couriers, i, free_after)
                waiting[shipments[i].id] = after.eta
                if after.courier >= 0:
                    free_after[couriers[after.courier].id] = after.back
        late = {s.id for s in shipments if s.id in waiting and is_late(waiting[s.id], s.due_by)}
        late |= {stop.shipment_id for trip in trips for stop in trip.stops if stop.late}
        late |= geometry.carried_late(round_input)
        return RoundPlan(
            hub_id=round_input.hub_id,
            trips=tuple(trips),
            waiting=waiting,
            late=frozenset(late),
            solve_seconds=time.perf_counter() - started,
        )

    def _routes(self, problem: RoutingProblem, round_input: RoundInput) -> tuple[Route, ...] | None:
        """The solver's routes when they hold (PyVRP's integer model, and a check in floats);
        else the warm start's when they hold and take anything; else None (the baseline
        decides). A plan that arrives after a window, comes back after the shift or carries
        too much is never handed out."""
        initial = _warm_start(problem)
        time_limit = self.time_limit_s if self.time_limit_s is not None else round_input.time_limit_s
        solution = solve(
            problem,
            time_limit_s=time_limit,
            seed=round_input.seed,
            max_iterations=self.max_iterations,
            no_improvement=self.no_improvement,
            initial_routes=initial,
        )
        if solution.feasible and routes_feasible(problem, solution.routes):
            return solution.routes
        start = tuple(
            schedule_route(problem, vehicle, [(0, 0, trip) for trip in vehicle_trips])
            for vehicle, vehicle_trips in initial
        )
        return start if start and routes_feasible(problem, start) else None

    def _baseline(self, round_input: RoundInput, travel: TravelTimeModel, started: float) -> RoundPlan:
        """The greedy plan: when neither the solver nor the warm start gives a feasible one."""
        baseline = GreedyDispatch().plan(round_input, travel)
        return RoundPlan(
            hub_id=baseline.hub_id,
            trips=baseline.trips,
            waiting=baseline.waiting,
            late=baseline.late,
            solve_seconds=time.perf_counter() - started,
        )

    def _problem(
        self,
        round_input: RoundInput,
        geometry: RoundGeometry,
        couriers: list[CourierState],
        planned: list[int],
        direct: list[_Direct],
    ) -> RoutingProblem:
        now = round_input.now
        modes = sorted({Mode(c.mode) for c in couriers})
        locations = [0, *(i + 1 for i in planned)]
        durations = []
        for mode in modes:
            matrix = geometry.minutes[mode][np.ix_(locations, locations)].copy()
            matrix[0, 1:] += round_input.hub_handover_minutes  # picking up the bag, once a trip
            durations.append(matrix)
        distances = tuple(geometry.metres[mode][np.ix_(locations, locations)] for mode in modes)
        clients = []
        for c, i in enumerate(planned):
            shipment = round_input.shipments[i]
            due = shipment.due_by - self.margin_minutes
            if direct[i].eta > due:  # cannot make it: as soon as is reasonable, flagged late
                due = max(shipment.due_by, direct[i].eta) + self.late_slack_minutes
            clients.append(
                Client(
                    location=c + 1,
                    demand=shipment.items,
                    service=shipment.service_minutes,
                    tw_early=shipment.due_from - now,
                    # A window at least a step wide, so that rounding to integers keeps it.
                    tw_late=max(due, shipment.due_from + _MIN_WINDOW) - now,
                    release=shipment.ready_at - now,
                    required=False,
                    prize=_PRIZE_M,
                    name=shipment.id,
                )
            )
        vehicles = tuple(
            VehicleType(
                capacity=c.capacity_items,
                tw_early=geometry.free_at[c.id] - now,
                tw_late=c.shift_ends_at - now,
                profile=modes.index(Mode(c.mode)),
                reload_depots=(0,),
                name=c.id,
            )
            for c in couriers
        )
        return RoutingProblem(
            distances=distances,
            durations=tuple(durations),
            depots=(Depot(0),),
            vehicle_types=vehicles,
            clients=tuple(clients),
            distance_scale=1.0,  # whole metres
            duration_scale=1000.0,  # 0.06 s steps
        )


def _direct(
    geometry: RoundGeometry,
    round_input: RoundInput,
    couriers: list[CourierState],
    index: int,
    free_at: dict[str, float],
) -> _Direct:
    """Shipment ``index`` alone on the courier that gets it there first, each courier
    leaving the hub once back and free (``free_at``) and the shipment packed."""
    shipment = round_input.shipments[index]
    best = _Direct(math.inf, -1, math.inf)
    for k, courier in enumerate(couriers):
        if shipment.items > courier.capacity_items:
            continue
        minutes = geometry.minutes[Mode(courier.mode)]
        depart = max(free_at[courier.id], shipment.ready_at, round_input.now)
        eta = max(depart + round_input.hub_handover_minutes + float(minutes[0, index + 1]), shipment.due_from)
        back = eta + shipment.service_minutes + float(minutes[index + 1, 0])
        if back <= courier.shift_ends_at and eta < best.eta:
            best = _Direct(eta, k, back)
    return best


def _warm_start(problem: RoutingProblem) -> list[tuple[int, list[list[int]]]]:
    """One shipment per trip, most urgent first, each on the vehicle that delivers it first,
    kept only when it is on time: a feasible start, so the solver never returns less
    than the obvious plan."""
    free = [max(0.0, v.tw_early) for v in problem.vehicle_types]
    trips: dict[int, list[list[int]]] = {}
    for c in sorted(range(len(problem.clients)), key=lambda c: (problem.clients[c].tw_late, c)):
        client = problem.clients[c]
        best: tuple[float, float, int] | None = None
        for k, vehicle in enumerate(problem.vehicle_types):
            if client.demand > vehicle.capacity:
                continue
            duration = problem.durations[vehicle.profile]
            depart = max(free[k], client.release)
            start = max(depart + float(duration[0, client.location]), client.tw_early)
            back = start + client.service + float(duration[client.location, 0])
            if start <= client.tw_late and back <= vehicle.tw_late and (best is None or start < best[0]):
                best = (start, back, k)
        if best is not None:
            free[best[2]] = best[1]
            trips.setdefault(best[2], []).append([c])
    return sorted(trips.items())
