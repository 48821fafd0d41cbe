"""Rebuild the counters from what explains them and list where they disagree.

on_hand  = sum of the movements' on_hand_delta
reserved = sum of the movements' reserved_delta (order reservations)
           + the open cart holds (rows of the orders app's table `orders_stockhold`; read with
             SQL so that inventory does not import orders)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q

from hyperlocal.inventory.models import Stock, StockMovement

HOLDS_TABLE = "orders_stockhold"


@dataclass(frozen=True)
class StockMismatch:
    hub_id: int
    product_id: int
    on_hand: int | None  # None: movements or holds but no stock row
    expected_on_hand: int
    reserved: int | None
    expected_reserved: int


def _sql() -> str:
    stock, moves = Stock._meta.db_table, StockMovement._meta.db_table
    return f"""
SELECT k.hub_id, k.product_id, s.on_hand, s.reserved,
       COALESCE(m.on_hand, 0), COALESCE(m.reserved, 0) + COALESCE(h.held, 0)
FROM (
    SELECT hub_id, product_id FROM {stock}
    UNION SELECT hub_id, product_id FROM {moves}
    UNION SELECT hub_id, product_id FROM {HOLDS_TABLE}
) k
LEFT JOIN {stock} s ON s.hub_id = k.hub_id AND s.product_id = k.product_id
LEFT JOIN (
    SELECT hub_id, product_id, SUM(on_hand_delta) AS on_hand, SUM(reserved_delta) AS reserved
    FROM {moves} GROUP BY hub_id, product_id
) m ON m.hub_id = k.hub_id AND m.product_id = k.product_id
LEFT JOIN (
    SELECT hub_id, product_id, SUM(quantity) AS held FROM {HOLDS_TABLE} GROUP BY hub_id, product_id
) h ON h.hub_id = k.hub_id AND h.product_id = k.product_id
ORDER BY k.hub_id, k.product_id
"""


def stock_mismatches() -> list[StockMismatch]:
    """Every (hub, product) whose stored counters differ from the rebuilt ones. One query."""
    with connection.cursor() as cursor:
        cursor.execute(_sql())
        rows = cursor.fetchall()
    found = []
    for hub_id, product_id, on_hand, reserved, expected_on_hand, expected_reserved in rows:
        if (on_hand, reserved) != (expected_on_hand, expected_reserved):
            if on_hand is None and expected_on_hand == 0 and expected_reserved == 0:
                continue  # movements that cancel out, for a row that no longer exists
            found.append(
                StockMismatch(
                    int(hub_id),
                    int(product_id),
                    on_hand,
                    int(expected_on_hand),
                    reserved,
                    int(expected_reserved),
                )
            )
    return found


def stock_out_of_bounds() -> list[Stock]:
    """Stock rows that break the counters' bounds: negative on hand, or more reserved than
    on hand (oversold). Empty when all is well."""
    return list(
        Stock.objects.filter(Q(on_hand__lt=0) | Q(reserved__gt=F("on_hand"))).order_by("hub_id", "product_id")
    )


def products_in_stock(*, spare_units: int = 0) -> list[int]:
    """Ids of products with more than ``spare_units`` available (on hand less reserved) at some
    hub, ascending."""
    return list(
        Stock.objects.filter(on_hand__gt=F("reserved") + spare_units)
        .values_list("product_id", flat=True)
        .distinct()
        .order_by("product_id")
    )
