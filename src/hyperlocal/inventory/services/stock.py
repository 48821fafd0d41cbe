"""What operators do with a hub's stock: look it up, adjust it with a reason, write it off,
say where it lives and when it runs low; and the merchant's view of their stock per hub."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from hyperlocal.catalog.models import Merchant, Product
from hyperlocal.catalog.services.permissions import AnyUser
from hyperlocal.errors import InvalidInput, NotFound
from hyperlocal.hubs.models import Hub
from hyperlocal.inventory.models import MovementKind, Stock
from hyperlocal.inventory.services.counters import (
    MAX_UNITS,
    StockRequest,
    add_on_hand,
    clean_quantity,
    ensure_rows,
    write_movements,
)
from hyperlocal.inventory.services.permissions import require_operator

MAX_REASON = 200
MAX_BIN = 16
MAX_LOW_STOCK_AT = 100_000
MAX_DAYS_OF_COVER = 365
MAX_QUERY = 200


def clean_reason(reason: object, *, field: str = "reason") -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput("give a reason", field=field)
    reason = reason.strip()
    if len(reason) > MAX_REASON or "\x00" in reason:
        raise InvalidInput(f"the reason must be at most {MAX_REASON} characters", field=field)
    return reason


def _rows() -> QuerySet[Stock]:
    return Stock.objects.select_related("hub", "product", "zone")


def get_stock(hub: Hub, product_id: int) -> Stock:
    """The hub's stock row for the product, else NotFound (field product_id)."""
    stock = _rows().filter(hub=hub, product_id=product_id).first() if 0 < product_id < 2**63 else None
    if stock is None:
        raise NotFound(f"{hub.name} has no stock of product {product_id}", field="product_id")
    return stock


def receive_opening_stock(
    hub: Hub,
    product: Product,
    quantity: int,
    *,
    reason: str = "opening stock",
    actor: AnyUser | None = None,
    now: datetime | None = None,
) -> Stock:
    """Units that arrive outside an inbound shipment (a hub's first stock, the demo, tests):
    the row is created where missing and the RECEIPT movement explains the level."""
    q = clean_quantity(quantity)
    add_on_hand(
        [StockRequest(hub.pk, product.pk, q)],
        MovementKind.RECEIPT,
        reason=clean_reason(reason),
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        now=now,
    )
    return get_stock(hub, product.pk)


def adjust_stock(
    user: AnyUser, hub: Hub, product_id: int, delta: int, *, reason: str, now: datetime | None = None
) -> Stock:
    """on_hand += delta (a count found more or fewer units) with an ADJUSTMENT movement.
    Never below what is reserved: the update is conditional, InvalidInput (field delta) if not."""
    require_operator(user, hub)
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0 or abs(delta) > MAX_UNITS:
        raise InvalidInput(f"delta must be a non-zero whole number within ±{MAX_UNITS}", field="delta")
    reason = clean_reason(reason)
    if delta > 0 and not Stock.objects.filter(hub=hub, product_id=product_id).exists():
        # Units found of a product the hub has no row for yet: the row starts here.
        if not (0 < product_id < 2**63 and Product.objects.filter(pk=product_id).exists()):
            raise NotFound(f"no product with id {product_id}", field="product_id")
        ensure_rows([(hub.pk, product_id)])
    stock = get_stock(hub, product_id)
    at = now or timezone.now()
    changed = Stock.objects.filter(pk=stock.pk, on_hand__gte=F("reserved") - delta).update(
        on_hand=F("on_hand") + delta, updated_at=at
    )
    if not changed:
        raise InvalidInput(
            f"cannot take {-delta} off: {stock.available} of {stock.on_hand} on hand are not reserved",
            field="delta",
            code="below_reserved",
        )
    request = StockRequest(hub.pk, product_id, abs(delta))
    write_movements(
        [request],
        MovementKind.ADJUSTMENT,
        on_hand_sign=1 if delta > 0 else -1,
        reserved_sign=0,
        reason=reason,
        actor_id=user.pk,
        now=at,
    )
    return get_stock(hub, product_id)


def write_off(
    user: AnyUser, hub: Hub, product_id: int, quantity: int, *, reason: str, now: datetime | None = None
) -> Stock:
    """Units thrown away (expired perishables, breakage): on_hand -= quantity from the
    available units only, with a WRITE_OFF movement; InvalidInput (field quantity) if fewer."""
    require_operator(user, hub)
    q = clean_quantity(quantity)
    reason = clean_reason(reason)
    stock = get_stock(hub, product_id)
    at = now or timezone.now()
    changed = Stock.objects.filter(pk=stock.pk, on_hand__gte=F("reserved") + q).update(
        on_hand=F("on_hand") - q, updated_at=at
    )
    if not changed:
        raise InvalidInput(
            f"cannot write off {q}: only {stock.available} are available (the rest are reserved)",
            field="quantity",
            code="below_reserved",
        )
    write_movements(
        [StockRequest(hub.pk, product_id, q)],
        MovementKind.WRITE_OFF,
        on_hand_sign=-1,
        reserved_sign=0,
        reason=reason,
        actor_id=user.pk,
        now=at,
    )
    return get_stock(hub, product_id)


def _bounded(value: object, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{field} must be a whole number from {low} to {high}", field=field)
    return value


def update_stock_settings(user: AnyUser, hub: Hub, product_id: int, **changes: Any) -> Stock:
    """Change where the product lives (zone_id, bin) and its low-stock threshold
    (low_stock_at) and target days of cover (target_days_of_cover). Only the given keys change."""
    require_operator(user, hub)
    unknown = set(changes) - {"zone_id", "bin", "low_stock_at", "target_days_of_cover"}
    if unknown:
        raise InvalidInput(f"cannot change {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    stock = get_stock(hub, product_id)
    if "zone_id" in changes:
        zone_id = changes["zone_id"]
        if zone_id is None:
            stock.zone = None
        else:
            zone = (
                hub.zones.filter(pk=zone_id).first()
                if isinstance(zone_id, int) and 0 < zone_id < 2**63
                else None
            )
            if zone is None:
                raise InvalidInput(f"{hub.name} has no zone {zone_id!r}", field="zone_id")
            stock.zone = zone
    if "bin" in changes:
        bin_ = changes["bin"]
        if not isinstance(bin_, str) or len(bin_.strip()) > MAX_BIN or not bin_.strip().isprintable():
            raise InvalidInput(f"bin must be at most {MAX_BIN} printable characters", field="bin")
        stock.bin = bin_.strip()
    if "low_stock_at" in changes:
        stock.low_stock_at = _bounded(changes["low_stock_at"], "low_stock_at", 0, MAX_LOW_STOCK_AT)
    if "target_days_of_cover" in changes:
        stock.target_days_of_cover = _bounded(
            changes["target_days_of_cover"], "target_days_of_cover", 0, MAX_DAYS_OF_COVER
        )
    # Only these columns: the counters may be changing under us and are never written here.
    stock.save(update_fields=["zone", "bin", "low_stock_at", "target_days_of_cover", "updated_at"])
    return get_stock(hub, product_id)


def hub_stock(hub: Hub, *, query: str | None = None) -> list[Stock]:
    """The hub's stock rows in pick order (zone, bin, product), optionally only products whose
    name or SKU contains `query`."""
    rows = _rows().filter(hub=hub)
    q = (query or "").replace("\x00", "").strip()[:MAX_QUERY]  # PostgreSQL text holds no NUL
    if q:
        rows = rows.filter(
            Q(product__name_ko__icontains=q) | Q(product__name_en__icontains=q) | Q(product__sku__icontains=q)
        )
    return list(rows.order_by(F("zone__name").asc(nulls_last=True), "bin", "product__name_en", "product_id"))


def low_stock(hub: Hub) -> list[Stock]:
    """Rows whose available units (on hand - reserved) are at or below their low_stock_at,
    emptiest first."""
    rows = _rows().filter(hub=hub, on_hand__lte=F("reserved") + F("low_stock_at"))
    return sorted(rows, key=lambda s: (s.available, s.product.name_en, s.product_id))


def merchant_stock(merchant: Merchant) -> list[Stock]:
    """Stock of the merchant's products in every hub, by product then hub."""
    rows = _rows().filter(product__merchant=merchant)
    return list(rows.order_by("product__name_en", "product_id", "hub__name", "hub_id"))
