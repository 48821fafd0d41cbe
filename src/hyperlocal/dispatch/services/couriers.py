"""Who is a courier, and their open shift."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser

from hyperlocal.accounts.models import User
from hyperlocal.dispatch.errors import NotACourier
from hyperlocal.dispatch.models import Courier, Shift

# A courier may clock in a little before the shift starts (arriving at the hub early).
EARLY_MINUTES = 15


def courier_of(user: User | AnonymousUser) -> Courier:
    """The user's courier profile (403 for anyone else, or an inactive courier)."""
    if not user.is_authenticated:
        raise NotACourier("log in as a courier first")
    courier = Courier.objects.select_related("home_hub", "user").filter(user_id=user.pk).first()
    if courier is None or not courier.is_active:
        raise NotACourier()
    return courier


def open_shift(courier: Courier) -> Shift | None:
    """The shift the courier is clocked in to, if any."""
    return Shift.objects.filter(
        courier=courier, clocked_in_at__isnull=False, clocked_out_at__isnull=True
    ).first()


def lock_open_shift(courier: Courier) -> Shift | None:
    """Lock the courier's open shift (inside the caller's transaction) and return it, or None
    when not clocked in. Every change that depends on a courier being on shift takes this lock
    before the courier's trips (clock-out, pick-up, a round's write), so that they serialise."""
    # of=self and an explicit order: Shift's Meta ordering joins the courier and user rows,
    # which FOR UPDATE would lock as well.
    return (
        Shift.objects.select_for_update(of=("self",))
        .filter(courier=courier, clocked_in_at__isnull=False, clocked_out_at__isnull=True)
        .order_by("pk")
        .first()
    )


def shift_at(courier: Courier, at: datetime) -> Shift | None:
    """The shift the courier may clock in to at `at`: one not clocked out whose span covers it
    (clocking in up to EARLY minutes before the start is fine)."""
    return (
        Shift.objects.filter(
            courier=courier,
            starts_at__lte=at + timedelta(minutes=EARLY_MINUTES),
            ends_at__gt=at,
            clocked_out_at__isnull=True,
        )
        .order_by("starts_at")
        .first()
    )


def next_shift(courier: Courier, at: datetime) -> Shift | None:
    return (
        Shift.objects.filter(courier=courier, ends_at__gt=at, clocked_out_at__isnull=True)
        .order_by("starts_at")
        .first()
    )
