from __future__ import annotations

import numpy as np
from django.contrib.auth.models import Group

from hyperlocal.dispatch.models import Shift
from hyperlocal.simulation.demo.couriers import PER_HUB, SHIFT_DAYS, create_couriers
from tests.dispatch.conftest import Fleet
from tests.factories import UserFactory


def test_demo_couriers_have_shifts_and_only_the_login_is_not_simulated(fleet: Fleet) -> None:
    login = UserFactory(username="demo-courier")
    group = Group.objects.create(name="couriers for the test")
    couriers = create_couriers([fleet.hub], login, group, np.random.default_rng(1), now=fleet.now)
    assert len(couriers) == PER_HUB
    assert [c.simulated for c in couriers] == [False] + [True] * (PER_HUB - 1)
    assert couriers[0].user_id == login.pk
    shifts = Shift.objects.filter(courier__in=couriers)
    assert shifts.count() == PER_HUB * SHIFT_DAYS
    today = shifts.filter(courier=couriers[1], starts_at__lte=fleet.now, ends_at__gt=fleet.now)
    assert today.count() == 1  # 10:00 on the fixture's day is within the demo day
