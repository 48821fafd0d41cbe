"""Which hubs can serve a basket at a delivery cell, as allocation Candidates, and the plan.

Reads in at most four queries: the open hubs serving the cell (with ride time, policy and
picking queue), their opening hours, their stock of the basket's products (with the product
names for the explanation) and, only when the basket cannot be served now, the expected
inbound stock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, FilteredRelation, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from hyperlocal.catalog.models import Product
from hyperlocal.errors import InvalidInput
from hyperlocal.hubs.models import Hub, ServiceAreaCell
from hyperlocal.hubs.services import is_open_at
from hyperlocal.inventory.services import incoming_for
from hyperlocal.orders.allocation import AllocationStrategy, Candidate, Plan, allocate, strategy_named
from hyperlocal.orders.errors import OutsideServiceArea
from hyperlocal.orders.models import FulfilmentPolicy, OrderStatus, PromiseKind, Shipment
from hyperlocal.orders.services.promise import instant_eta_minutes

__all__ = [
    "COURIER_WON_PER_MINUTE",
    "PICKER_WON_PER_MINUTE",
    "QUEUE_HORIZON_MINUTES",
    "candidates_for",
    "cost_to_serve_won",
    "plan_for",
]

# The estimate behind the "cheapest" strategy: a courier's time out and back, and picking.
COURIER_WON_PER_MINUTE = 250  # about 15,000 won an hour
PICKER_WON_PER_MINUTE = 200  # about 12,000 won an hour
# Slot shipments join the picking queue when their window starts within this many minutes.
QUEUE_HORIZON_MINUTES = 60
MAX_UNITS = 10_000


def cost_to_serve_won(travel_minutes: float, pick_minutes_per_order: int) -> int:
    """A courier's ride out and back plus the picking time, in won (an estimate)."""
    return (
        math.ceil(2 * travel_minutes * COURIER_WON_PER_MINUTE)
        + pick_minutes_per_order * PICKER_WON_PER_MINUTE
    )


def _policy(hub: Hub) -> FulfilmentPolicy:
    """The hub's policy, or the defaults when it has none yet (nothing written here)."""
    try:
        return hub.fulfilment
    except FulfilmentPolicy.DoesNotExist:
        return FulfilmentPolicy(hub=hub)


def _clean_basket(basket: Mapping[int, int]) -> dict[int, int]:
    if not basket:
        raise InvalidInput("the basket is empty", field="basket", code="empty_basket")
    for product_id, quantity in basket.items():
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= MAX_UNITS:
            raise InvalidInput(
                f"quantity of product {product_id} must be between 1 and {MAX_UNITS}", field="basket"
            )
    return dict(basket)


def _serving_rows(cell: str, now: datetime) -> list[ServiceAreaCell]:
    """Query 1 (hubs, ride time, policy, queue) and 2 (opening hours)."""
    active = Q(promise_kind=PromiseKind.INSTANT) | Q(
        promised_from__lte=now + timedelta(minutes=QUEUE_HORIZON_MINUTES)
    )
    queue = (
        Shipment.objects.filter(
            active, hub=OuterRef("hub_id"), status__in=[OrderStatus.PLACED, OrderStatus.PICKING]
        )
        .order_by()
        .values("hub")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        ServiceAreaCell.objects.filter(cell=cell, hub__status=Hub.Status.OPEN)
        .select_related("hub__fulfilment")
        .prefetch_related("hub__opening_hours")
        .annotate(queue=Coalesce(Subquery(queue, output_field=IntegerField()), 0))
        .order_by("hub_id")
    )


def _stock(hub_ids: list[int], basket: Mapping[int, int]) -> tuple[dict[int, dict[int, int]], dict[int, str]]:
    """Query 3: available units per hub and product, and the products' names."""
    rows = (
        Product.objects.filter(pk__in=list(basket))
        .annotate(held=FilteredRelation("stock", condition=Q(stock__hub_id__in=hub_ids)))
        .values_list("pk", "name_ko", "held__hub_id", "held__on_hand", "held__reserved")
    )
    stock: dict[int, dict[int, int]] = {h: {} for h in hub_ids}
    names: dict[int, str] = {}
    for product_id, name, hub_id, on_hand, reserved in rows:
        names[product_id] = name
        if hub_id is not None:
            stock[hub_id][product_id] = on_hand - reserved
    unknown = sorted(set(basket) - set(names))
    if unknown:
        raise InvalidInput(
            f"unknown product(s): {', '.join(map(str, unknown))}", field="basket", code="unknown_product"
        )
    return stock, names


def candidates_for(
    cell: str,
    basket: Mapping[int, int],
    *,
    now: datetime,
    extra_stock: Mapping[tuple[int, int], int] | None = None,
) -> tuple[list[Candidate], dict[int, str]]:
    """The open hubs serving `cell` as Candidates (without inbound stock), and product names."""
    rows = _serving_rows(cell, now)
    if not rows:
        raise OutsideServiceArea("no hub delivers to this address yet", field="address")
    stock, names = _stock([r.hub_id for r in rows], basket)
    extra = extra_stock or {}
    candidates = []
    for row in rows:
        hub = row.hub
        policy = _policy(hub)
        units = dict(stock[hub.pk])
        for (hub_id, product_id), quantity in extra.items():
            if hub_id == hub.pk and product_id in basket:
                units[product_id] = units.get(product_id, 0) + quantity
        # A hub without opening hours counts as always open (is_open_at calls it closed).
        open_now = not list(hub.opening_hours.all()) or is_open_at(hub, now)
        eta = (
            instant_eta_minutes(
                queue_length=row.queue,  # type: ignore[attr-defined]
                pickers=policy.pickers,
                pick_minutes_per_order=policy.pick_minutes_per_order,
                prep_minutes=hub.prep_minutes,
                travel_minutes=row.travel_minutes,
            )
            if policy.instant_enabled and open_now
            else None
        )
        candidates.append(
            Candidate(
                hub_id=hub.pk,
                hub_name=hub.name,
                travel_minutes=row.travel_minutes,
                eta_minutes=eta,
                promise_minutes=hub.promise_minutes,
                stock={p: max(0, q) for p, q in units.items()},
                cost_won=cost_to_serve_won(row.travel_minutes, policy.pick_minutes_per_order),
            )
        )
    return candidates, names


def plan_for(
    cell: str,
    basket: Mapping[int, int],
    *,
    now: datetime | None = None,
    strategy: AllocationStrategy | None = None,
    instant: bool = True,
    extra_stock: Mapping[tuple[int, int], int] | None = None,
) -> Plan:
    """The allocation plan for a basket (product_id -> units) delivered to an H3 cell.

    Only open hubs whose service area holds the cell take part (OutsideServiceArea when
    there is none). `extra_stock` adds back units this customer's own cart already holds,
    per (hub_id, product_id). Strategy: settings.ALLOCATION_STRATEGY unless given. At most
    four queries; the fourth (expected inbound stock) only when the basket cannot be served.
    """
    moment = timezone.localtime(now or timezone.now())
    basket = _clean_basket(basket)
    strategy = strategy or strategy_named(settings.ALLOCATION_STRATEGY)
    candidates, names = candidates_for(cell, basket, now=moment, extra_stock=extra_stock)
    plan = allocate(basket, candidates, strategy, now=moment, instant=instant, names=names)
    if plan.can_serve:
        return plan
    arrivals: dict[int, list[tuple[datetime, int, int]]] = {}
    for at, hub_id, product_id, quantity in incoming_for(
        [c.hub_id for c in candidates], list(basket), now=moment
    ):
        arrivals.setdefault(hub_id, []).append((at, product_id, quantity))
    if not arrivals:
        return plan
    with_inbound = [replace(c, incoming=tuple(arrivals.get(c.hub_id, ()))) for c in candidates]
    return allocate(basket, with_inbound, strategy, now=moment, instant=instant, names=names)
