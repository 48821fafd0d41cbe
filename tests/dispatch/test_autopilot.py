from __future__ import annotations

from datetime import timedelta

from hyperlocal.dispatch.models import Shift, TripStop
from hyperlocal.dispatch.services import autopilot
from hyperlocal.dispatch.services.rounds import run_round
from hyperlocal.orders.models import OrderStatus
from tests.dispatch.conftest import NEAR, Fleet


def test_autopilot_clocks_in_picks_up_and_delivers(fleet: Fleet) -> None:
    courier = fleet.courier("robot", simulated=True, clocked_in=False)
    human = fleet.courier("minji", clocked_in=False)
    assert autopilot.advance(fleet.now) == 1  # the simulated courier clocks in, not the human
    assert Shift.objects.get(courier=courier).clocked_in_at == fleet.now
    assert Shift.objects.get(courier=human).clocked_in_at is None

    shipment = fleet.shipment(NEAR)
    run_round(fleet.hub, now=fleet.now, strategy="greedy")
    assert autopilot.advance(fleet.now) == 1  # picked up
    shipment.refresh_from_db()
    assert shipment.status == OrderStatus.OUT_FOR_DELIVERY

    eta = TripStop.objects.get(shipment=shipment).eta
    assert autopilot.advance(eta - timedelta(seconds=1)) == 0  # not there yet
    assert autopilot.advance(eta) == 1
    shipment.refresh_from_db()
    assert shipment.status == OrderStatus.DELIVERED
    assert shipment.delivered_at == eta


def test_autopilot_clocks_out_when_the_shift_ends(fleet: Fleet) -> None:
    courier = fleet.courier("robot", simulated=True, hours=2)
    end = Shift.objects.get(courier=courier).ends_at
    assert autopilot.advance(end) == 1
    assert Shift.objects.get(courier=courier).clocked_out_at == end
