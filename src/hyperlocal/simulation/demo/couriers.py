"""Couriers: six per hub, on bikes and scooters, each with a user in the courier group."""

from __future__ import annotations

import numpy as np
from django.contrib.auth.models import Group

from hyperlocal.accounts.models import User
from hyperlocal.dispatch.models import Courier
from hyperlocal.hubs.models import CourierMode, Hub
from hyperlocal.simulation.demo.people import USERNAME_PREFIX, create_people, korean_names

PER_HUB = 6
# What one trip can carry, in items: a bike's box and a scooter's top case plus bags.
CAPACITY = {CourierMode.BIKE: (8, 14), CourierMode.SCOOTER: (16, 28)}
MODES = (CourierMode.BIKE,) * 4 + (CourierMode.SCOOTER,) * 2


def create_couriers(
    hubs: list[Hub], demo_courier: User, group: Group, rng: np.random.Generator
) -> list[Courier]:
    """The demo courier login rides a bike for the first hub; the others cannot log in."""
    count = PER_HUB * len(hubs) - 1
    usernames = [f"{USERNAME_PREFIX}courier-{n:02d}" for n in range(2, count + 2)]
    users = [demo_courier, *create_people(usernames, korean_names(count, rng), group)]
    couriers = []
    for n, user in enumerate(users):
        hub, mode = hubs[n // PER_HUB], MODES[n % PER_HUB]
        low, high = CAPACITY[mode]
        couriers.append(
            Courier(user=user, mode=mode, capacity_items=int(rng.integers(low, high + 1)), home_hub=hub)
        )
    return Courier.objects.bulk_create(couriers)
