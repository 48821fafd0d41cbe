from __future__ import annotations

from datetime import timedelta

from hyperlocal.dispatch.models import Shift, TripStop
from hyperlocal.dispatch.services import autopilot
from hyperlocal.dispatch.services.rounds import run_round
from hyperlocal.inventory.models import Stock
from hyperlocal.orders.models import LineStatus, OrderEvent, OrderLine, OrderStatus, Shipment
from tests.dispatch.conftest import NEAR, Fleet
from tests.factories import UserFactory


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


# --- the demo's pickers ----------------------------------------------------------------------


def _placed(fleet: Fleet, **kwargs: object) -> Shipment:
    return fleet.world.order([(fleet.world.apple, 3, "allow")], now=fleet.now, **kwargs).shipments.get()  # type: ignore[arg-type]


def test_pick_waiting_packs_what_nobody_started_as_the_hubs_operator(fleet: Fleet) -> None:
    shipment = _placed(fleet)
    on_hand, reserved = fleet.world.stock(fleet.world.apple)
    assert autopilot.pick_waiting(fleet.now + timedelta(minutes=2), after_minutes=3) == 0  # not yet
    assert autopilot.pick_waiting(fleet.now + timedelta(minutes=3), after_minutes=3) == 1
    shipment.refresh_from_db()
    assert shipment.status == OrderStatus.PACKED
    assert list(OrderLine.objects.filter(shipment=shipment).values_list("status", "picked_quantity")) == [
        (LineStatus.PICKED, 3)
    ]
    assert fleet.world.stock(fleet.world.apple) == (on_hand - 3, reserved - 3)
    moves = OrderEvent.objects.filter(order_id=shipment.order_id).exclude(kind="placed")
    assert {e.actor_id for e in moves} == {fleet.world.operator.pk}
    assert autopilot.pick_waiting(fleet.now + timedelta(minutes=9), after_minutes=3) == 0  # done once


def test_pick_waiting_leaves_human_picking_and_later_slots_alone(fleet: Fleet) -> None:
    started = _placed(fleet)
    Shipment.objects.filter(pk=started.pk).update(status=OrderStatus.PICKING)
    later = _placed(fleet, slot=True)
    Shipment.objects.filter(pk=later.pk).update(
        promised_from=fleet.now + timedelta(hours=5), promised_by=fleet.now + timedelta(hours=6)
    )
    assert autopilot.pick_waiting(fleet.now + timedelta(minutes=10), after_minutes=3) == 0
    assert Shipment.objects.get(pk=started.pk).status == OrderStatus.PICKING
    assert Shipment.objects.get(pk=later.pk).status == OrderStatus.PLACED


def test_a_shipment_the_services_refuse_stays_placed_with_nothing_written(fleet: Fleet) -> None:
    shipment = _placed(fleet)
    Stock.objects.filter(hub=fleet.hub, product=fleet.world.apple).update(reserved=0)  # stock corrected
    events = OrderEvent.objects.filter(order_id=shipment.order_id).count()
    assert autopilot.pick_waiting(fleet.now + timedelta(minutes=5), after_minutes=3) == 0
    shipment.refresh_from_db()
    assert shipment.status == OrderStatus.PLACED
    assert OrderEvent.objects.filter(order_id=shipment.order_id).count() == events
    assert OrderLine.objects.get(shipment=shipment).status == LineStatus.PENDING


def test_without_an_operator_a_platform_admin_picks_and_without_either_nobody(fleet: Fleet) -> None:
    fleet.hub.operators.clear()
    shipment = _placed(fleet)
    assert autopilot.picker_for(fleet.hub) is None
    assert autopilot.pick_waiting(fleet.now + timedelta(minutes=5), after_minutes=3) == 0
    admin = UserFactory(username="root", is_superuser=True)
    assert autopilot.picker_for(fleet.hub) == admin
    assert autopilot.pick_waiting(fleet.now + timedelta(minutes=5), after_minutes=3) == 1
    assert Shipment.objects.get(pk=shipment.pk).status == OrderStatus.PACKED
