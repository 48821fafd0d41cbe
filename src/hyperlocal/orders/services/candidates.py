"""Which hubs can serve a basket at a delivery cell, as allocation Candidates, and the plan.

This is on the checkout's hot path, so it reads with two raw SQL statements (built once, in
`placement_sql`) and builds no model instances: the open hubs serving the cell with their
ride time, policy, picking queue, opening hours and (for a slot order) the slot at the chosen
start; then the basket's products with their stock at those hubs. Only when the basket cannot
be served now does a third query read the expected inbound stock. The allocation itself is
the pure `hyperlocal.orders.allocation`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.utils import timezone, translation

from hyperlocal.errors import InvalidInput
from hyperlocal.hubs.models import Hub
from hyperlocal.hubs.services.hours import DAY, WEEK
from hyperlocal.inventory.services import incoming_for
from hyperlocal.orders.allocation import AllocationStrategy, Candidate, Plan, allocate, strategy_named
from hyperlocal.orders.errors import OutsideServiceArea
from hyperlocal.orders.models import FulfilmentPolicy, OrderStatus, PromiseKind
from hyperlocal.orders.services import placement_sql as q
from hyperlocal.orders.services import queue_cache
from hyperlocal.orders.services.promise import instant_eta_minutes

__all__ = [
    "COURIER_WON_PER_MINUTE",
    "PICKER_WON_PER_MINUTE",
    "QUEUE_HORIZON_MINUTES",
    "ProductRow",
    "ServingHub",
    "SlotRow",
    "basket_rows",
    "candidates_for",
    "candidates_from",
    "cost_to_serve_won",
    "home_and_serving_hubs",
    "plan_for",
    "plan_from",
    "serving_hubs",
]

# The estimate behind the "cheapest" strategy: a courier's time out and back, and picking.
COURIER_WON_PER_MINUTE = 250  # about 15,000 won an hour
PICKER_WON_PER_MINUTE = 200  # about 12,000 won an hour
# Slot shipments join the picking queue when their window starts within this many minutes.
QUEUE_HORIZON_MINUTES = 60
MAX_UNITS = 10_000


def _policy_default(name: str) -> Any:
    field = FulfilmentPolicy._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.get_default()


# A hub without a FulfilmentPolicy row works with the model's defaults (nothing is written).
_DEFAULT_PICKERS = int(_policy_default("pickers"))
_DEFAULT_PICK_MINUTES = int(_policy_default("pick_minutes_per_order"))
_DEFAULT_INSTANT = bool(_policy_default("instant_enabled"))
_DEFAULT_LEAD_MINUTES = int(_policy_default("slot_lead_minutes"))
_DEFAULT_CUTOFF = time.fromisoformat(str(_policy_default("same_day_cutoff")))


def cost_to_serve_won(travel_minutes: float, pick_minutes_per_order: int) -> int:
    """A courier's ride out and back plus the picking time, in won (an estimate)."""
    return (
        math.ceil(2 * travel_minutes * COURIER_WON_PER_MINUTE)
        + pick_minutes_per_order * PICKER_WON_PER_MINUTE
    )


def _clean_basket(basket: Mapping[int, int]) -> dict[int, int]:
    if not basket:
        raise InvalidInput("the basket is empty", field="basket", code="empty_basket")
    for product_id, quantity in basket.items():
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= MAX_UNITS:
            raise InvalidInput(
                f"quantity of product {product_id} must be between 1 and {MAX_UNITS}", field="basket"
            )
    return dict(basket)


# -- reading (raw SQL, no model instances) -----------------------------------------------------


def aware(value: datetime) -> datetime:
    """A datetime read with a raw cursor: SQLite gives naive UTC, PostgreSQL aware UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _time(value: object) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))


@lru_cache(maxsize=1024)
def _spans(hours: str | None) -> tuple[tuple[int, int], ...]:
    """The opening windows aggregated as "weekday opens closes,..." in minutes from Monday;
    a window closing at or before it opens ends the next day (as hubs.services.is_open_at).
    Cached by the text: a hub's hours change rarely and every checkout reads them."""
    if not hours:
        return ()
    spans = []
    for window in hours.split(","):
        weekday, opens_text, closes_text = window.split(" ")
        opens, closes = time.fromisoformat(opens_text), time.fromisoformat(closes_text)
        start = int(weekday) * DAY + opens.hour * 60 + opens.minute
        end = int(weekday) * DAY + closes.hour * 60 + closes.minute
        spans.append((start, end + DAY if closes <= opens else end))
    return tuple(spans)


@dataclass(frozen=True)
class SlotRow:
    """The delivery slot of a hub at the chosen start, as read before booking."""

    id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int


@dataclass(frozen=True)
class ServingHub:
    """An open hub whose service area holds the cell, with what the plan and promise need."""

    hub_id: int
    name: str
    slug: str
    promise_minutes: int
    prep_minutes: int
    travel_minutes: float
    queue: int  # shipments waiting to be picked
    pickers: int
    pick_minutes_per_order: int
    instant_enabled: bool
    slot_lead_minutes: int
    same_day_cutoff: time
    spans: tuple[tuple[int, int], ...]  # opening windows, minutes from Monday 00:00
    slot: SlotRow | None  # the slot at the requested start, if one was asked for and exists

    def open_at(self, local: datetime) -> bool:
        """Whether the hub is open at `local` (platform time). No opening hours at all: always
        open here (hubs.services.is_open_at would call it closed)."""
        if not self.spans:
            return True
        minute = local.weekday() * DAY + local.hour * 60 + local.minute
        return any(start <= m < end for start, end in self.spans for m in (minute, minute + WEEK))


def _queue_params(now: datetime) -> list[Any]:
    horizon = connection.ops.adapt_datetimefield_value(now + timedelta(minutes=QUEUE_HORIZON_MINUTES))
    return [OrderStatus.PLACED.value, OrderStatus.PICKING.value, PromiseKind.INSTANT.value, horizon]


def _slot_param(slot_starts_at: datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(slot_starts_at) if slot_starts_at is not None else None


def serving_hubs(cell: str, now: datetime, *, slot_starts_at: datetime | None = None) -> list[ServingHub]:
    """One query: the open hubs serving `cell`, by hub id; with the slot starting at
    `slot_starts_at` at each (None: no slot looked up)."""
    live = queue_cache.cache_seconds() <= 0
    params = [*(_queue_params(now) if live else []), _slot_param(slot_starts_at), cell, Hub.Status.OPEN.value]
    with connection.cursor() as cursor:
        cursor.execute(q.serving_hubs_sql(live_queue=live), params)
        hubs = [_serving_hub(row) for row in cursor.fetchall()]
    return hubs if live else _with_cached_queues(hubs, now)


def home_and_serving_hubs(
    household_id: int, now: datetime, *, slot_starts_at: datetime | None = None
) -> tuple[tuple[Any, ...] | None, list[ServingHub]]:
    """One query: the household's (region_id, address, lat, lng, home_cell), None when there
    is no such household, and the open hubs serving its home cell (as serving_hubs)."""
    live = queue_cache.cache_seconds() <= 0
    params = [
        *(_queue_params(now) if live else []),
        Hub.Status.OPEN.value,
        _slot_param(slot_starts_at),
        household_id,
    ]
    with connection.cursor() as cursor:
        cursor.execute(q.home_and_hubs_sql(live_queue=live), params)
        rows = cursor.fetchall()
    if not rows:
        return None, []
    home = tuple(rows[0][:5])
    hubs = [_serving_hub(row[5:]) for row in rows if row[5] is not None]
    return home, hubs if live or not hubs else _with_cached_queues(hubs, now)


def _with_cached_queues(hubs: list[ServingHub], now: datetime) -> list[ServingHub]:
    lengths = queue_cache.queue_lengths(now, _queue_params)
    return [replace(hub, queue=lengths.get(hub.hub_id, 0)) for hub in hubs]


def _serving_hub(row: Sequence[Any]) -> ServingHub:
    (
        hub_id, name, slug, promise, prep, travel, pickers, pick, instant, lead, cutoff, queue, hours,
        slot_id, starts, ends, capacity, booked,
    ) = row  # fmt: skip
    has_policy = pickers is not None
    return ServingHub(
        hub_id=hub_id,
        name=name,
        slug=slug,
        promise_minutes=promise,
        prep_minutes=prep,
        travel_minutes=travel,
        queue=queue or 0,
        pickers=pickers if has_policy else _DEFAULT_PICKERS,
        pick_minutes_per_order=pick if has_policy else _DEFAULT_PICK_MINUTES,
        instant_enabled=bool(instant) if has_policy else _DEFAULT_INSTANT,
        slot_lead_minutes=lead if has_policy else _DEFAULT_LEAD_MINUTES,
        same_day_cutoff=_time(cutoff) if has_policy else _DEFAULT_CUTOFF,
        spans=_spans(hours),
        slot=SlotRow(slot_id, aware(starts), aware(ends), capacity, booked) if slot_id is not None else None,
    )


@dataclass(frozen=True)
class ProductRow:
    id: int
    merchant_id: int
    name: str  # name_ko
    unit: str
    price_won: int
    on_sale: bool  # the product and its merchant are active


def basket_rows(
    hub_ids: Sequence[int], product_ids: Sequence[int]
) -> tuple[dict[int, ProductRow], dict[int, dict[int, int]]]:
    """One query: the basket's products that exist, and the units available (on hand minus
    reserved, possibly negative) per hub and product; pairs without a stock row are absent."""
    stock: dict[int, dict[int, int]] = {h: {} for h in hub_ids}
    products: dict[int, ProductRow] = {}
    with connection.cursor() as cursor:
        cursor.execute(q.basket_sql(len(hub_ids), len(product_ids)), [*hub_ids, *product_ids])
        rows = cursor.fetchall()
    for pid, merchant_id, name, unit, price, on_sale, hub_id, on_hand, reserved in rows:
        if pid not in products:
            products[pid] = ProductRow(pid, merchant_id, name, unit, price, bool(on_sale))
        if hub_id is not None:
            stock[hub_id][pid] = on_hand - reserved
    return products, stock


# -- candidates and the plan (pure once read) --------------------------------------------------


def candidates_from(
    hubs: Sequence[ServingHub],
    stock: Mapping[int, Mapping[int, int]],
    basket: Mapping[int, int],
    *,
    now: datetime,
    extra_stock: Mapping[tuple[int, int], int] | None = None,
) -> list[Candidate]:
    """The hubs as allocation Candidates (without inbound stock). `now` in platform time."""
    extra = extra_stock or {}
    candidates = []
    for hub in hubs:
        units = dict(stock.get(hub.hub_id, {}))
        for (hub_id, product_id), quantity in extra.items():
            if hub_id == hub.hub_id and product_id in basket:
                units[product_id] = units.get(product_id, 0) + quantity
        eta = (
            instant_eta_minutes(
                queue_length=hub.queue,
                pickers=hub.pickers,
                pick_minutes_per_order=hub.pick_minutes_per_order,
                prep_minutes=hub.prep_minutes,
                travel_minutes=hub.travel_minutes,
            )
            if hub.instant_enabled and hub.open_at(now)
            else None
        )
        candidates.append(
            Candidate(
                hub_id=hub.hub_id,
                hub_name=hub.name,
                travel_minutes=hub.travel_minutes,
                eta_minutes=eta,
                promise_minutes=hub.promise_minutes,
                stock={p: max(0, n) for p, n in units.items()},
                cost_won=cost_to_serve_won(hub.travel_minutes, hub.pick_minutes_per_order),
            )
        )
    return candidates


def candidates_for(
    cell: str,
    basket: Mapping[int, int],
    *,
    now: datetime,
    extra_stock: Mapping[tuple[int, int], int] | None = None,
) -> tuple[list[Candidate], dict[int, str]]:
    """The open hubs serving `cell` as Candidates (without inbound stock), and product names."""
    moment = timezone.localtime(now)
    hubs = serving_hubs(cell, moment)
    if not hubs:
        raise OutsideServiceArea("no hub delivers to this address yet", field="address")
    products, stock = basket_rows([h.hub_id for h in hubs], list(basket))
    unknown = sorted(set(basket) - set(products))
    if unknown:
        raise InvalidInput(
            f"unknown product(s): {', '.join(map(str, unknown))}", field="basket", code="unknown_product"
        )
    names = {p.id: p.name for p in products.values()}
    return candidates_from(hubs, stock, basket, now=moment, extra_stock=extra_stock), names


def plan_from(
    candidates: Sequence[Candidate],
    names: Mapping[int, str],
    basket: Mapping[int, int],
    *,
    now: datetime,
    strategy: AllocationStrategy | None = None,
    instant: bool = True,
) -> Plan:
    """Allocate; only when the basket cannot be served now, read the expected inbound stock
    (one query) and allocate again with it (for `earliest_at`)."""
    moment = timezone.localtime(now)
    strategy = strategy or strategy_named(settings.ALLOCATION_STRATEGY)
    language = translation.get_language() or settings.LANGUAGE_CODE  # the explanation's words
    plan = allocate(basket, candidates, strategy, now=moment, instant=instant, names=names, language=language)
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
    return allocate(
        basket, with_inbound, strategy, now=moment, instant=instant, names=names, language=language
    )


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
    three queries; the third (expected inbound stock) only when the basket cannot be served.
    """
    moment = timezone.localtime(now or timezone.now())
    basket = _clean_basket(basket)
    candidates, names = candidates_for(cell, basket, now=moment, extra_stock=extra_stock)
    return plan_from(candidates, names, basket, now=moment, strategy=strategy, instant=instant)
