"""Couriers: six per hub, on bikes and scooters, each with a user in the courier group, and
their shifts for the coming week (the hubs' demo day, 09:30-22:30)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import numpy as np
from django.contrib.auth.models import Group
from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.dispatch.models import Courier, Shift
from hyperlocal.hubs.models import CourierMode, Hub
from hyperlocal.simulation.demo.hubs import distance_to_demo_home
from hyperlocal.simulation.demo.people import USERNAME_PREFIX, create_people, korean_names

PER_HUB = 6
# What one trip can carry, in items: a bike's box and a scooter's top case plus bags.
CAPACITY = {CourierMode.BIKE: (8, 14), CourierMode.SCOOTER: (16, 28)}
MODES = (CourierMode.BIKE,) * 4 + (CourierMode.SCOOTER,) * 2
# Every courier rides the whole demo day, today and the next days, so that a demo started
# later in the week still has couriers on shift.
SHIFT_HOURS = (time(9, 30), time(22, 30))
SHIFT_DAYS = 7


def create_couriers(
    hubs: list[Hub],
    demo_courier: User,
    group: Group,
    rng: np.random.Generator,
    *,
    now: datetime | None = None,
) -> list[Courier]:
    """The demo courier login rides a bike for the hub nearest the demo resident's home (where
    the resident's orders go), so that it can carry them; the others cannot log in and ride on
    autopilot (simulated), when the worker runs it."""
    hubs = sorted(hubs, key=distance_to_demo_home)
    count = PER_HUB * len(hubs) - 1
    usernames = [f"{USERNAME_PREFIX}courier-{n:02d}" for n in range(2, count + 2)]
    users = [demo_courier, *create_people(usernames, korean_names(count, rng), group)]
    couriers = []
    for n, user in enumerate(users):
        hub, mode = hubs[n // PER_HUB], MODES[n % PER_HUB]
        low, high = CAPACITY[mode]
        couriers.append(
            Courier(
                user=user,
                mode=mode,
                capacity_items=int(rng.integers(low, high + 1)),
                home_hub=hub,
                simulated=user.pk != demo_courier.pk,
            )
        )
    created = Courier.objects.bulk_create(couriers)
    Shift.objects.bulk_create([s for c in created for s in demo_shifts(c, now or timezone.now())])
    return created


def demo_shifts(courier: Courier, now: datetime) -> list[Shift]:
    zone = timezone.get_default_timezone()
    today = timezone.localtime(now).date()
    starts, ends = SHIFT_HOURS
    return [
        Shift(
            courier=courier,
            starts_at=datetime.combine(today + timedelta(days=n), starts, tzinfo=zone),
            ends_at=datetime.combine(today + timedelta(days=n), ends, tzinfo=zone),
        )
        for n in range(SHIFT_DAYS)
    ]
