"""Dispatch rounds: read the hub's open shipments and couriers, let a strategy plan the next
trip of each courier, write the plan.

A round reads its snapshot and lets the strategy decide outside any transaction (the solver
may take DISPATCH_TIME_LIMIT_S; on SQLite a transaction would hold the write lock all that
time), then writes in a transaction of its own that re-checks what changed meanwhile under
locks. Contract: call `run_round` outside a transaction. Inside one it still works (its write
becomes a savepoint), but the caller holds the locks longer, and on SQLite the snapshot's
reads and the write share one transaction.

Locking in the write, in this order: the hub's HubDispatch row (writes of one hub run one at
a time), then the round's shipments by id, then the open shifts of the round's couriers (by
courier), then the hub's planned trips. A courier's pick-up locks orders, then shipments by
id, then the courier's open shift, then the trip; a clock-out the shift, then the trips. A
shipment picked up while the round was deciding is seen after the lock and left alone
(never reassigned); a courier who clocked out meanwhile gets no trip; a pick-up after the
lock waits for the round to commit and then takes the trip the round wrote.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from time import perf_counter

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from hyperlocal.dispatch.errors import RoundUnavailable
from hyperlocal.dispatch.models import (
    DispatchRound,
    HubDispatch,
    Shift,
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
from hyperlocal.orders.services.lifecycle import set_estimates

__all__ = ["HubRound", "RoundOutcome", "run_due_rounds", "run_round", "run_rounds"]

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
    """Plan the hub's shipments that no courier has picked up.

    Reads and decides outside a transaction, then writes in one (see the module's contract:
    call it outside a transaction). Replaces the hub's planned trips (not yet picked up) with
    the new plan, sets each open shipment's dispatch record (courier, eta, late flag and why)
    and its honest estimate through orders (promised_by never changes), and logs the round.
    RoundUnavailable (503) when the travel-time model does not answer; nothing is written
    then."""
    now = now or timezone.now()
    chosen = _strategy(strategy)
    travel = default_travel_model()
    try:
        snap = take_snapshot(hub, now, travel)
        started = perf_counter()
        plan, name, note = _decide(chosen, snap, travel)
        seconds = perf_counter() - started
    except TravelTimeUnavailable as exc:
        raise RoundUnavailable(f"the travel-time model is unavailable ({exc}); nothing was changed") from None
    with transaction.atomic():
        HubDispatch.objects.bulk_create([HubDispatch(hub=hub)], ignore_conflicts=True)
        state = HubDispatch.objects.select_for_update().get(hub=hub)
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


def _still_on_shift(courier_ids: Iterable[int]) -> set[int]:
    """Lock the open shifts of these couriers (by courier); return who is still clocked in."""
    shifts = (
        Shift.objects.select_for_update(of=("self",))
        .filter(courier_id__in=sorted(courier_ids), clocked_in_at__isnull=False, clocked_out_at__isnull=True)
        .order_by("courier_id")
        .values_list("courier_id", flat=True)
    )
    return set(shifts)


def _finite(minutes: float) -> bool:
    return math.isfinite(minutes)


def _write(
    hub: Hub, snap: Snapshot, plan: RoundPlan, now: datetime, *, name: str, seconds: float, note: str
) -> RoundOutcome:
    open_, skipped = _still_open(int(i) for i in snap.shipments)
    on_shift = _still_on_shift(c.pk for c in snap.couriers.values())
    replaced = list(
        Trip.objects.select_for_update()
        .filter(hub=hub, status=TripStatus.PLANNED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    was_planned = set(TripStop.objects.filter(trip_id__in=replaced).values_list("shipment_id", flat=True))
    Trip.objects.filter(pk__in=replaced, status=TripStatus.PLANNED).delete()

    eta: dict[int, float] = {}
    courier_of: dict[int, int] = {}
    late = {int(i) for i in plan.late}
    stops: list[TripStop] = []
    for trip_plan in plan.trips:
        courier = snap.couriers.get(trip_plan.courier_id)
        kept = [ps for ps in trip_plan.stops if int(ps.shipment_id) in open_]
        if courier is None or courier.pk not in on_shift or not kept:
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
    _unassign_unseen(was_planned - set(open_), now)
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
    estimates: dict[int, datetime | None] = {}
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
            estimates[pk] = when
    ShipmentDispatch.objects.bulk_update(
        list(records.values()), ["courier", "eta", "late", "late_reason", "updated_at"]
    )
    set_estimates(estimates)


def _unassign_unseen(shipment_ids: set[int], now: datetime) -> None:
    """Shipments whose planned trip this round replaced without having seen them (placed
    after its snapshot, planned by a round that wrote meanwhile): no courier until the next
    round plans them; unless a courier carries them by now."""
    if not shipment_ids:
        return
    carried = TripStop.objects.filter(
        shipment_id=OuterRef("shipment_id"), live=True, trip__status=TripStatus.OUT
    )
    ShipmentDispatch.objects.filter(shipment_id__in=shipment_ids).exclude(Exists(carried)).update(
        courier=None, updated_at=now
    )


@dataclass(frozen=True)
class HubRound:
    """One hub's round in a pass over several: its outcome, or why it has none."""

    hub: Hub
    outcome: RoundOutcome | None
    error: str = ""


def _own_savepoint() -> AbstractContextManager[object]:
    """A savepoint when a caller's transaction is open (a failed hub must not break it), else
    nothing: run_round opens its own transaction for the write."""
    return transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext()


def run_rounds(
    hubs: Iterable[Hub], *, now: datetime | None = None, strategy: DispatchStrategy | str | None = None
) -> list[HubRound]:
    """A round for each hub, one after the other, each written in its own transaction: a
    hub whose round is refused (DomainError) or fails (any exception, logged with the hub) is
    reported and the others still run."""
    results = []
    for hub in hubs:
        try:
            with _own_savepoint():
                outcome = run_round(hub, now=now, strategy=strategy)
        except DomainError as exc:
            log.warning("dispatch round at %s refused: %s", hub.slug, exc.message)
            results.append(HubRound(hub, None, exc.message))
        except Exception as exc:
            log.exception("dispatch round at %s failed", hub.slug)
            results.append(HubRound(hub, None, f"the round failed ({type(exc).__name__}: {exc})"))
        else:
            results.append(HubRound(hub, outcome))
    return results


def run_due_rounds(now: datetime | None = None) -> int:
    """A round for every open hub that has something to plan (open shipments or planned
    trips), through run_rounds: one hub's failure spares the others. Returns the number of
    shipments assigned to a courier."""
    now = now or timezone.now()
    hubs = [hub for hub in Hub.objects.filter(status=Hub.Status.OPEN).order_by("pk") if _has_work(hub)]
    return sum(len(r.outcome.assigned) for r in run_rounds(hubs, now=now) if r.outcome is not None)


def _has_work(hub: Hub) -> bool:
    return (
        Shipment.objects.filter(hub=hub, status__in=OPEN_STATUSES).exists()
        or Trip.objects.filter(hub=hub, status=TripStatus.PLANNED).exists()
    )
