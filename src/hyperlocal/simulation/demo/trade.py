"""The demo city's trade: stock in the hubs, two weeks of past orders, each hub's fulfilment
policy and its delivery slots for today and the next two days; and removing all of it."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet
from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import Merchant, Product
from hyperlocal.hubs.models import Hub
from hyperlocal.inventory.models import InboundShipment, Stock, StockMovement
from hyperlocal.orders.models import DeliverySlot, FulfilmentPolicy, Order, StockHold
from hyperlocal.orders.services.promise import ensure_slots
from hyperlocal.simulation.demo.history import plan_history, sold_units, write_history
from hyperlocal.simulation.demo.hubs import distance_to_demo_home
from hyperlocal.simulation.demo.stock import plan_stock, write_stock

SLOT_DAYS = 3  # today and the next two
# Pickers per hub, nearest the demo resident first: the demo operator's two are the busier.
PICKERS = (3, 3, 2, 2)


def stock_and_history(
    hubs: list[Hub],
    merchants: list[Merchant],
    resident_group: Group,
    rng: np.random.Generator,
    *,
    now: datetime,
) -> tuple[int, int]:
    """Stock rows (with opening receipts that cover what the past orders took) and the
    past orders themselves. Returns (stock rows, past orders)."""
    products = list(Product.objects.filter(merchant__in=merchants).order_by("merchant__slug", "sku"))
    # Nearest the demo resident first: that hub carries the whole regional range.
    hubs = sorted(hubs, key=distance_to_demo_home)
    plans = plan_stock(hubs, products, rng)
    history = plan_history(hubs, plans, rng, now=now)
    received_at = now - timedelta(days=15)
    rows = write_stock(plans, products, sold=sold_units(history), received_at=received_at)
    return rows, write_history(history, resident_group, rng)


def open_slots(hubs: list[Hub], *, now: datetime) -> int:
    """Each hub's fulfilment policy, then its delivery slots for today and the next two days."""
    nearest_first = sorted(hubs, key=distance_to_demo_home)
    FulfilmentPolicy.objects.bulk_create(
        [FulfilmentPolicy(hub=hub, pickers=PICKERS[n % len(PICKERS)]) for n, hub in enumerate(nearest_first)]
    )
    today = timezone.localdate(now)
    return sum(ensure_slots(hub, today + timedelta(days=d)) for hub in hubs for d in range(SLOT_DAYS))


def delete_trade(users: QuerySet[User], hubs: QuerySet[Hub], products: QuerySet[Product]) -> None:
    """Everything that points at the demo's people, hubs or products, before they go: cart
    holds, orders (with their shipments, lines, payments and events), stock, movements,
    inbound shipments, slots and policies."""
    StockHold.objects.filter(Q(hub__in=hubs) | Q(product__in=products) | Q(cart__user__in=users)).delete()
    orders = Order.objects.filter(
        Q(customer__in=users) | Q(shipments__hub__in=hubs) | Q(lines__product__in=products)
    ).values("pk")
    Order.objects.filter(pk__in=list(orders.values_list("pk", flat=True))).delete()
    Stock.objects.filter(Q(hub__in=hubs) | Q(product__in=products)).delete()
    StockMovement.objects.filter(Q(hub__in=hubs) | Q(product__in=products)).delete()
    InboundShipment.objects.filter(Q(hub__in=hubs) | Q(merchant__products__in=products)).delete()
    DeliverySlot.objects.filter(hub__in=hubs).delete()
    FulfilmentPolicy.objects.filter(hub__in=hubs).delete()
