"""Replenishment suggestions: how many units of each product a hub should ask for.

sales rate = units picked (PICK movements) over the last `days` days / days
target     = ceil(rate * target_days_of_cover)
suggested  = max(0, target - available - incoming)     (incoming: expected inbound units)

All in integer arithmetic (ceil(picked * cover / days)), so the figures that explain a
suggestion add up exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Sum
from django.utils import timezone

from hyperlocal.errors import InvalidInput
from hyperlocal.hubs.models import Hub
from hyperlocal.inventory.models import InboundLine, InboundShipment, MovementKind, Stock, StockMovement

MAX_DAYS = 365


@dataclass(frozen=True)
class Suggestion:
    product_id: int
    product_name: str
    sku: str
    on_hand: int
    reserved: int
    available: int
    incoming: int  # units on expected inbound shipments
    picked: int  # units picked over the window
    days: int  # the window
    target_days_of_cover: int
    target_units: int  # ceil(picked / days * target_days_of_cover)
    suggested: int

    @property
    def rate_per_day(self) -> float:
        return self.picked / self.days


def target_units(picked: int, days: int, target_days_of_cover: int) -> int:
    """ceil(picked / days * cover) without floats."""
    if days <= 0:
        raise ValueError("days must be positive")
    return -(-picked * target_days_of_cover // days)


def suggested_units(
    *, picked: int, days: int, target_days_of_cover: int, available: int, incoming: int
) -> int:
    """max(0, ceil(rate * cover) - available - incoming)."""
    return max(0, target_units(picked, days, target_days_of_cover) - available - incoming)


def replenishment_suggestions(hub: Hub, *, days: int = 14, now: datetime | None = None) -> list[Suggestion]:
    """One suggestion per stock row of the hub, largest suggestion first. Three queries."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"days must be a whole number from 1 to {MAX_DAYS}", field="days")
    now = now or timezone.now()
    picked = dict(
        StockMovement.objects.filter(
            hub=hub, kind=MovementKind.PICK, created_at__gt=now - timedelta(days=days), created_at__lte=now
        )
        .values("product_id")
        .annotate(units=Sum("on_hand_delta"))
        .values_list("product_id", "units")
    )
    incoming = dict(
        InboundLine.objects.filter(shipment__hub=hub, shipment__status=InboundShipment.Status.EXPECTED)
        .values("product_id")
        .annotate(units=Sum("quantity_sent"))
        .values_list("product_id", "units")
    )
    suggestions = []
    for stock in Stock.objects.filter(hub=hub).select_related("product"):
        units = -(picked.get(stock.product_id) or 0)
        coming = incoming.get(stock.product_id) or 0
        suggestions.append(
            Suggestion(
                product_id=stock.product_id,
                product_name=stock.product.name_en or stock.product.name_ko,
                sku=stock.product.sku,
                on_hand=stock.on_hand,
                reserved=stock.reserved,
                available=stock.available,
                incoming=coming,
                picked=units,
                days=days,
                target_days_of_cover=stock.target_days_of_cover,
                target_units=target_units(units, days, stock.target_days_of_cover),
                suggested=suggested_units(
                    picked=units,
                    days=days,
                    target_days_of_cover=stock.target_days_of_cover,
                    available=stock.available,
                    incoming=coming,
                ),
            )
        )
    return sorted(suggestions, key=lambda s: (-s.suggested, s.product_name, s.product_id))
