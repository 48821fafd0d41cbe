"""The autopilot of simulated couriers (the demo's couriers without a login), so that the
demo lives: clock in when a shift starts, out when it ends and nothing is carried; pick up
a planned trip when it is due and packed; deliver each stop at its eta with the right code.

Each move goes through the same services a courier's phone calls, each in its own savepoint:
a move refused (say, a round replaced the trip meanwhile) is skipped and retried next time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from hyperlocal.dispatch.models import Shift, ShipmentDispatch, Trip, TripStatus, TripStop
from hyperlocal.dispatch.services import delivery, shifts
from hyperlocal.errors import DomainError
from hyperlocal.orders.models import OrderStatus

__all__ = ["advance"]

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
        code = (
            ShipmentDispatch.objects.filter(shipment_id=stop.shipment_id)
            .values_list("proof_code", flat=True)
            .first()
        )
        user = stop.trip.courier.user
        moves += _attempt(
            partial(delivery.deliver, user, stop.shipment, proof_code=code, at=now),
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
