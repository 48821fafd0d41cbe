"""Dispatch rounds: read the hub's open shipments and couriers, let a strategy plan the next
trip of each courier, write the plan.

Locking, in this order: the hub's HubDispatch row (rounds of one hub run one at a time),
then the round's shipments by id, then the hub's planned trips. A courier's pick-up locks
orders, then shipments by id, then the trip: a shipment picked up while the round was
deciding is seen after the lock and left alone (never reassigned); one picked up after the
lock waits for the round to commit and then takes the trip the round wrote.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from time import perf_counter

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hyperlocal.dispatch.errors import RoundUnavailable
from hyperlocal.dispatch.models import (
    DispatchRound,
    HubDispatch,
    ShipmentDispatch,
    Trip,
    TripStatus,
    TripStop,
)
from hyperlocal.dispatch.services.records import LateReason, ensure_records
from hyperlocal.dispatch.services.snapshot import OPEN_STATUSES, Snapshot, at, take_snapshot
from hyperlocal.errors import DomainError
from hyperlocal.geo import TravelTimeModel, TravelTimeUnavailable
from hyperlocal.hubs.models import Hub
from hyperlocal.hubs.services.service_area import default_travel_model
from hyperlocal.optim.dispatch import DispatchStrategy, GreedyDispatch, RoundPlan, strategy_named
from hyperlocal.orders.models import Shipment

__all__ = ["RoundOutcome", "run_due_rounds", "run_round"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoundOutcome:
    round: DispatchRound
    assigned: dict[int, int] = field(default_factory=dict)  # shipment id -> courier id
    waiting: tuple[int, ...] = ()
    late: tuple[int, ...] = ()
    skipped: tuple[int, ...] = ()  # picked up (or cancelled) while the round decided


def _strategy(strategy: DispatchStrategy | str | None) -> DispatchStrategy:
    if strategy is None:
        return strategy_named(settings.DISPATCH_STRATEGY)
    if isinstance(strategy, str):
        return strategy_named(strategy)
    return strategy


def _decide(
    strategy: DispatchStrategy, snap: Snapshot, travel: TravelTimeModel
) -> tuple[RoundPlan, str, str]:
    """The plan, the strategy's name and a note. A failing strategy falls back to greedy
    (a round never fails for want of a clever plan); only the travel model failing stops it."""
    try:
        return strategy.plan(snap.round_input, travel), strategy.name, ""
    except TravelTimeUnavailable:
        raise
    except Exception as exc:  # the solver's own failure: say so and plan greedily
        log.exception("dispatch strategy %s failed at hub %s", strategy.name, snap.round_input.hub_id)
        fallback = GreedyDispatch()
        note = f"{strategy.name} failed ({type(exc).__name__}); planned greedily"
        return fallback.plan(snap.round_input, travel), fallback.name, note


def run_round(
    hub: Hub, *, now: datetime | None = None, strategy: DispatchStrategy | str | None = None
) -> RoundOutcome:
    """Plan the hub's shipments that no courier has picked up, in one transaction.

    Replaces the hub's planned trips (not yet picked up) with the new plan, sets each open
    shipment's dispatch record (courier, eta, late flag and why) and Shipment.estimated_at
    (the honest estimate; promised_by never changes), and logs the round. RoundUnavailable
    (503) when the travel-time model does not answer; nothing is written then."""
    now = now or timezone.now()
    chosen = _strategy(strategy)
    travel = default_travel_model()
    with transaction.atomic():
        HubDispatch.objects.bulk_create([HubDispatch(hub=hub)], ignore_conflicts=True)
        state = HubDispatch.objects.select_for_update().get(hub=hub)
        try:
            snap = take_snapshot(hub, now, travel)
            started = perf_counter()
            plan, name, note = _decide(chosen, snap, travel)
            seconds = perf_counter() - started
        except TravelTimeUnavailable as exc:
            raise RoundUnavailable(
                f"the travel-time model is unavailable ({exc}); nothing was changed"
            ) from None
        outcome = _write(hub, snap, plan, now, name=name, seconds=seconds, note=note)
        state.last_round_at = now
        state.save(update_fields=["last_round_at"])
    return outcome


def _still_open(ids: Iterable[int]) -> tuple[dict[int, Shipment], set[int]]:
    """Lock the shipments by id; return the ones still open and the ids that are not."""
    wanted = sorted(ids)
    locked = {s.pk: s for s in Shipment.objects.select_for_update().filter(pk__in=wanted).order_by("pk")}
    carried = set(
        TripStop.objects.filter(shipment_id__in=wanted, live=True, trip__status=TripStatus.OUT).values_list(
            "shipment_id", flat=True
        )
    )
    open_ = {pk: s for pk, s in locked.items() if s.status in OPEN_STATUSES and pk not in carried}
    return open_, set(wanted) - set(open_)


def _finite(minutes: float) -> bool:
    return math.isfinite(minutes)


def _write(
    hub: Hub, snap: Snapshot, plan: RoundPlan, now: datetime, *, name: str, seconds: float, note: str
) -> RoundOutcome:
    open_, skipped = _still_open(int(i) for i in snap.shipments)
    list(Trip.objects.select_for_update().filter(hub=hub, status=TripStatus.PLANNED).order_by("pk"))
    Trip.objects.filter(hub=hub, status=TripStatus.PLANNED).delete()

    eta: dict[int, float] = {}
    courier_of: dict[int, int] = {}
    late = {int(i) for i in plan.late}
    stops: list[TripStop] = []
    for trip_plan in plan.trips:
        courier = snap.couriers.get(trip_plan.courier_id)
        kept = [ps for ps in trip_plan.stops if int(ps.shipment_id) in open_]
        if courier is None or not kept:
            continue
        trip = Trip.objects.create(
            courier=courier,
            hub=hub,
            depart_at=at(now, max(trip_plan.depart_at, 0.0)),
            distance_m=trip_plan.distance_m,
            planned_at=now,
        )
        for sequence, ps in enumerate(kept, start=1):
            pk = int(ps.shipment_id)
            eta[pk], courier_of[pk] = ps.eta, courier.pk
            if ps.late:
                late.add(pk)
            stops.append(TripStop(trip=trip, shipment_id=pk, sequence=sequence, eta=at(now, ps.eta)))
    TripStop.objects.bulk_create(stops)
    for sid, minutes in plan.waiting.items():
        if int(sid) in open_ and int(sid) not in courier_of:
            eta[int(sid)] = minutes

    _record(open_, eta, courier_of, late & set(open_), now, no_couriers=not snap.couriers)
    waiting = tuple(sorted(pk for pk in open_ if pk not in courier_of))
    flagged = tuple(sorted(late & set(open_)))
    logged = DispatchRound.objects.create(
        hub=hub,
        at=now,
        strategy=name,
        shipments=len(snap.shipments),
        couriers=len(snap.couriers),
        assigned=len(courier_of),
        waiting=len(waiting),
        late=len(flagged),
        skipped=len(skipped),
        seconds=round(seconds, 4),
        note=note[:300],
    )
    return RoundOutcome(logged, courier_of, waiting, flagged, tuple(sorted(skipped)))


def _reason(pk: int, late: bool, assigned: bool, minutes: float | None, no_couriers: bool) -> str:
    if not late:
        return ""
    if assigned:
        return LateReason.COURIER_LATE
    if no_couriers:
        return LateReason.NO_COURIER
    if minutes is None or not _finite(minutes):
        return LateReason.UNREACHABLE
    return LateReason.WAITING


def _record(
    open_: dict[int, Shipment],
    eta: dict[int, float],
    courier_of: dict[int, int],
    late: set[int],
    now: datetime,
    *,
    no_couriers: bool,
) -> None:
    """Each open shipment's dispatch record and honest estimate. A shipment no courier can
    reach has no estimate (None): the flag and its reason say why."""
    records = ensure_records(open_.keys())
    changed_shipments = []
    for pk, shipment in open_.items():
        record = records[pk]
        minutes = eta.get(pk)
        when = at(now, minutes) if minutes is not None and _finite(minutes) else None
        flagged = (
            pk in late
            or (when is not None and when > shipment.promised_by)
            or (minutes is not None and not _finite(minutes))
        )
        record.courier_id = courier_of.get(pk)
        record.eta = when
        record.late = flagged
        record.late_reason = _reason(pk, flagged, pk in courier_of, minutes, no_couriers)
        record.updated_at = now
        if shipment.estimated_at != when:
            shipment.estimated_at = when
            changed_shipments.append(shipment)
    ShipmentDispatch.objects.bulk_update(
        list(records.values()), ["courier", "eta", "late", "late_reason", "updated_at"]
    )
    Shipment.objects.bulk_update(changed_shipments, ["estimated_at"])


def run_due_rounds(now: datetime | None = None) -> int:
    """A round for every open hub that has something to plan (open shipments or planned
    trips); each in its own savepoint, so that one hub's failure spares the others. Returns
    the number of shipments assigned to a courier."""
    now = now or timezone.now()
    assigned = 0
    for hub in Hub.objects.filter(status=Hub.Status.OPEN).order_by("pk"):
        if not _has_work(hub):
            continue
        try:
            with transaction.atomic():
                assigned += len(run_round(hub, now=now).assigned)
        except DomainError as exc:
            log.warning("dispatch round at %s refused: %s", hub.slug, exc.message)
    return assigned


def _has_work(hub: Hub) -> bool:
    return (
        Shipment.objects.filter(hub=hub, status__in=OPEN_STATUSES).exists()
        or Trip.objects.filter(hub=hub, status=TripStatus.PLANNED).exists()
    )
