"""What site planning reads of orders: orders (not cancelled) per delivery cell over a
period, with their count and value. Read-only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Sum

from hyperlocal.orders.models import Order, OrderStatus

__all__ = ["CellOrders", "orders_by_cell"]


@dataclass(frozen=True)
class CellOrders:
    count: int
    won: int  # the orders' total value in won
    region_code: str  # the region of (one of) the orders


def orders_by_cell(region_ids: Iterable[int], since: datetime, until: datetime) -> dict[str, CellOrders]:
    """Orders placed in [since, until] in the regions ``region_ids`` and not cancelled, per
    delivery cell as stored (whatever its H3 resolution)."""
    rows = (
        Order.objects.filter(region_id__in=list(region_ids), placed_at__gte=since, placed_at__lte=until)
        .exclude(status=OrderStatus.CANCELLED)
        .values("delivery_cell", "region__code")
        .annotate(n=Count("pk"), won=Sum("total_won"))
        .order_by("delivery_cell", "region__code")
    )
    out: dict[str, CellOrders] = {}
    for row in rows:
        cell = row["delivery_cell"]
        before = out.get(cell)
        count, won = int(row["n"]), int(row["won"] or 0)
        if before is not None:
            out[cell] = CellOrders(before.count + count, before.won + won, before.region_code)
        else:
            out[cell] = CellOrders(count, won, str(row["region__code"]))
    return out
