"""Clocking in and out. A courier clocks in only during a planned shift; clocking out
refuses while they still carry shipments, and gives their planned trip back to the next
round."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from hyperlocal.dispatch.errors import NoShiftNow
from hyperlocal.dispatch.models import Courier, Shift, ShipmentDispatch, Trip, TripStatus
from hyperlocal.dispatch.services.couriers import lock_open_shift, open_shift, shift_at
from hyperlocal.errors import Conflict

__all__ = ["clock_in", "clock_out"]


def clock_in(courier: Courier, *, at: datetime | None = None) -> Shift:
    """Clock in to the shift that covers `at` (409 no_shift_now without one, 409
    already_clocked_in when a shift is open). One conditional UPDATE; the database keeps a
    courier to one open shift even when two requests race."""
    at = at or timezone.now()
    if not courier.is_active:
        raise Conflict("this courier is not active", code="courier_inactive")
    if open_shift(courier) is not None:
        raise Conflict("you are already clocked in", code="already_clocked_in")
    shift = shift_at(courier, at)
    if shift is None:
        raise NoShiftNow(
            f"you have no shift at {timezone.localtime(at):%H:%M}: "
            "ask your hub to plan one before clocking in"
        )
    try:
        with transaction.atomic():
            done = Shift.objects.filter(pk=shift.pk, clocked_in_at__isnull=True).update(clocked_in_at=at)
    except IntegrityError:  # another request clocked in meanwhile
        done = 0
    if not done:
        raise Conflict("you are already clocked in", code="already_clocked_in")
    shift.refresh_from_db()
    return shift


def clock_out(courier: Courier, *, at: datetime | None = None) -> Shift:
    """Clock out of the open shift (409 not_clocked_in without one; 409 still_carrying while
    a picked-up trip has stops left). The courier's planned trip, not yet picked up, is
    dropped: its shipments wait for the next round."""
    at = at or timezone.now()
    with transaction.atomic():
        # Locks: the open shift, then the courier's trips (the order pick_up takes them in
        # too, after the orders and shipments), so a pick-up and a clock-out serialise.
        shift = lock_open_shift(courier)
        if shift is None:
            raise Conflict("you are not clocked in", code="not_clocked_in")
        trips = list(
            Trip.objects.select_for_update()
            .filter(courier=courier, status__in=[TripStatus.PLANNED, TripStatus.OUT])
            .order_by("pk")
        )
        if any(t.status == TripStatus.OUT for t in trips):
            raise Conflict(
                "deliver (or report as failed) the shipments you carry before clocking out",
                code="still_carrying",
            )
        planned = [t.pk for t in trips]
        if planned:
            ShipmentDispatch.objects.filter(
                courier=courier, shipment__trip_stops__trip_id__in=planned
            ).update(courier=None, updated_at=at)
            Trip.objects.filter(pk__in=planned, status=TripStatus.PLANNED).delete()
        shift.clocked_out_at = max(at, shift.clocked_in_at or at)
        shift.save(update_fields=["clocked_out_at"])
    return shift
