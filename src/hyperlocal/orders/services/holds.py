"""Stock held for carts: StockHold rows whose units are part of inventory Stock.reserved.

A hold is taken with inventory's reserve_units (a conditional, set-based UPDATE) and the
row written in the same transaction; releasing deletes the rows (DELETE ... RETURNING, so
that two releasers never give the same units back twice) and gives their units back with
release_units, again in one transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from hyperlocal.inventory.services import StockRequest, release_units, reserve_units
from hyperlocal.orders.allocation import Plan
from hyperlocal.orders.models import Cart, StockHold

HOLDS = StockHold._meta.db_table


def hold_minutes() -> int:
    return int(settings.CART_HOLD_MINUTES)


def _delete_returning(where: str, params: Sequence[Any]) -> list[StockRequest]:
    sql = f"DELETE FROM {HOLDS} WHERE {where} RETURNING hub_id, product_id, quantity"
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return [StockRequest(int(h), int(p), int(q)) for h, p, q in cursor.fetchall()]


def _release(released: list[StockRequest]) -> int:
    if released:
        release_units(released)
    return len(released)


def release_cart_holds(cart_id: int, *, expired_at: datetime | None = None) -> int:
    """Release the cart's holds (only those expired at `expired_at` when given). Returns how
    many hold rows were released."""
    with transaction.atomic():
        if expired_at is None:
            released = _delete_returning("cart_id = %s", [cart_id])
        else:
            when = connection.ops.adapt_datetimefield_value(expired_at)
            released = _delete_returning("cart_id = %s AND expires_at <= %s", [cart_id, when])
        return _release(released)


def release_expired_holds(*, now: datetime | None = None, product_ids: Collection[int] | None = None) -> int:
    """Release every hold that expired by `now` (the worker runs this periodically), or only
    those of `product_ids` (carts and checkout do this for their own products, so that an
    expired hold never stands in their way). Returns how many hold rows were released."""
    when = connection.ops.adapt_datetimefield_value(now or timezone.now())
    where = "expires_at <= %s"
    params: list[Any] = [when]
    if product_ids is not None:
        ids = sorted({int(p) for p in product_ids})
        if not ids:
            return 0
        where += f" AND product_id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    with transaction.atomic():
        return _release(_delete_returning(where, params))


def held_by_cart(cart_id: int, *, now: datetime | None = None) -> dict[tuple[int, int], int]:
    """(hub_id, product_id) -> units this cart holds and that have not expired."""
    rows = StockHold.objects.filter(cart_id=cart_id, expires_at__gt=now or timezone.now())
    return {(h, p): q for h, p, q in rows.values_list("hub_id", "product_id", "quantity")}


def take_holds(cart: Cart, plan: Plan, *, now: datetime) -> list[StockRequest]:
    """Hold the plan's units for the cart until now + CART_HOLD_MINUTES. Units that cannot
    be held any more (taken meanwhile) are returned; the rest is held. The cart's holds must
    have been released first (one hold row per cart, hub and product)."""
    wanted = [StockRequest(s.hub_id, p, q) for s in plan.shipments for p, q in s.lines.items()]
    expires = now + timedelta(minutes=hold_minutes())
    with transaction.atomic():
        short = reserve_units(wanted) if wanted else []
        failed = {(r.hub_id, r.product_id) for r in short}
        totals: dict[tuple[int, int], int] = {}
        for r in wanted:
            if (r.hub_id, r.product_id) not in failed:
                totals[(r.hub_id, r.product_id)] = totals.get((r.hub_id, r.product_id), 0) + r.quantity
        StockHold.objects.bulk_create(
            [
                StockHold(cart=cart, hub_id=h, product_id=p, quantity=q, expires_at=expires)
                for (h, p), q in totals.items()
            ]
        )
        Cart.objects.filter(pk=cart.pk).update(holds_expire_at=expires if totals else None, updated_at=now)
        cart.holds_expire_at = expires if totals else None
    return short


def units_by_product(held: Mapping[tuple[int, int], int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for (_hub, product), q in held.items():
        out[product] = out.get(product, 0) + q
    return out
