"""The baseline: the nearest idle courier takes the oldest ready shipment, one per trip."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from hyperlocal.geo import Mode, TravelTimeModel, haversine_m

from .geometry import AT_HUB_M, RoundGeometry, is_late
from .model import CourierPlan, CourierState, PlannedStop, RoundInput, RoundPlan

__all__ = ["GreedyDispatch"]


@dataclass(frozen=True)
class _Ride:
    depart: float
    eta: float
    back: float


def _ride(
    geometry: RoundGeometry, round_input: RoundInput, courier: CourierState, index: int, free_at: float
) -> _Ride | None:
    """The courier's direct trip to shipment ``index`` from ``free_at`` on, if it fits."""
    shipment = round_input.shipments[index]
    if shipment.items > courier.capacity_items:
        return None
    minutes = geometry.minutes[Mode(courier.mode)]
    out = round_input.hub_handover_minutes + float(minutes[0, index + 1])
    # A scheduled slot: leave so as to arrive when the window opens, not hours early.
    depart = max(free_at, shipment.ready_at, round_input.now, shipment.due_from - out)
    eta = max(depart + out, shipment.due_from)
    back = eta + shipment.service_minutes + float(minutes[index + 1, 0])
    if not math.isfinite(back) or back > courier.shift_ends_at:
        return None
    return _Ride(depart, eta, back)


class GreedyDispatch:
    """The issue's baseline dispatcher, as a simple dispatcher works.

    Shipments are taken first come first served by ``ready_at``. A shipment that is ready
    (its departure would be now) goes to the idle courier (at the hub, carrying nothing,
    on shift) who reaches its door first, alone, departing now. Everything else waits; its
    estimate comes from playing the same rule forward (each waiting shipment, in order,
    takes the courier who would deliver it first once back at the hub), so it is honest
    about the queue in front of it. Carried shipments that will arrive after their promise
    are flagged late too.
    """

    name = "greedy"

    def plan(self, round_input: RoundInput, travel: TravelTimeModel) -> RoundPlan:
        started = time.perf_counter()
        geometry = RoundGeometry.of(round_input, travel)
        now = round_input.now
        idle = {
            c.id
            for c in round_input.couriers
            if not c.carrying
            and haversine_m(c.at, round_input.hub) <= AT_HUB_M
            and c.available_from <= now
            and c.shift_ends_at > now
        }
        free_at = dict(geometry.free_at)
        order = sorted(
            range(len(round_input.shipments)), key=lambda i: (round_input.shipments[i].ready_at, i)
        )
        trips: list[CourierPlan] = []
        waiting: dict[str, float] = {}
        late: set[str] = set()
        for index in order:
            shipment = round_input.shipments[index]
            rides = {
                c.id: ride
                for c in round_input.couriers
                if (ride := _ride(geometry, round_input, c, index, free_at[c.id])) is not None
            }
            now_rides = {cid: ride for cid, ride in rides.items() if cid in idle and ride.depart <= now}
            if now_rides:
                courier_id = min(now_rides, key=lambda cid: (now_rides[cid].eta, cid))
                ride = now_rides[courier_id]
                idle.discard(courier_id)
                mode = next(c.mode for c in round_input.couriers if c.id == courier_id)
                stop = PlannedStop(shipment.id, ride.eta, is_late(ride.eta, shipment.due_by))
                trips.append(CourierPlan(courier_id, now, (stop,), geometry.trip(mode, [index])))
            elif rides:
                courier_id = min(rides, key=lambda cid: (rides[cid].eta, cid))
                ride = rides[courier_id]
                waiting[shipment.id] = ride.eta
            else:
                waiting[shipment.id] = math.inf
                late.add(shipment.id)
                continue
            free_at[courier_id] = ride.back
            if is_late(ride.eta, shipment.due_by):
                late.add(shipment.id)
        late |= geometry.carried_late(round_input)
        return RoundPlan(
            hub_id=round_input.hub_id,
            trips=tuple(trips),
            waiting=waiting,
            late=frozenset(late),
            solve_seconds=time.perf_counter() - started,
        )
