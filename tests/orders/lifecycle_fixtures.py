"""Orders written straight as rows (as checkout leaves them: stock reserved, a payment
authorised), so that the lifecycle, picking and selector tests do not depend on checkout.

`build_world()` makes two hubs (each with its own operator), a customer, products with stock
placed in zones and bins, and returns a `World` whose `order()` writes an order.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import Product
from hyperlocal.hubs.models import Hub, Zone
from hyperlocal.inventory.models import Stock
from hyperlocal.orders.models import (
    DeliverySlot,
    Order,
    OrderLine,
    Payment,
    PromiseKind,
    Shipment,
    Substitution,
)
from tests.factories import HubFactory, ProductFactory, UserFactory, ZoneFactory

FEE = 3000
NOW = datetime(2025, 3, 14, 10, 0, tzinfo=timezone.get_default_timezone())
_codes = itertools.count(1)


@dataclass
class World:
    hub: Hub
    other_hub: Hub
    operator: User
    other_operator: User
    customer: User
    stranger: User
    # Ordered products (price 1,000 / 2,000) and substitutes (500 cheap, 3,000 dear).
    apple: Product
    pear: Product
    cheap: Product
    dear: Product
    zones: dict[str, Zone] = field(default_factory=dict)

    def stock(self, product: Product, hub: Hub | None = None) -> tuple[int, int]:
        """(on_hand, reserved) of the product at the hub (default: the main hub)."""
        row = Stock.objects.get(hub=hub or self.hub, product=product)
        return row.on_hand, row.reserved

    def order(
        self,
        lines: Sequence[tuple[Product, int, str]] = (),
        *,
        split: Sequence[tuple[Product, int, str]] = (),
        customer: User | None = None,
        slot: bool = False,
        now: datetime = NOW,
    ) -> Order:
        """An order as checkout writes it: lines at the main hub (and `split` lines at the
        other hub), their units reserved, the total authorised with the test provider."""
        lines = lines or [(self.apple, 3, Substitution.ALLOW)]
        parts = [(self.hub, lines)] + ([(self.other_hub, split)] if split else [])
        items = sum(p.price_won * q for _, part in parts for p, q, _ in part)
        code = f"T{next(_codes):06d}"
        order = Order.objects.create(
            code=code,
            customer=customer or self.customer,
            region=self.hub.region,
            delivery_lat=self.hub.lat,
            delivery_lng=self.hub.lng,
            delivery_cell=self.hub.cell,
            items_won=items,
            delivery_fee_won=FEE,
            total_won=items + FEE,
            placed_at=now,
        )
        for hub, part in parts:
            booked = None
            if slot:
                booked, _ = DeliverySlot.objects.get_or_create(
                    hub=hub,
                    starts_at=now + timedelta(hours=2),
                    defaults={"ends_at": now + timedelta(hours=3), "capacity": 10},
                )
                DeliverySlot.objects.filter(pk=booked.pk).update(booked=booked.booked + 1)
            shipment = Shipment.objects.create(
                order=order,
                hub=hub,
                promise_kind=PromiseKind.SLOT if slot else PromiseKind.INSTANT,
                slot=booked,
                promised_from=booked.starts_at if booked else now,
                promised_by=booked.ends_at if booked else now + timedelta(minutes=30),
                items_won=sum(p.price_won * q for p, q, _ in part),
                placed_at=now,
            )
            for product, quantity, substitution in part:
                OrderLine.objects.create(
                    order=order,
                    shipment=shipment,
                    product=product,
                    merchant=product.merchant,
                    quantity=quantity,
                    unit_price_won=product.price_won,
                    substitution=substitution,
                    charged_won=product.price_won * quantity,
                )
                stock = Stock.objects.get(hub=hub, product=product)
                stock.reserved += quantity
                stock.save(update_fields=["reserved"])
        Payment.objects.create(
            order=order,
            provider="test",
            reference=f"test_{uuid.uuid4().hex}",
            status=Payment.Status.AUTHORISED,
            authorised_won=items + FEE,
        )
        return order


def build_world() -> World:
    """Needs the `mapo` fixture (regions) to have run."""
    operator = UserFactory(username="picker")
    other_operator = UserFactory(username="other-picker")
    hub = HubFactory(name="Mapo Office Hub")
    hub.operators.add(operator)
    other_hub = HubFactory(name="Hongdae Hub")
    other_hub.operators.add(other_operator)
    world = World(
        hub=hub,
        other_hub=other_hub,
        operator=operator,
        other_operator=other_operator,
        customer=UserFactory(username="customer", first_name="Jiwoo"),
        stranger=UserFactory(username="stranger"),
        apple=ProductFactory(name_ko="사과", price_won=1000),
        pear=ProductFactory(name_ko="배", price_won=2000),
        cheap=ProductFactory(name_ko="작은 사과", price_won=500),
        dear=ProductFactory(name_ko="큰 사과", price_won=3000),
    )
    for h in (hub, other_hub):
        chilled = ZoneFactory(hub=h, name="B chilled")
        dry = ZoneFactory(hub=h, name="A dry")
        world.zones[f"{h.pk}:chilled"] = chilled
        world.zones[f"{h.pk}:dry"] = dry
        places = {
            world.apple: (chilled, "07"),
            world.pear: (dry, "12"),
            world.cheap: (chilled, "08"),
            world.dear: (dry, "02"),
        }
        for product, (zone, bin_) in places.items():
            Stock.objects.create(hub=h, product=product, on_hand=10, reserved=0, zone=zone, bin=bin_)
    return world


def payment(order: Order) -> Payment:
    return Payment.objects.get(order=order)
