"""The demo lives: with the demo's jobs on, an order the resident places goes placed ->
picking -> packed -> out for delivery -> delivered by itself, and the resident's order page
shows the courier and the ETA while it is out. Driven through `hyperlocal worker --once` (the
jobs on the real clock) and, for the ride itself, the couriers' autopilot at the stop's eta."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from hyperlocal.dispatch.models import Courier, Shift, TripStop
from hyperlocal.dispatch.services import autopilot
from hyperlocal.orders.models import OrderEvent, OrderStatus, Shipment
from hyperlocal.regions.models import Region
from tests.factories import UserFactory
from tests.web.conftest import english
from tests.web.shop_world import Shop, build_shop, place
from tests.web.world import build_world

DEMO_JOBS = [
    ("hyperlocal.dispatch.jobs.roll_demo_rota", 600.0),
    ("hyperlocal.dispatch.jobs.pick_waiting_shipments", 20.0),
    ("hyperlocal.dispatch.jobs.run_dispatch_rounds", 60.0),
    ("hyperlocal.dispatch.jobs.advance_simulated_couriers", 10.0),
]


def _worker_once() -> None:
    with override_settings(PERIODIC_JOBS=DEMO_JOBS, DISPATCH_AUTOPICK_AFTER_MIN=0.0):
        call_command("worker", "--once", stdout=StringIO())


@pytest.fixture
def shop(mapo: Region) -> Shop:
    return build_shop(build_world())


def _simulated_courier(shop: Shop) -> Courier:
    """A simulated courier whose only shift, a whole local day, was a week ago: the rota
    rolls it forward to today and tomorrow (whatever the time of day the test runs)."""
    user = UserFactory(username="robot", display_name="Robot Rider")
    courier = Courier.objects.create(
        user=user, mode="bike", capacity_items=12, home_hub=shop.hub, simulated=True
    )
    local = timezone.localtime() - timedelta(days=7)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    Shift.objects.create(courier=courier, starts_at=start, ends_at=start + timedelta(hours=24))
    return courier


def _status(shipment: Shipment) -> str:
    shipment.refresh_from_db()
    return shipment.status


def _text(client: Client, order_id: int) -> str:
    html = client.get(reverse("web:order", args=[order_id])).content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.django_db
def test_an_order_is_picked_dispatched_and_delivered_by_the_demo_jobs(shop: Shop) -> None:
    courier = _simulated_courier(shop)
    order = place(shop, (shop.world.tangerine, 2, "allow"))
    shipment = order.shipments.get()
    resident = english(Client(), shop.world.resident)

    _worker_once()  # the rota plans today, the picker packs, the round finds nobody clocked in yet
    assert Shift.objects.filter(courier=courier).count() == 3
    assert _status(shipment) == OrderStatus.PACKED
    _worker_once()  # the courier clocked in last pass: the round plans the trip, the autopilot takes it
    assert _status(shipment) == OrderStatus.OUT_FOR_DELIVERY

    page = _text(resident, order.pk)
    assert "Courier: Robot Rider" in page
    stop = TripStop.objects.get(shipment=shipment, live=True)
    assert f"Arriving about {timezone.localtime(stop.eta):%H:%M}" in page

    assert autopilot.advance(stop.eta) >= 1  # the moving clock: the courier reaches the door
    assert _status(shipment) == OrderStatus.DELIVERED
    path = list(
        OrderEvent.objects.filter(order=order, kind="transition")
        .order_by("at", "pk")
        .values_list("to_status", "actor")
    )
    assert path == [
        (OrderStatus.PICKING, shop.operator.pk),
        (OrderStatus.PACKED, shop.operator.pk),
        (OrderStatus.OUT_FOR_DELIVERY, courier.user_id),
        (OrderStatus.DELIVERED, courier.user_id),
    ]
    html = resident.get(reverse("web:order", args=[order.pk])).content.decode()
    assert re.search(r'id="order-status" data-status="delivered"', html)


def test_the_demo_settings_schedule_the_jobs_in_order() -> None:
    """Off by default; with the demo's settings on: rota, pickers, rounds, couriers (after the
    cart holds, the vouchers' expiry and settlement and the stalled site plans' sweep, which
    always run)."""
    script = "from django.conf import settings; print(' '.join(p for p, _ in settings.PERIODIC_JOBS))"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCH_")}

    def jobs(**extra: str) -> list[str]:
        run = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {script}"],
            env={**env, "DJANGO_SETTINGS_MODULE": "hyperlocal.settings", "DEBUG": "1", **extra},
            capture_output=True,
            text=True,
            check=True,
        )
        return [path.rsplit(".", 1)[1] for path in run.stdout.split()]

    assert jobs() == [
        "release_expired_cart_holds",
        "expire_due_vouchers",
        "settle_due_programmes",
        "fail_stalled_plans",
        "run_dispatch_rounds",
    ]
    assert jobs(DISPATCH_AUTOPILOT="1", DISPATCH_AUTOPICK="1") == [
        "release_expired_cart_holds",
        "expire_due_vouchers",
        "settle_due_programmes",
        "fail_stalled_plans",
        "roll_demo_rota",
        "pick_waiting_shipments",
        "run_dispatch_rounds",
        "advance_simulated_couriers",
    ]
