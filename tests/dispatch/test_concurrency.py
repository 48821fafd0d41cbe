"""Real threads on PostgreSQL: a round deciding while a courier picks up never reassigns the
picked-up shipment, and concurrent rounds of one hub never give a shipment to two couriers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test import override_settings

from hyperlocal.dispatch.models import Courier, DispatchRound, Trip, TripStop
from hyperlocal.dispatch.services import delivery
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
