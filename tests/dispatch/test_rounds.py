from __future__ import annotations

from datetime import timedelta

from hyperlocal.dispatch.models import DispatchRound, ShipmentDispatch, Trip, TripStop
from hyperlocal.dispatch.services import delivery
from hyperlocal.dispatch.services.rounds import run_due_rounds, run_round
from hyperlocal.orders.models import OrderStatus, Shipment
from tests.dispatch.conftest import FAR, NEAR, Fleet


def test_a_round_assigns_packed_shipments_and_logs_itself(fleet: Fleet) -> None:
    minji = fleet.courier("minji")
    shipment = fleet.shipment(NEAR)
    outcome = run_round(fleet.hub, now=fleet.now, strategy="greedy")
    assert outcome.assigned == {shipment.pk: minji.pk}
    stop = TripStop.objects.select_related("trip").get(shipment=shipment)
    assert stop.trip.courier_id == minji.pk
    assert stop.trip.status == "planned"
    assert stop.sequence == 1
    assert fleet.now < stop.eta < shipment.promised_by
    record = ShipmentDispatch.objects.get(shipment=shipment)
    assert record.courier_id == minji.pk
    assert record.eta == stop.eta
    assert not record.late
    assert len(record.proof_code) == 4
    assert record.proof_code.isdigit()
    shipment.refresh_from_db()
    assert shipment.estimated_at == stop.eta
    logged = DispatchRound.objects.get()
    assert (logged.strategy, logged.shipments, logged.couriers, logged.assigned) == ("greedy", 1, 1, 1)


def test_a_second_round_replaces_the_planned_trip_without_duplicates(fleet: Fleet) -> None:
    fleet.courier("minji")
    shipment = fleet.shipment(NEAR)
    run_round(fleet.hub, now=fleet.now, strategy="greedy")
    run_round(fleet.hub, now=fleet.now + timedelta(seconds=60), strategy="greedy")
    assert Trip.objects.count() == 1
    assert TripStop.objects.filter(shipment=shipment, live=True).count() == 1
    assert DispatchRound.objects.count() == 2


def test_a_picked_up_shipment_is_never_reassigned(fleet: Fleet) -> None:
    minji = fleet.courier("minji")
    fleet.courier("jisoo")
    first = fleet.shipment(NEAR)
    run_round(fleet.hub, now=fleet.now, strategy="greedy")
    carrier = Trip.objects.get(stops__shipment=first).courier
    delivery.pick_up(carrier.user, first, at=fleet.now)
    second = fleet.shipment(FAR)
    outcome = run_round(fleet.hub, now=fleet.now + timedelta(minutes=1), strategy="greedy")
    assert first.pk not in outcome.assigned
    assert second.pk in outcome.assigned
    assert outcome.assigned[second.pk] != carrier.pk  # the carrier is out, the other is idle
    stop = TripStop.objects.get(shipment=first, live=True)
    assert stop.trip.courier_id == carrier.pk
    assert stop.trip.status == "out"
    assert {minji.pk} <= set(Trip.objects.values_list("courier_id", flat=True))


def test_late_shipments_are_flagged_and_the_estimate_is_honest(fleet: Fleet) -> None:
    fleet.courier("minji")
    shipment = fleet.shipment(FAR, due_minutes=3)  # no bike gets there in 3 minutes
    promised = shipment.promised_by
    outcome = run_round(fleet.hub, now=fleet.now, strategy="greedy")
    assert shipment.pk in outcome.late
    record = ShipmentDispatch.objects.get(shipment=shipment)
    assert record.late
    assert record.late_reason
    shipment.refresh_from_db()
    assert shipment.promised_by == promised  # the promise never moves
    assert shipment.estimated_at is not None
    assert shipment.estimated_at > promised


def test_without_couriers_shipments_wait_flagged(fleet: Fleet) -> None:
    shipment = fleet.shipment(NEAR, due_minutes=20)
    outcome = run_round(fleet.hub, now=fleet.now, strategy="greedy")
    assert outcome.assigned == {}
    assert outcome.waiting == (shipment.pk,)
    assert not Trip.objects.exists()
    record = ShipmentDispatch.objects.get(shipment=shipment)
    assert record.courier_id is None
    logged = DispatchRound.objects.get()
    assert (logged.couriers, logged.waiting) == (0, 1)


def test_an_impossible_shipment_is_flagged_while_others_are_assigned(fleet: Fleet) -> None:
    fleet.courier("minji", capacity=4)
    fleet.courier("jisoo", capacity=4)
    fine = fleet.shipment(NEAR, units=2)
    impossible = fleet.shipment(FAR, units=9)  # more than any courier carries
    outcome = run_round(fleet.hub, now=fleet.now, strategy="greedy")
    assert fine.pk in outcome.assigned
    assert impossible.pk not in outcome.assigned
    assert impossible.pk in outcome.waiting
    assert ShipmentDispatch.objects.get(shipment=impossible).late


def test_the_optimised_strategy_writes_a_plan_too(fleet: Fleet) -> None:
    fleet.courier("minji", capacity=10)
    shipments = [fleet.shipment(p) for p in (NEAR, FAR)]
    outcome = run_round(fleet.hub, now=fleet.now, strategy="optimised")
    assert set(outcome.assigned) == {s.pk for s in shipments}
    assert TripStop.objects.filter(live=True).count() == 2
    assert DispatchRound.objects.get().strategy == "optimised"


def test_run_due_rounds_skips_hubs_without_work(fleet: Fleet) -> None:
    fleet.courier("minji")
    assert run_due_rounds(now=fleet.now) == 0
    assert not DispatchRound.objects.exists()
    fleet.shipment(NEAR)
    assert run_due_rounds(now=fleet.now) == 1
    assert DispatchRound.objects.filter(hub=fleet.hub).count() == 1


def test_cancelled_shipments_leave_the_plan(fleet: Fleet) -> None:
    fleet.courier("minji")
    shipment = fleet.shipment(NEAR)
    run_round(fleet.hub, now=fleet.now, strategy="greedy")
    Shipment.objects.filter(pk=shipment.pk).update(status=OrderStatus.CANCELLED)
    run_round(fleet.hub, now=fleet.now + timedelta(minutes=1), strategy="greedy")
    assert not TripStop.objects.filter(shipment=shipment).exists()
