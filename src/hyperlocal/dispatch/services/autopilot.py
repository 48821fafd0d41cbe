"""The demo's autopilots, so that the demo lives while nobody clicks.

`advance`: simulated couriers (the demo's couriers without a login) clock in when a shift
starts, out when it ends and nothing is carried; pick up a planned trip when it is due and
packed; deliver each stop at its eta (delivery.deliver_simulated: the right code, no try).

`pick_waiting`: simulated pickers. A shipment nobody has started picking within a few
minutes of its order is started, every line picked in full (short, as the picking service
records it, when the hub cannot take the units) and packed. The actor is the hub's operator
(the demo operator runs two hubs), else the first platform admin, so that the order's events
name a person who may run the hub; human pickers on the board are never overtaken, since
only shipments still `placed` are taken. Run by the worker only with DISPATCH_AUTOPICK on.

Each move goes through the same services a courier's phone or the hub's board calls, each in
its own savepoint: a move refused (say, a round replaced the trip meanwhile, or an operator
started picking first) is skipped and retried next time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.accounts.roles import Role
from hyperlocal.dispatch.models import Shift, Trip, TripStatus, TripStop
from hyperlocal.dispatch.services import delivery, shifts
from hyperlocal.dispatch.services.snapshot import SLOT_HORIZON
from hyperlocal.errors import DomainError
from hyperlocal.hubs.models import Hub
from hyperlocal.orders.models import LineStatus, OrderLine, OrderStatus, PromiseKind, Shipment
from hyperlocal.orders.services.picking import pack, record_pick, start_picking

__all__ = ["PICKS_PER_RUN", "PICK_AFTER_MINUTES", "advance", "pick_waiting"]

# A shipment nobody started within this many minutes of its order goes to the autopilot.
PICK_AFTER_MINUTES = 3.0
# At most this many shipments per run, oldest first (the job stays short; the rest wait).
PICKS_PER_RUN = 50

log = logging.getLogger(__name__)


def _attempt(move: Callable[[], object], what: str) -> int:
    try:
        with transaction.atomic():
            move()
    except DomainError as exc:
        log.info("autopilot: %s skipped: %s", what, exc.message)
        return 0
    return 1


def advance(now: datetime | None = None) -> int:
    """Move every simulated courier on to `now`; returns the number of moves made."""
    now = now or timezone.now()
    moves = 0
    due_in = Shift.objects.filter(
        courier__simulated=True,
        courier__is_active=True,
        starts_at__lte=now,
        ends_at__gt=now,
        clocked_in_at__isnull=True,
        clocked_out_at__isnull=True,
    ).select_related("courier")
    for shift in due_in:
        if not Shift.objects.filter(
            courier=shift.courier, clocked_in_at__isnull=False, clocked_out_at__isnull=True
        ).exists():
            moves += _attempt(partial(shifts.clock_in, shift.courier, at=now), f"clock in {shift.courier_id}")

    stops = (
        TripStop.objects.filter(
            live=True, trip__status=TripStatus.OUT, trip__courier__simulated=True, eta__lte=now
        )
        .select_related("trip__courier__user", "shipment")
        .order_by("eta", "pk")
    )
    for stop in stops:
        # The worker runs this in its job's transaction: deliver (for people at the door,
        # counting each code's try in a transaction of its own) refuses to run inside one.
        moves += _attempt(
            partial(delivery.deliver_simulated, stop.trip.courier.user, stop.shipment, at=now),
            f"deliver {stop.shipment_id}",
        )

    trips = (
        Trip.objects.filter(status=TripStatus.PLANNED, courier__simulated=True, depart_at__lte=now)
        .exclude(courier__trips__status=TripStatus.OUT)
        .exclude(stops__shipment__status__in=[OrderStatus.PLACED, OrderStatus.PICKING])
        .select_related("courier__user")
        .prefetch_related("stops__shipment")
        .distinct()
    )
    for trip in trips:
        first = min(trip.stops.all(), key=lambda st: st.sequence, default=None)
        if first is not None:
            moves += _attempt(
                partial(delivery.pick_up, trip.courier.user, first.shipment, at=now),
                f"pick up trip {trip.pk}",
            )

    ending = Shift.objects.filter(
        courier__simulated=True, clocked_in_at__isnull=False, clocked_out_at__isnull=True, ends_at__lte=now
    ).select_related("courier")
    for shift in ending:
        if not Trip.objects.filter(courier=shift.courier, status=TripStatus.OUT).exists():
            moves += _attempt(
                partial(shifts.clock_out, shift.courier, at=now), f"clock out {shift.courier_id}"
            )
    return moves


def picker_for(hub: Hub) -> User | None:
    """Who picks for the autopilot: the hub's first operator, else the first platform admin."""
    operator = hub.operators.filter(is_active=True).order_by("pk").first()
    if operator is not None:
        return operator
    admins = User.objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Q(groups__name=str(Role.PLATFORM_ADMIN))
    )
    return admins.order_by("pk").first()


def _pick_and_pack(picker: User, shipment: Shipment, now: datetime) -> None:
    start_picking(picker, shipment, now=now)
    for line in OrderLine.objects.filter(shipment=shipment, status=LineStatus.PENDING).order_by("pk"):
        try:
            with transaction.atomic():
                record_pick(picker, line, picked=line.quantity, now=now)
        except DomainError:  # the hub cannot take the units: short, none found
            record_pick(picker, line, picked=0, now=now)
    pack(picker, shipment, now=now)


def pick_waiting(now: datetime | None = None, *, after_minutes: float = PICK_AFTER_MINUTES) -> int:
    """Start, pick and pack the shipments of open hubs still `placed` `after_minutes` after
    their order (slot shipments only once they would join the rounds); returns how many were
    packed. A shipment that cannot be packed (nothing found, no picker) stays as it was."""
    now = now or timezone.now()
    waiting = (
        Shipment.objects.filter(
            status=OrderStatus.PLACED,
            hub__status=Hub.Status.OPEN,
            order__placed_at__lte=now - timedelta(minutes=after_minutes),
        )
        .filter(Q(promise_kind=PromiseKind.INSTANT) | Q(promised_from__lte=now + SLOT_HORIZON))
        .select_related("hub")
        .order_by("order__placed_at", "pk")[:PICKS_PER_RUN]
    )
    packed = 0
    pickers: dict[int, User | None] = {}
    for shipment in waiting:
        if shipment.hub_id not in pickers:
            pickers[shipment.hub_id] = picker_for(shipment.hub)
        picker = pickers[shipment.hub_id]
        if picker is None:
            log.info("autopilot: nobody may pick at hub %s", shipment.hub_id)
            continue
        packed += _attempt(partial(_pick_and_pack, picker, shipment, now), f"pick {shipment.pk}")
    return packed
