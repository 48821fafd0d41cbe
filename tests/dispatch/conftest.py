"""Dispatch fixtures: the orders world of tests/orders (a hub with an operator, a customer,
products with stock) plus couriers with shifts and shipments packed for delivery at points
around the hub. Times are pinned to `NOW`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from hyperlocal.accounts.models import User
from hyperlocal.dispatch.models import Courier, Shift
from hyperlocal.hubs.models import Hub
from hyperlocal.inventory.models import Stock
from hyperlocal.orders.models import Order, OrderStatus, Shipment
from hyperlocal.regions.models import Region
from tests.factories import UserFactory
from tests.orders.lifecycle_fixtures import NOW, World, build_world

# Drop-off points around the Mapo-gu Office hub (about 0.5-2 km away).
NEAR = (37.5610, 126.9110)
MIDDLE = (37.5560, 126.9230)
FAR = (37.5500, 126.9350)


def photo(
    name: str = "door.jpg", *, kind: str = "JPEG", content_type: str = "image/jpeg"
) -> SimpleUploadedFile:
    """A real (tiny) image of a front door, as the courier's phone uploads it."""
    out = BytesIO()
    Image.new("RGB", (8, 6), (120, 90, 60)).save(out, format=kind)
    return SimpleUploadedFile(name, out.getvalue(), content_type=content_type)


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")


@dataclass
class Fleet:
    world: World
    now: datetime

    @property
    def hub(self) -> Hub:
        return self.world.hub

    def courier(
        self,
        name: str,
        *,
        capacity: int = 10,
        mode: str = "bike",
        clocked_in: bool = True,
        hours: float = 8,
        simulated: bool = False,
        hub: Hub | None = None,
    ) -> Courier:
        """A courier of the hub with a shift from an hour ago for `hours`, clocked in."""
        user: User = UserFactory(username=name, display_name=name.title())
        courier = Courier.objects.create(
            user=user, mode=mode, capacity_items=capacity, home_hub=hub or self.hub, simulated=simulated
        )
        start = self.now - timedelta(hours=1)
        Shift.objects.create(
            courier=courier,
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            clocked_in_at=start if clocked_in else None,
        )
        return courier

    def shipment(
        self,
        at: tuple[float, float] = MIDDLE,
        *,
        status: str = OrderStatus.PACKED,
        due_minutes: float = 45,
        units: int = 2,
    ) -> Shipment:
        """An instant order of the main hub for delivery at `at`, already `status`."""
        order: Order = self.world.order(
            [(self.world.apple, units, "allow")], now=self.now - timedelta(minutes=5)
        )
        Order.objects.filter(pk=order.pk).update(delivery_lat=at[0], delivery_lng=at[1])
        shipment = order.shipments.get()
        stamps = (
            {"picking_started_at": self.now - timedelta(minutes=3)} if status != OrderStatus.PLACED else {}
        )
        if status == OrderStatus.PACKED:
            stamps["packed_at"] = self.now - timedelta(minutes=1)
        Shipment.objects.filter(pk=shipment.pk).update(
            status=status, promised_by=self.now + timedelta(minutes=due_minutes), **stamps
        )
        Order.objects.filter(pk=order.pk).update(status=status)
        shipment.refresh_from_db()
        return shipment


@pytest.fixture
def fleet(mapo: Region) -> Fleet:
    world = build_world()
    Stock.objects.all().update(on_hand=500)
    return Fleet(world=world, now=NOW)


@pytest.fixture
def live_fleet(mapo: Region) -> Fleet:
    """The same world on the real clock (the API and pages use the time of the request)."""
    world = build_world()
    Stock.objects.all().update(on_hand=500)
    return Fleet(world=world, now=timezone.now())
