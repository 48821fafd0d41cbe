"""Stock in the demo hubs: which products each hub carries, how many, and where on the shelf.

Every hub carries most of the catalogue but not all of it (so that some baskets need a split
or another hub), a few rows run low, and every row has a bin in the hub's warehouse, named by
aisle (one per category), shelf and level, so that pick lists come out in walking order.
Levels arrive through the inventory service as opening RECEIPT movements, so that stock can
be rebuilt from movements like any other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from hyperlocal.catalog.models import Product, ProductCategory
from hyperlocal.hubs.models import Hub, Zone
from hyperlocal.inventory.models import MovementKind, Stock
from hyperlocal.inventory.services import StockRequest, add_on_hand

# Share of the catalogue a hub carries, and of its rows that run low.
CARRIED_SHARE = 0.8
LOW_SHARE = 0.06
LOW_STOCK_AT = 5
LEVELS = (8, 60)  # on hand of a normal row, before what the past orders took
RECEIPT_REASON = "opening stock"
# Walking order through a warehouse: dry goods first, chilled and frozen near the packing bench.
AISLES = [
    ProductCategory.HOUSEHOLD,
    ProductCategory.PERSONAL_CARE,
    ProductCategory.RICE_GRAINS,
    ProductCategory.PANTRY,
    ProductCategory.SNACKS,
    ProductCategory.TEA_COFFEE,
    ProductCategory.BEVERAGES,
    ProductCategory.BAKERY,
    ProductCategory.FRUIT,
    ProductCategory.VEGETABLES,
    ProductCategory.READY_MEALS,
    ProductCategory.DAIRY_EGGS,
    ProductCategory.MEAT,
    ProductCategory.SEAFOOD,
    ProductCategory.OTHER,
]
SHELF_SLOTS = 12  # bins per aisle before the next shelf


@dataclass(frozen=True)
class StockPlan:
    hub_id: int
    product_id: int
    on_hand: int


def aisle_letter(category: str) -> str:
    known = [str(c) for c in AISLES]
    index = known.index(category) if category in known else len(known) - 1
    return chr(ord("A") + index)


def bins_for(products: list[Product]) -> dict[int, str]:
    """ "C-02-3": aisle C, shelf 2, level 3 — the same bin for a product in every hub."""
    by_aisle: dict[str, list[Product]] = {}
    for product in sorted(products, key=lambda p: (aisle_letter(p.category), p.sku, p.pk)):
        by_aisle.setdefault(aisle_letter(product.category), []).append(product)
    bins = {}
    for letter, items in by_aisle.items():
        for n, product in enumerate(items):
            shelf, level = divmod(n, 4)
            bins[product.pk] = f"{letter}-{shelf + 1:02d}-{level + 1}"
    return bins


def plan_stock(hubs: list[Hub], products: list[Product], rng: np.random.Generator) -> list[StockPlan]:
    """Which hub carries what, and how many are on the shelf now. Every product is carried by
    at least one hub; the first hub in the list (the caller puts the demo resident's nearest
    first) carries the whole regional range, so that the tour always finds tangerines in stock."""
    plans = []
    for h, hub in enumerate(hubs):
        carried = rng.random(len(products)) < CARRIED_SHARE
        low = rng.random(len(products)) < LOW_SHARE
        levels = rng.integers(LEVELS[0], LEVELS[1] + 1, size=len(products))
        lows = rng.integers(1, LOW_STOCK_AT, size=len(products))
        for i, product in enumerate(products):
            must = (h == i % len(hubs)) or (h == 0 and product.origin_id is not None)
            if not (carried[i] or must):
                continue
            on_hand = int(lows[i]) if low[i] else int(levels[i])
            plans.append(StockPlan(hub_id=hub.pk, product_id=product.pk, on_hand=on_hand))
    return plans


def write_stock(
    plans: list[StockPlan],
    products: list[Product],
    *,
    sold: dict[tuple[int, int], int],
    received_at: datetime,
) -> int:
    """The stock rows and their opening receipts (what is on hand now plus what the past
    orders picked since), with each row's bin in its hub's warehouse."""
    warehouses = dict(
        Zone.objects.filter(hub_id__in={p.hub_id for p in plans}, kind=Zone.Kind.WAREHOUSE)
        .order_by("hub_id", "name")
        .values_list("hub_id", "pk")
    )
    bins = bins_for(products)
    # Empty rows with their bins first; the inventory service then receives the opening stock.
    Stock.objects.bulk_create(
        [
            Stock(
                hub_id=p.hub_id,
                product_id=p.product_id,
                zone_id=warehouses.get(p.hub_id),
                bin=bins[p.product_id],
                low_stock_at=LOW_STOCK_AT,
            )
            for p in plans
        ],
        batch_size=1000,
    )
    add_on_hand(
        [
            StockRequest(p.hub_id, p.product_id, p.on_hand + sold.get((p.hub_id, p.product_id), 0))
            for p in plans
        ],
        MovementKind.RECEIPT,
        reason=RECEIPT_REASON,
        actor_id=None,
        now=received_at,
    )
    # What the past orders picked since leaves the shelf; their PICK movements are written
    # with those orders (history.py), so that the counters and the movements agree.
    taken = {key: units for key, units in sold.items() if units}
    rows = list(Stock.objects.filter(hub_id__in={h for h, _ in taken}, product_id__in={p for _, p in taken}))
    changed = [row for row in rows if (row.hub_id, row.product_id) in taken]
    for row in changed:
        row.on_hand -= taken[row.hub_id, row.product_id]
    Stock.objects.bulk_update(changed, ["on_hand"], batch_size=500)
    return len(plans)
