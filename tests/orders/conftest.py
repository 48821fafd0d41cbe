"""Fixtures for the cart, checkout, payment and concurrency tests: two hubs near a resident's
home in Mapo-gu (both serve it), products with stock, and a pinned clock.

`shop` needs the `mapo` fixture (regions and cells); tests that place orders pin `shop.now`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import Product
from hyperlocal.hubs.models import Hub
from hyperlocal.hubs.services import refresh_service_area
from hyperlocal.inventory.models import Stock, StockMovement
from hyperlocal.orders.models import (
    Cart,
    CartLine,
    DeliverySlot,
    IdempotencyRecord,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Shipment,
    StockHold,
)
from hyperlocal.regions.models import Region
from tests.factories import (
    DeliverySlotFactory,
    FulfilmentPolicyFactory,
    HouseholdFactory,
    HubFactory,
    ProductFactory,
    StockFactory,
    UserFactory,
)

SEOUL = ZoneInfo("Asia/Seoul")
# A Wednesday afternoon: hubs open, same-day slots still bookable.
NOW = datetime(2030, 6, 12, 14, 0, tzinfo=SEOUL)

# Near Hongik University station (the resident's home) and a little east of it.
HUB_A_AT = (37.5565, 126.9235)
HUB_B_AT = (37.5545, 126.9290)

# Every table a placement may write, counted before and after a refused request.
WRITTEN = (
    Order,
    Shipment,
    OrderLine,
    Payment,
    OrderEvent,
    IdempotencyRecord,
    StockMovement,
    StockHold,
    CartLine,
)


@dataclass
class Shop:
    now: datetime
    customer: User
    hub_a: Hub
    hub_b: Hub
    products: list[Product]
    slot_a: DeliverySlot
    slot_b: DeliverySlot
    extra: dict[str, object] = field(default_factory=dict)

    def set_stock(self, hub: Hub, product: Product, on_hand: int) -> Stock:
        row, _ = Stock.objects.update_or_create(
            hub=hub, product=product, defaults={"on_hand": on_hand, "reserved": 0}
        )
        return row

    def stock(self, hub: Hub, product: Product) -> tuple[int, int]:
        row = Stock.objects.get(hub=hub, product=product)
        return row.on_hand, row.reserved


def snapshot() -> dict[str, object]:
    """Row counts of every table a placement writes, plus stock and slot counters."""
    counts: dict[str, object] = {m.__name__: m.objects.count() for m in WRITTEN}
    counts["stock"] = sorted(Stock.objects.values_list("hub_id", "product_id", "on_hand", "reserved"))
    counts["slots"] = sorted(DeliverySlot.objects.values_list("pk", "booked"))
    counts["carts"] = sorted(Cart.objects.values_list("pk", "holds_expire_at"))
    return counts


def reserved_total() -> int:
    return int(Stock.objects.aggregate(n=Sum("reserved"))["n"] or 0)


def make_customer(region_cell_point: tuple[float, float] | None = None) -> User:
    lat, lng = region_cell_point or (37.5572, 126.9245)
    home = HouseholdFactory(lat=lat, lng=lng)
    user: User = UserFactory()
    user.household = home
    user.save(update_fields=["household"])
    return user


def build_shop(*, now: datetime = NOW, stock: int = 20, products: int = 6, pickers: int = 20) -> Shop:
    """Needs the Mapo-gu regions (the `mapo` fixture) loaded first."""
    hubs = []
    for name, (lat, lng) in (("Hongdae Hub", HUB_A_AT), ("Yeonnam Hub", HUB_B_AT)):
        hub = HubFactory(name=name, lat=lat, lng=lng, promise_minutes=60, prep_minutes=10)
        FulfilmentPolicyFactory(hub=hub, pickers=pickers, slot_capacity=50)
        refresh_service_area(hub)
        hubs.append(hub)
    items = [ProductFactory(price_won=1000 * (i + 1), name_ko=f"상품{i}") for i in range(products)]
    for hub in hubs:
        for product in items:
            StockFactory(hub=hub, product=product, on_hand=stock)
    starts = (now + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    slot_a = DeliverySlotFactory(
        hub=hubs[0], starts_at=starts, ends_at=starts + timedelta(hours=1), capacity=5
    )
    slot_b = DeliverySlotFactory(
        hub=hubs[1], starts_at=starts, ends_at=starts + timedelta(hours=1), capacity=5
    )
    return Shop(now, make_customer(), hubs[0], hubs[1], items, slot_a, slot_b)


@pytest.fixture
def shop(mapo: Region) -> Shop:
    return build_shop()
