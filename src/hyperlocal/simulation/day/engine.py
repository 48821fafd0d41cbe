"""The event-driven day: orders placed and packed, dispatch rounds, couriers riding trips.

Hubs are independent (couriers belong to one hub, orders to one hub), so each hub runs on
its own event queue; ``run_day`` runs them one after the other or in worker processes.

When rounds run:
- every ``round_seconds`` of simulated time per hub, while the hub has open shipments;
- with ``event_rounds`` (the default for the greedy strategy) also the moment a shipment is
  packed, a courier returns to the hub or a shift starts, because a simple dispatcher hands
  a packed bag to an idle courier at once instead of waiting for the next tick.
A trip planned to depart later is held until then (a departure event) and may be replaced
by the next round; it is handed out only if the courier is at the hub and every bag is
packed. Plans the simulator cannot carry out (over capacity, back after the shift, a bag
already gone) are refused and counted, and their shipments stay open.

Packing times: rounds see an *estimate* of when a bag still being picked (or queued) will
be packed, from what the hub knows at that moment (``picking.ready_estimates``); the actual
packing time varies around the hub's estimate (``HubSpec.pick_cv``, seeded by
``DayConfig.seed``, identical for every strategy on one scenario). A bag packed later than
its estimate cannot leave earlier: a held trip due to depart waits at the hub for its last
bag (or the next round replans it). A bag packed earlier is ready earlier: the next round
sees it packed.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

from hyperlocal.geo import TravelTimeModel
from hyperlocal.optim.dispatch import CourierPlan, CourierState, DispatchStrategy, OpenShipment, RoundInput

from .picking import Packing, pack, ready_estimates
from .planar import speed_of
from .result import DayResult, Delivery, HubLog, RoundStat, Trip
from .scenario import CourierSpec, HubSpec, OrderSpec, Scenario

__all__ = ["DayConfig", "run_day", "simulate_hub"]

EPS = 1e-6
Progress = Callable[[float], None]


@dataclass(frozen=True)
class DayConfig:
    round_seconds: float = 60.0
    event_rounds: bool | None = None  # None: on for the greedy strategy only
    hub_handover_minutes: float = 1.0
    time_limit_s: float = 0.5  # RoundInput.time_limit_s (strategies may take their own budget)
    seed: int = 1
    # Couriers whose shift starts within this many minutes are shown to a round.
    lookahead_minutes: float = 30.0

    def events_for(self, strategy: DispatchStrategy) -> bool:
        return strategy.name == "greedy" if self.event_rounds is None else self.event_rounds


# Event kinds, in the order they are handled at one instant: state changes first, rounds
# last, so that a round sees everything that happened at its instant.
PLACED, PACKED, RETURNED, SHIFT_ON, DEPART, ROUND = range(6)


@dataclass
class _Courier:
    spec: CourierSpec
    free_at: float  # back at the hub (or shift start)
    held: CourierPlan | None = None
    held_version: int = 0


class _Hub:
    """One hub's day on its own event queue."""

    def __init__(
        self,
        hub: HubSpec,
        orders: Sequence[OrderSpec],
        couriers: Sequence[CourierSpec],
        strategy: DispatchStrategy,
        travel: TravelTimeModel,
        config: DayConfig,
    ) -> None:
        self.hub, self.strategy, self.travel, self.config = hub, strategy, travel, config
        self.orders = {o.id: o for o in orders}
        self.packing: dict[str, Packing] = pack(hub, orders, seed=config.seed)
        self.couriers = {c.id: _Courier(c, free_at=c.on_at) for c in couriers}
        self.open: dict[str, OrderSpec] = {}  # placed, not picked up
        self.events: list[tuple[float, int, int, str]] = []
        self.seq = 0
        self.deliveries: list[Delivery] = []
        self.trips: list[Trip] = []
        self.rounds: list[RoundStat] = []
        self.refused = 0
        self.event_rounds = config.events_for(strategy)
        self.last_event_round = -math.inf
        self.round_minutes = config.round_seconds / 60.0
        self.next_round: float | None = None
        for order in orders:
            self._push(order.placed_at, PLACED, order.id)
            self._push(self.packing[order.id].packed_at, PACKED, order.id)
        for courier in couriers:
            self._push(courier.on_at, SHIFT_ON, courier.id)

    def _push(self, at: float, kind: int, ref: str = "") -> None:
        self.seq += 1
        heapq.heappush(self.events, (at, kind, self.seq, ref))

    # --- the loop ------------------------------------------------------------------------

    def run(self, progress: Callable[[float], None] | None = None) -> HubLog:
        reported = 0.0
        while self.events:
            now, kind, _, ref = heapq.heappop(self.events)
            if kind == PLACED:
                self.open[ref] = self.orders[ref]
                self._schedule_round(now)
            elif kind == DEPART:
                self._depart_held(now, ref)
            elif kind == ROUND:
                self.next_round = None
                self._round(now, "clock")
                if self.open:
                    self._schedule_round(now + self.round_minutes)
            if kind in (PACKED, RETURNED, SHIFT_ON) and self.event_rounds and self.open:
                self._round(now, "event")
            if progress is not None and now - reported >= 15:
                reported = now
                progress(now)
        undelivered = tuple(sorted(self.open))
        return HubLog(
            self.hub.id,
            tuple(self.deliveries),
            tuple(self.trips),
            tuple(self.rounds),
            undelivered,
            self.refused,
        )

    def _schedule_round(self, now: float) -> None:
        # Clock rounds sit on a fixed grid (multiples of the round length).
        if self.next_round is None and self._any_courier_left(now):
            at = math.ceil(now / self.round_minutes - EPS) * self.round_minutes
            self.next_round = at
            self._push(at, ROUND)

    def _any_courier_left(self, now: float) -> bool:
        return any(c.spec.off_at > now for c in self.couriers.values())

    # --- rounds --------------------------------------------------------------------------

    def _state(self, courier: _Courier) -> CourierState:
        # Out on a trip, a courier is described as "at the hub from its return": the stops
        # it carries are fixed, and the exact return time is all a round needs (describing
        # it mid-ride would make the strategy guess where on the leg it is).
        spec = courier.spec
        return CourierState(
            id=spec.id,
            mode=spec.mode,
            capacity_items=spec.capacity_items,
            at=self.hub.point,
            shift_ends_at=spec.off_at,
            available_from=courier.free_at,
        )

    def _round(self, now: float, trigger: str) -> None:
        if not self.open:
            return
        horizon = now + self.config.lookahead_minutes
        couriers = [c for c in self.couriers.values() if c.spec.on_at <= horizon and c.spec.off_at > now]
        if not couriers:
            return
        if trigger == "event":
            # Greedy only acts on a ready bag and an idle courier: skip rounds with neither.
            ready = any(self.packing[o].packed_at <= now + EPS for o in self.open)
            idle = any(c.free_at <= now + EPS and c.spec.on_at <= now + EPS for c in couriers)
            if not (ready and idle):
                return
        # What the hub expects, never the actual packing time of a bag not yet packed.
        expected = ready_estimates(self.hub, self.open.values(), self.packing, now)
        shipments = tuple(
            OpenShipment(
                id=o.id,
                drop_off=o.drop_off,
                items=o.items,
                ready_at=expected[o.id],
                due_by=o.due_by,
                service_minutes=o.service_minutes,
            )
            for o in sorted(self.open.values(), key=lambda o: (expected[o.id], o.id))
        )
        round_input = RoundInput(
            hub_id=self.hub.id,
            hub=self.hub.point,
            now=now,
            shipments=shipments,
            couriers=tuple(self._state(c) for c in couriers),
            hub_handover_minutes=self.config.hub_handover_minutes,
            time_limit_s=self.config.time_limit_s,
            seed=self.config.seed + len(self.rounds),
        )
        started = time.perf_counter()
        plan = self.strategy.plan(round_input, self.travel)
        seconds = time.perf_counter() - started
        self.rounds.append(RoundStat(self.hub.id, now, len(shipments), len(couriers), seconds, trigger))
        for courier in self.couriers.values():
            courier.held = None  # a round replaces every trip not yet handed out
        taken: set[str] = set()
        for trip in plan.trips:
            courier_or_none = self.couriers.get(trip.courier_id)
            ids = [s.shipment_id for s in trip.stops]
            if courier_or_none is None or not ids or taken.intersection(ids) or len(set(ids)) < len(ids):
                self.refused += 1
                continue
            taken.update(ids)
            courier_or_none.held = trip
            courier_or_none.held_version += 1
            if trip.depart_at <= now + EPS:
                self._depart(courier_or_none, now)
            else:
                self._push(
                    trip.depart_at, DEPART, trip.courier_id + "\x00" + str(courier_or_none.held_version)
                )

    # --- trips ---------------------------------------------------------------------------

    def _depart_held(self, now: float, ref: str) -> None:
        courier_id, version = ref.split("\x00")
        courier = self.couriers[courier_id]
        if courier.held is not None and courier.held_version == int(version):
            self._depart(courier, now)

    def _depart(self, courier: _Courier, now: float) -> None:
        plan, courier.held = courier.held, None
        assert plan is not None
        spec = courier.spec
        ids = [s.shipment_id for s in plan.stops]
        orders = [self.open.get(i) for i in ids]
        if any(o is None for o in orders) or courier.free_at > now + EPS or spec.on_at > now + EPS:
            # Not possible now (a bag gone, the courier away): the next round replans.
            return
        last_bag = max(self.packing[i].packed_at for i in ids)
        if last_bag > now + EPS:
            # A bag packed later than the round expected: the courier waits at the hub for
            # it (unless the next round replans first).
            courier.held = plan
            self._push(last_bag, DEPART, spec.id + "\x00" + str(courier.held_version))
            return
        chosen = [o for o in orders if o is not None]
        items = sum(o.items for o in chosen)
        legs, arrivals, back = self._ride(spec, now, chosen)
        if items > spec.capacity_items or back > spec.off_at + EPS:
            self.refused += 1
            return
        speed = speed_of(self.travel, spec.mode)
        for order, arrival in zip(chosen, arrivals, strict=True):
            del self.open[order.id]
            self.deliveries.append(
                Delivery(
                    order_id=order.id,
                    hub_id=self.hub.id,
                    courier_id=spec.id,
                    placed_at=order.placed_at,
                    packed_at=self.packing[order.id].packed_at,
                    picked_up_at=now,
                    delivered_at=arrival,
                    due_by=order.due_by,
                )
            )
        path = (self.hub.point, *(o.drop_off for o in chosen), self.hub.point)
        self.trips.append(Trip(spec.id, self.hub.id, now, back, tuple(ids), items, sum(legs) * speed, path))
        courier.free_at = back
        self._push(back, RETURNED, spec.id)

    def _ride(
        self, spec: CourierSpec, now: float, orders: Sequence[OrderSpec]
    ) -> tuple[list[float], list[float], float]:
        """Leg minutes, arrival at each door, back at the hub."""
        points = [self.hub.point, *(o.drop_off for o in orders), self.hub.point]
        matrix = self.travel.minutes(points, points, spec.mode)
        legs = [float(matrix[k, k + 1]) for k in range(len(points) - 1)]
        clock = now + self.config.hub_handover_minutes
        arrivals = []
        for order, leg in zip(orders, legs, strict=False):
            clock += leg
            arrivals.append(clock)
            clock += order.service_minutes
        return legs, arrivals, clock + legs[-1]


def simulate_hub(
    hub: HubSpec,
    orders: Sequence[OrderSpec],
    couriers: Sequence[CourierSpec],
    strategy: DispatchStrategy,
    travel: TravelTimeModel,
    config: DayConfig = DayConfig(),
    progress: Callable[[float], None] | None = None,
) -> HubLog:
    return _Hub(hub, orders, couriers, strategy, travel, config).run(progress)


def _hub_job(
    args: tuple[HubSpec, list[OrderSpec], list[CourierSpec], DispatchStrategy, TravelTimeModel, DayConfig],
) -> HubLog:
    return simulate_hub(*args)


def run_day(
    scenario: Scenario,
    strategy: DispatchStrategy,
    config: DayConfig = DayConfig(),
    *,
    processes: int = 1,
    progress: Progress | None = None,
) -> DayResult:
    """Simulate the scenario's day with one strategy. The same scenario and config give the
    same result (seeded); two strategies on one scenario see the identical order stream.
    ``progress`` gets the share of the work done (0-1)."""
    started = time.perf_counter()
    end = max([o.placed_at for o in scenario.orders] + [c.off_at for c in scenario.couriers] + [1.0])
    jobs = [
        (
            hub,
            [o for o in scenario.orders if o.hub_id == hub.id],
            [c for c in scenario.couriers if c.hub_id == hub.id],
            strategy,
            scenario.travel,
            config,
        )
        for hub in scenario.hubs
    ]
    weights = [max(1, len(job[1])) for job in jobs]
    total = sum(weights)
    logs: list[HubLog] = []
    if processes > 1 and len(jobs) > 1:
        # fork: the children inherit the imported strategy code instead of importing it again.
        with ProcessPoolExecutor(processes, mp_context=get_context("fork")) as pool:
            done = 0
            for log, weight in zip(pool.map(_hub_job, jobs), weights, strict=True):
                logs.append(log)
                done += weight
                if progress is not None:
                    progress(done / total)
    else:
        done = 0
        for job, weight in zip(jobs, weights, strict=True):
            base = done

            def hub_progress(now: float, base: int = base, weight: int = weight) -> None:
                if progress is not None:
                    progress((base + weight * min(1.0, now / end)) / total)

            logs.append(simulate_hub(*job, progress=hub_progress))
            done += weight
            if progress is not None:
                progress(done / total)
    hours = max([o.placed_at for o in scenario.orders] + [0.0]) / 60
    return DayResult(
        strategy=strategy.name,
        scenario=scenario.name,
        start=scenario.start,
        hours=math.ceil(hours * 4) / 4,
        orders=len(scenario.orders),
        courier_minutes=sum(c.shift_minutes for c in scenario.couriers),
        logs=tuple(logs),
        wall_seconds=time.perf_counter() - started,
        settings={"round_seconds": config.round_seconds, "event_rounds": config.events_for(strategy)},
    )
