"""Two weeks of delivered orders from the neighbours, so that sales rates (and so the
replenishment suggestions) mean something on the first day of the demo.

The rows are written in bulk, as an import of past orders would write them: each order was
placed in a household inside its hub's service area, picked in full, delivered on time and
paid by the test provider; each picked line has its PICK movement. Popular products sell
more (a Zipf-like weight), so that the stock pages show a spread of sales rates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.contrib.auth.models import Group

from hyperlocal.accounts.models import Household, User
from hyperlocal.catalog.models import Product
from hyperlocal.hubs.models import Hub, ServiceAreaCell
from hyperlocal.inventory.models import MovementKind, StockMovement
from hyperlocal.orders.models import (
    LineStatus,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
    PromiseKind,
    Shipment,
)
from hyperlocal.simulation.demo.households import SOURCE
from hyperlocal.simulation.demo.people import USERNAME_PREFIX, create_people, korean_names
from hyperlocal.simulation.demo.stock import StockPlan

DAYS = 14
ORDERS_PER_HUB_DAY = 6
NEIGHBOURS = 60
CODE_PREFIX = "D"  # past orders of the demo: D<yymmdd>-<n>
PAYMENT_PROVIDER = "test"


@dataclass(frozen=True)
class PastOrder:
    hub: Hub
    home: tuple[float, float, str, int, str]  # lat, lng, cell, region id, address
    lines: list[tuple[int, int]]  # product id, quantity
    placed_at: datetime


def _homes_by_hub(hubs: list[Hub]) -> dict[int, list[tuple[float, float, str, int, str]]]:
    cells: dict[str, list[int]] = defaultdict(list)
    for hub_id, cell in ServiceAreaCell.objects.filter(hub__in=hubs).values_list("hub_id", "cell"):
        cells[cell].append(hub_id)
    homes: dict[int, list[tuple[float, float, str, int, str]]] = defaultdict(list)
    rows = Household.objects.filter(source=SOURCE).order_by("external_id")
    for lat, lng, cell, region_id, address in rows.values_list(
        "lat", "lng", "home_cell", "region_id", "address"
    ):
        for hub_id in cells.get(cell, ()):
            homes[hub_id].append((lat, lng, cell, region_id, address))
    return homes


def plan_history(
    hubs: list[Hub], plans: list[StockPlan], rng: np.random.Generator, *, now: datetime
) -> list[PastOrder]:
    carried: dict[int, list[int]] = defaultdict(list)
    for plan in plans:
        carried[plan.hub_id].append(plan.product_id)
    homes = _homes_by_hub(hubs)
    start = (now - timedelta(days=DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    orders = []
    for hub in hubs:
        products, around = sorted(carried[hub.pk]), homes.get(hub.pk, [])
        if not products or not around:
            continue
        weights = 1.0 / np.arange(1, len(products) + 1) ** 0.8
        weights = weights[rng.permutation(len(products))]
        weights /= weights.sum()
        for day in range(DAYS):
            for _ in range(int(rng.poisson(ORDERS_PER_HUB_DAY))):
                placed = start + timedelta(days=day, minutes=int(rng.integers(8 * 60, 22 * 60)))
                if placed >= now - timedelta(hours=2):
                    continue
                size = min(len(products), int(rng.integers(1, 4)))
                chosen = rng.choice(len(products), size=size, replace=False, p=weights)
                lines = [(products[int(i)], int(rng.integers(1, 3))) for i in sorted(chosen)]
                home = around[int(rng.integers(len(around)))]
                orders.append(PastOrder(hub=hub, home=home, lines=lines, placed_at=placed))
    orders.sort(key=lambda o: o.placed_at)
    return orders


def sold_units(orders: list[PastOrder]) -> dict[tuple[int, int], int]:
    sold: dict[tuple[int, int], int] = defaultdict(int)
    for order in orders:
        for product_id, quantity in order.lines:
            sold[order.hub.pk, product_id] += quantity
    return dict(sold)


def _neighbours(group: Group, rng: np.random.Generator) -> list[User]:
    usernames = [f"{USERNAME_PREFIX}neighbour-{n:02d}" for n in range(1, NEIGHBOURS + 1)]
    return create_people(usernames, korean_names(NEIGHBOURS, rng), group)


def write_history(orders: list[PastOrder], resident_group: Group, rng: np.random.Generator) -> int:
    """The orders, shipments, lines, payments, events and PICK movements, in bulk."""
    if not orders:
        return 0
    customers = _neighbours(resident_group, rng)
    prices = dict(Product.objects.values_list("pk", "price_won"))
    merchants = dict(Product.objects.values_list("pk", "merchant_id"))
    rows = []
    for n, past in enumerate(orders):
        items = sum(prices[p] * q for p, q in past.lines)
        fee = 0 if items >= settings.FREE_DELIVERY_FROM_WON else settings.DELIVERY_FEE_WON
        lat, lng, cell, region_id, address = past.home
        rows.append(
            Order(
                code=f"{CODE_PREFIX}{past.placed_at:%y%m%d}-{n:04d}",
                customer=customers[n % len(customers)],
                region_id=region_id,
                status=OrderStatus.DELIVERED,
                delivery_address=address,
                delivery_lat=lat,
                delivery_lng=lng,
                delivery_cell=cell,
                items_won=items,
                delivery_fee_won=fee,
                total_won=items + fee,
                allocation={"summary": f"{past.hub.name} had the whole basket", "strategy": "nearest"},
                placed_at=past.placed_at,
            )
        )
    placed = Order.objects.bulk_create(rows, batch_size=500)
    shipments = []
    for order, past in zip(placed, orders, strict=True):
        t = past.placed_at
        delivered = t + timedelta(minutes=int(rng.integers(14, 32)))
        shipments.append(
            Shipment(
                order=order,
                hub=past.hub,
                status=OrderStatus.DELIVERED,
                promise_kind=PromiseKind.INSTANT,
                promised_from=t,
                promised_by=t + timedelta(minutes=past.hub.promise_minutes),
                travel_minutes=8.0,
                items_won=order.items_won,
                placed_at=t,
                picking_started_at=t + timedelta(minutes=2),
                packed_at=t + timedelta(minutes=7),
                out_for_delivery_at=t + timedelta(minutes=9),
                delivered_at=delivered,
                closed_at=delivered,
            )
        )
    shipments = Shipment.objects.bulk_create(shipments, batch_size=500)
    lines, movements, payments, events = [], [], [], []
    for order, shipment, past in zip(placed, shipments, orders, strict=True):
        packed_at = shipment.packed_at or order.placed_at
        delivered_at = shipment.delivered_at or packed_at
        for product_id, quantity in past.lines:
            price = prices[product_id]
            lines.append(
                OrderLine(
                    order=order,
                    shipment=shipment,
                    product_id=product_id,
                    merchant_id=merchants[product_id],
                    quantity=quantity,
                    unit_price_won=price,
                    status=LineStatus.PICKED,
                    picked_quantity=quantity,
                    charged_won=price * quantity,
                )
            )
            # Reserved at checkout, then picked: both counters move, as the services move them.
            movements += [
                StockMovement(
                    hub_id=past.hub.pk,
                    product_id=product_id,
                    kind=MovementKind.RESERVE,
                    reserved_delta=quantity,
                    order_id=order.pk,
                    created_at=order.placed_at,
                ),
                StockMovement(
                    hub_id=past.hub.pk,
                    product_id=product_id,
                    kind=MovementKind.PICK,
                    on_hand_delta=-quantity,
                    reserved_delta=-quantity,
                    order_id=order.pk,
                    created_at=packed_at,
                ),
            ]
        payments.append(
            Payment(
                order=order,
                provider=PAYMENT_PROVIDER,
                reference=f"demo-{order.code}",
                status=Payment.Status.CAPTURED,
                authorised_won=order.total_won,
                captured_won=order.total_won,
                created_at=order.placed_at,
                updated_at=delivered_at,
            )
        )
        events.append(
            OrderEvent(
                order=order,
                shipment=shipment,
                kind="delivered",
                from_status=OrderStatus.OUT_FOR_DELIVERY,
                to_status=OrderStatus.DELIVERED,
                note="demo history",
                at=delivered_at,
            )
        )
    OrderLine.objects.bulk_create(lines, batch_size=1000)
    StockMovement.objects.bulk_create(movements, batch_size=1000)
    Payment.objects.bulk_create(payments, batch_size=1000)
    OrderEvent.objects.bulk_create(events, batch_size=1000)
    return len(placed)
