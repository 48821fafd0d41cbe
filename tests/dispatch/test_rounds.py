from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.db import connection

from hyperlocal.dispatch.models import DispatchRound, ShipmentDispatch, Trip, TripStop
from hyperlocal.dispatch.services import delivery, rounds, shifts
from hyperlocal.dispatch.services.rounds import run_due_rounds, run_round
from hyperlocal.dispatch.services.snapshot import Snapshot
from hyperlocal.geo import TravelTimeModel
from hyperlocal.hubs.models import Hub
from hyperlocal.optim.dispatch import GreedyDispatch, RoundInput, RoundPlan
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


class _Meanwhile:
    """Greedy, but runs `meanwhile()` while it decides (after the snapshot, before the write):
    what other requests do while a round's solver runs."""

    name = "greedy"

    def __init__(self, meanwhile: Callable[[], object]) -> None:
        self.meanwhile = meanwhile
        self.depth: int | None = None

    def plan(self, round_input: RoundInput, travel: TravelTimeModel) -> RoundPlan:
        self.depth = len(connection.atomic_blocks)
        self.meanwhile()
        return GreedyDispatch().plan(round_input, travel)


def test_the_strategy_decides_outside_the_write_transaction(fleet: Fleet) -> None:
    fleet.courier("minji")
    fleet.shipment(NEAR)
    strategy = _Meanwhile(lambda: None)
    outer = len(connection.atomic_blocks)  # the test case's own transaction
    run_round(fleet.hub, now=fleet.now, strategy=strategy)
    assert strategy.depth == outer
    assert TripStop.objects.filter(live=True).count() == 1


def test_a_courier_who_clocks_out_while_the_round_decides_gets_no_trip(fleet: Fleet) -> None:
    minji = fleet.courier("minji")
    shipment = fleet.shipment(NEAR)
    strategy = _Meanwhile(lambda: shifts.clock_out(minji, at=fleet.now))
    outcome = run_round(fleet.hub, now=fleet.now, strategy=strategy)
    assert outcome.assigned == {}
    assert outcome.waiting == (shipment.pk,)
    assert not Trip.objects.exists()
    assert ShipmentDispatch.objects.get(shipment=shipment).courier_id is None


def test_a_round_that_replaces_a_newer_plan_unassigns_what_it_did_not_see(fleet: Fleet) -> None:
    fleet.courier("minji")
    fleet.courier("jisoo")
    seen = fleet.shipment(NEAR)
    unseen: list[Shipment] = []

    def another_round() -> None:  # a shipment placed and planned after this round's snapshot
        unseen.append(fleet.shipment(FAR))
        run_round(fleet.hub, now=fleet.now, strategy="greedy")

    run_round(fleet.hub, now=fleet.now, strategy=_Meanwhile(another_round))
    assert not TripStop.objects.filter(shipment=unseen[0]).exists()
    assert ShipmentDispatch.objects.get(shipment=unseen[0]).courier_id is None
    assert TripStop.objects.filter(shipment=seen, live=True).count() == 1
    # The next round plans it.
    run_round(fleet.hub, now=fleet.now + timedelta(minutes=1), strategy="greedy")
    assert ShipmentDispatch.objects.get(shipment=unseen[0]).courier_id is not None


def test_one_hub_failing_spares_the_others(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fleet.courier("minji")
    fleet.courier("jisoo", hub=fleet.world.other_hub)
    fleet.shipment(NEAR)
    other = fleet.world.order([(fleet.world.apple, 1, "allow")], split=[(fleet.world.pear, 1, "allow")])
    Shipment.objects.filter(order=other).update(
        status=OrderStatus.PACKED, promised_by=fleet.now + timedelta(hours=1)
    )
    real = rounds.take_snapshot
    broken = min(fleet.hub.pk, fleet.world.other_hub.pk)

    def snapshot(hub: Hub, now: datetime, travel: TravelTimeModel) -> Snapshot:
        if hub.pk == broken:
            raise ValueError("a bad row")
        return real(hub, now, travel)

    monkeypatch.setattr(rounds, "take_snapshot", snapshot)
    assigned = run_due_rounds(now=fleet.now)
    assert assigned >= 1
    assert list(DispatchRound.objects.values_list("hub_id", flat=True)) == [
        max(fleet.hub.pk, fleet.world.other_hub.pk)
    ]
    slug = Hub.objects.get(pk=broken).slug
    assert any(slug in r.getMessage() and r.exc_info for r in caplog.records)
    results = rounds.run_rounds(Hub.objects.order_by("pk"), now=fleet.now)
    assert [(r.hub.pk, r.outcome is None) for r in results] == [
        (broken, True),
        (max(fleet.hub.pk, fleet.world.other_hub.pk), False),
    ]
    assert "ValueError: a bad row" in results[0].error
