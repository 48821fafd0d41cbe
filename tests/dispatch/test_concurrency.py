"""Real threads on PostgreSQL: a round deciding while a courier picks up never reassigns the
picked-up shipment, concurrent rounds of one hub never give a shipment to two couriers, a
clock-out racing a pick-up never deletes a trip picked up, and the last stops of a trip
closed at once always close the trip."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test import override_settings

from hyperlocal.dispatch.models import Courier, DispatchRound, Shift, ShipmentDispatch, Trip, TripStop
from hyperlocal.dispatch.services import delivery, shifts
from hyperlocal.dispatch.services.rounds import run_round
from hyperlocal.errors import DomainError
from hyperlocal.orders.models import OrderStatus, Shipment
from tests.dispatch.conftest import FAR, MIDDLE, NEAR, Fleet

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _race(jobs: list[Callable[[], object]]) -> tuple[list[DomainError], list[BaseException]]:
    refused: list[DomainError] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(len(jobs))

    def work(job: Callable[[], object]) -> None:
        try:
            start.wait(timeout=30)
            with transaction.atomic():
                job()
        except DomainError as exc:
            with lock:
                refused.append(exc)
        except BaseException as exc:  # a deadlock or a broken constraint lands here
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return refused, errors


def _no_shipment_twice() -> None:
    live = TripStop.objects.filter(live=True).values("shipment_id").annotate(n=Count("pk"))
    assert all(row["n"] == 1 for row in live)


@override_settings(DISPATCH_TIME_LIMIT_S=0.2)
def test_a_round_never_reassigns_what_a_courier_picks_up_meanwhile(fleet: Fleet) -> None:
    couriers = [fleet.courier(name) for name in ("minji", "jisoo", "hana")]
    for i in range(3):
        now = fleet.now + timedelta(minutes=10 * i)
        for at in (NEAR, MIDDLE, FAR):
            fleet.shipment(at)
        run_round(fleet.hub, now=now, strategy="greedy")
        trips = {t.courier_id: t for t in Trip.objects.filter(status="planned").prefetch_related("stops")}
        pickers: list[Callable[[], object]] = []
        for courier in couriers:
            trip = trips.get(courier.pk)
            if trip is not None and not Trip.objects.filter(courier=courier, status="out").exists():
                first = min(trip.stops.all(), key=lambda st: st.sequence)
                shipment = Shipment.objects.get(pk=first.shipment_id)
                pickers.append(lambda c=courier, s=shipment, n=now: delivery.pick_up(c.user, s, at=n))
        assert pickers
        round_job = [lambda n=now: run_round(fleet.hub, now=n + timedelta(seconds=1), strategy="optimised")]
        refused, errors = _race(pickers + round_job)
        assert errors == []
        assert {e.code for e in refused} <= {"route_changed"}
        _no_shipment_twice()
        for shipment in Shipment.objects.filter(status=OrderStatus.OUT_FOR_DELIVERY):
            stops = list(TripStop.objects.filter(shipment=shipment).select_related("trip"))
            live = [st for st in stops if st.live]
            assert len(live) == 1
            assert live[0].trip.status == "out"
            picker = shipment.events.get(to_status=OrderStatus.OUT_FOR_DELIVERY).actor_id
            assert Courier.objects.get(pk=live[0].trip.courier_id).user_id == picker
        # Finish the trips so that the couriers are free for the next race.
        for trip in Trip.objects.filter(status="out"):
            for st in trip.stops.filter(live=True):
                with transaction.atomic():
                    delivery.fail_delivery(trip.courier.user, st.shipment, reason="race over", at=now)


@override_settings(DISPATCH_TIME_LIMIT_S=0.2)
def test_concurrent_rounds_of_one_hub_never_double_assign(fleet: Fleet) -> None:
    for name in ("minji", "jisoo", "hana", "dami"):
        fleet.courier(name)
    for at in (NEAR, MIDDLE, FAR) * 3:
        fleet.shipment(at)
    strategies = ["greedy", "optimised"] * 3
    jobs: list[Callable[[], object]] = [
        lambda s=s, k=k: run_round(fleet.hub, now=fleet.now + timedelta(seconds=k), strategy=s)
        for k, s in enumerate(strategies)
    ]
    refused, errors = _race(jobs)
    assert errors == []
    assert refused == []
    assert DispatchRound.objects.count() == len(strategies)
    _no_shipment_twice()
    planned = Trip.objects.filter(status="planned")
    assert planned.values("courier_id").distinct().count() == planned.count()
    assigned = TripStop.objects.filter(live=True).values_list("shipment_id", "trip__courier_id")
    by_shipment: dict[int, set[int]] = {}
    for shipment_id, courier_id in assigned:
        by_shipment.setdefault(shipment_id, set()).add(courier_id)
    assert by_shipment
    assert all(len(c) == 1 for c in by_shipment.values())


class _Paused:
    """Runs `job` in a thread inside a transaction that stays open (its locks held, its writes
    uncommitted) until `release()`: the other side of a race then runs against it for sure."""

    def __init__(self, job: Callable[[], object]) -> None:
        self.entered, self.released = threading.Event(), threading.Event()
        self.refused: DomainError | None = None
        self.error: BaseException | None = None
        self._job = job
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        try:
            with transaction.atomic():
                self._job()
                self.entered.set()
                self.released.wait(timeout=30)
        except DomainError as exc:
            self.refused = exc
        except BaseException as exc:
            self.error = exc
        finally:
            self.entered.set()
            connection.close()

    def start(self) -> None:
        self.thread.start()
        assert self.entered.wait(timeout=30)


class _Other:
    """The other side: a thread of its own (no outer transaction unless `outer`)."""

    def __init__(self, job: Callable[[], object], *, outer: bool = True) -> None:
        self.refused: DomainError | None = None
        self.error: BaseException | None = None
        self._job, self._outer = job, outer
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self) -> None:
        try:
            if self._outer:
                with transaction.atomic():
                    self._job()
            else:
                self._job()
        except DomainError as exc:
            self.refused = exc
        except BaseException as exc:
            self.error = exc
        finally:
            connection.close()


def _settle(first: _Paused, second: _Other) -> None:
    """Give the second side time to run into the first's locks, then let the first commit."""
    time.sleep(0.5)
    first.released.set()
    first.thread.join(timeout=30)
    second.thread.join(timeout=30)
    assert not first.thread.is_alive(), "a thread hung"
    assert not second.thread.is_alive(), "a thread hung"


def _planned_trip(fleet: Fleet, courier: Courier, *points: tuple[float, float]) -> Trip:
    trip = Trip.objects.create(courier=courier, hub=fleet.hub, depart_at=fleet.now, planned_at=fleet.now)
    for sequence, at in enumerate(points, start=1):
        TripStop.objects.create(trip=trip, shipment=fleet.shipment(at), sequence=sequence, eta=fleet.now)
    return trip


def test_clock_out_never_deletes_a_trip_picked_up_meanwhile(fleet: Fleet) -> None:
    """The pick-up holds its transaction open; the clock-out comes in meanwhile. Before the
    shift lock, the clock-out read "nothing out", then deleted the trip by its id after the
    pick-up committed: an out trip (and its stops) gone, shipments out with no courier."""
    courier = fleet.courier("minji")
    trip = _planned_trip(fleet, courier, NEAR, MIDDLE)
    first = TripStop.objects.filter(trip=trip).order_by("sequence").first()
    assert first is not None
    picking = _Paused(lambda: delivery.pick_up(courier.user, first.shipment, at=fleet.now))
    picking.start()
    leaving = _Other(lambda: shifts.clock_out(courier, at=fleet.now))
    _settle(picking, leaving)
    assert (picking.error, picking.refused) == (None, None)
    assert leaving.error is None
    assert leaving.refused is not None
    assert leaving.refused.code == "still_carrying"
    trip.refresh_from_db()
    assert trip.status == "out"
    assert TripStop.objects.filter(trip=trip, live=True).count() == 2
    assert Shift.objects.get(courier=courier).is_open
    assert set(Shipment.objects.values_list("status", flat=True)) == {OrderStatus.OUT_FOR_DELIVERY}


def test_a_pick_up_after_a_clock_out_meanwhile_is_refused(fleet: Fleet) -> None:
    courier = fleet.courier("minji")
    trip = _planned_trip(fleet, courier, NEAR)
    stop = TripStop.objects.get(trip=trip)
    leaving = _Paused(lambda: shifts.clock_out(courier, at=fleet.now))
    leaving.start()
    picking = _Other(lambda: delivery.pick_up(courier.user, stop.shipment, at=fleet.now))
    _settle(leaving, picking)
    assert (leaving.error, leaving.refused) == (None, None)
    assert picking.error is None
    assert picking.refused is not None
    assert picking.refused.code == "not_clocked_in"
    assert not Trip.objects.exists()
    assert Shipment.objects.get().status == OrderStatus.PACKED
    assert not Shift.objects.get(courier=courier).is_open


def test_the_last_two_stops_delivered_at_once_close_the_trip(fleet: Fleet) -> None:
    """One stop fails (its transaction held open) while the other is delivered: whichever
    closes last must see no live stop left and close the trip."""
    courier = fleet.courier("minji")
    trip = _planned_trip(fleet, courier, NEAR, MIDDLE)
    one, two = TripStop.objects.filter(trip=trip).order_by("sequence").select_related("shipment")
    with transaction.atomic():
        delivery.pick_up(courier.user, one.shipment, at=fleet.now)
    code = ShipmentDispatch.objects.get(shipment=two.shipment).proof_code
    failing = _Paused(
        lambda: delivery.fail_delivery(courier.user, one.shipment, reason="nobody home", at=fleet.now)
    )
    failing.start()
    delivering = _Other(
        lambda: delivery.deliver(courier.user, two.shipment, proof_code=code, at=fleet.now), outer=False
    )
    _settle(failing, delivering)
    assert (failing.error, failing.refused, delivering.error, delivering.refused) == (None,) * 4
    trip.refresh_from_db()
    assert trip.status == "done"
    assert trip.finished_at == fleet.now


def _deliver_at_once(
    start: threading.Barrier, courier: Courier, shipment: Shipment, code: str, fleet: Fleet
) -> None:
    start.wait(timeout=30)
    delivery.deliver(courier.user, shipment, proof_code=code, at=fleet.now)


def test_racing_deliveries_of_one_trip_always_close_it(fleet: Fleet) -> None:
    """Unpaused: every stop of a trip delivered at the same moment, a few times over."""
    for round_ in range(3):
        courier = fleet.courier(f"rider{round_}")
        trip = _planned_trip(fleet, courier, NEAR, MIDDLE, FAR)
        stops = list(TripStop.objects.filter(trip=trip).order_by("sequence").select_related("shipment"))
        with transaction.atomic():
            delivery.pick_up(courier.user, stops[0].shipment, at=fleet.now)
        codes = dict(
            ShipmentDispatch.objects.filter(shipment__trip_stops__trip=trip).values_list(
                "shipment_id", "proof_code"
            )
        )
        start = threading.Barrier(len(stops))
        sides = [
            _Other(
                partial(_deliver_at_once, start, courier, st.shipment, codes[st.shipment_id], fleet),
                outer=False,
            )
            for st in stops
        ]
        for side in sides:
            side.thread.join(timeout=60)
        assert [(s.error, s.refused) for s in sides] == [(None, None)] * len(stops)
        trip.refresh_from_db()
        assert trip.status == "done"
