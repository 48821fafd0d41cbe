from __future__ import annotations

from datetime import timedelta

import pytest

from hyperlocal.dispatch.errors import NoShiftNow
from hyperlocal.dispatch.models import Shift, Trip
from hyperlocal.dispatch.services import shifts
from hyperlocal.dispatch.services.rounds import run_round
from hyperlocal.errors import Conflict
from tests.dispatch.conftest import Fleet


def test_clock_in_during_the_shift_and_out_again(fleet: Fleet) -> None:
    courier = fleet.courier("minji", clocked_in=False)
    shift = shifts.clock_in(courier, at=fleet.now)
    assert shift.clocked_in_at == fleet.now
    out = shifts.clock_out(courier, at=fleet.now + timedelta(hours=2))
    assert out.pk == shift.pk
    assert out.clocked_out_at == fleet.now + timedelta(hours=2)


def test_no_shift_means_no_clock_in(fleet: Fleet) -> None:
    courier = fleet.courier("minji", clocked_in=False)
    Shift.objects.filter(courier=courier).delete()
    with pytest.raises(NoShiftNow) as caught:
        shifts.clock_in(courier, at=fleet.now)
    assert caught.value.status_code == 409
    assert caught.value.code == "no_shift_now"


def test_a_shift_that_ended_does_not_count(fleet: Fleet) -> None:
    courier = fleet.courier("minji", clocked_in=False, hours=0.5)  # started an hour ago
    with pytest.raises(NoShiftNow):
        shifts.clock_in(courier, at=fleet.now)
    assert not Shift.objects.filter(courier=courier, clocked_in_at__isnull=False).exists()


def test_clocking_in_twice_is_refused(fleet: Fleet) -> None:
    courier = fleet.courier("minji")
    with pytest.raises(Conflict) as caught:
        shifts.clock_in(courier, at=fleet.now)
    assert caught.value.code == "already_clocked_in"


def test_clock_out_without_clock_in_is_refused(fleet: Fleet) -> None:
    courier = fleet.courier("minji", clocked_in=False)
    with pytest.raises(Conflict) as caught:
        shifts.clock_out(courier, at=fleet.now)
    assert caught.value.code == "not_clocked_in"


def test_clock_out_gives_the_planned_trip_back(fleet: Fleet) -> None:
    courier = fleet.courier("minji")
    shipment = fleet.shipment()
    run_round(fleet.hub, now=fleet.now, strategy="greedy")
    assert Trip.objects.filter(courier=courier, status="planned").exists()
    shifts.clock_out(courier, at=fleet.now)
    assert not Trip.objects.filter(courier=courier).exists()
    shipment.dispatch.refresh_from_db()
    assert shipment.dispatch.courier_id is None
