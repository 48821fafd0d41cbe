"""The web world made ready to shop: the hub always open (no opening hours: instant
delivery works at any hour of the test run), its fulfilment policy, stock with bins in its
warehouse, a hub operator and a merchant's owner."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import Product
from hyperlocal.hubs.models import Hub, Zone
from hyperlocal.inventory.models import Stock
from hyperlocal.inventory.services import receive_opening_stock
from hyperlocal.orders import services as orders
from hyperlocal.orders.models import FulfilmentPolicy, Order
from tests.factories import MerchantStaffFactory, ProductFactory, UserFactory
from tests.web.world import World

# What the hub holds: the tangerines are plentiful, the candy scarce, the rice absent.
TANGERINES = 10
CANDY = 3


@dataclass
class Shop:
    world: World
    operator: User
    merchant_owner: User
    stranger: User  # signed in, neither operator nor merchant staff

    @property
    def hub(self) -> Hub:
        return self.world.hub


def build_shop(world: World) -> Shop:
    hub = world.hub
    hub.opening_hours.all().delete()
    FulfilmentPolicy.objects.create(hub=hub, pickers=2, pick_minutes_per_order=4)
    warehouse = hub.zones.get(kind=Zone.Kind.WAREHOUSE)
    receive_opening_stock(hub, world.tangerine, TANGERINES)
    receive_opening_stock(hub, world.candy, CANDY)
    # A substitute for the candy: same category, in stock.
    lollipop = ProductFactory(name_ko="막대사탕", name_en="Lollipop", category="snacks", price_won=1000)
    receive_opening_stock(hub, lollipop, 20)
    for product, bin_label in ((world.tangerine, "B-01-1"), (world.candy, "A-02-1"), (lollipop, "A-02-2")):
        Stock.objects.filter(hub=hub, product=product).update(zone=warehouse, bin=bin_label)
    operator = UserFactory(username="hubop", display_name="Hub operator")
    hub.operators.add(operator)
    owner = MerchantStaffFactory(merchant=world.tangerine.merchant).user
    stranger = UserFactory(username="stranger")
    return Shop(world=world, operator=operator, merchant_owner=owner, stranger=stranger)


def place(shop: Shop, *lines: tuple[Product, int, str], key: str = "web-test-order") -> Order:
    """An order placed through the checkout service (instant delivery, test payment)."""
    with transaction.atomic():
        placed = orders.place_order(
            shop.world.resident,
            [
                orders.LineRequest(product.pk, quantity, substitution)
                for product, quantity, substitution in lines
            ],
            orders.DeliveryChoice("instant"),
            idempotency_key=key,
        )
    return placed.order
