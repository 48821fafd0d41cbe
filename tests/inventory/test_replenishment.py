"""Replenishment: the arithmetic (pure) and the figures from real movements."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from hyperlocal.catalog.models import Product
from hyperlocal.errors import InvalidInput
from hyperlocal.hubs.models import Hub
from hyperlocal.inventory.models import InboundLine, InboundShipment, MovementKind, StockMovement
from hyperlocal.inventory.services import replenishment_suggestions, suggested_units, target_units
from tests.inventory.conftest import stock

NOW = timezone.make_aware(datetime(2024, 6, 15, 12, 0))


@pytest.mark.parametrize(
    ("picked", "days", "cover", "target"),
    [
        (28, 14, 3, 6),  # 2 a day, 3 days: 6
        (29, 14, 3, 7),  # 2.07 a day: 6.2 rounds up to 7
        (1, 14, 3, 1),  # a slow seller still asks for one
        (0, 14, 3, 0),
        (14, 14, 0, 0),  # no cover wanted
    ],
)
def test_target_rounds_up(picked: int, days: int, cover: int, target: int) -> None:
    assert target_units(picked, days, cover) == target


def test_suggestion_subtracts_what_is_there_and_coming() -> None:
    assert suggested_units(picked=70, days=14, target_days_of_cover=4, available=5, incoming=0) == 15
    assert suggested_units(picked=70, days=14, target_days_of_cover=4, available=5, incoming=10) == 5
    assert suggested_units(picked=70, days=14, target_days_of_cover=4, available=30, incoming=0) == 0
    with pytest.raises(ValueError, match="days"):
        target_units(1, 0, 3)


def pick(hub: Hub, product: Product, units: int, at: datetime) -> None:
    StockMovement.objects.create(
        hub=hub,
        product=product,
        kind=MovementKind.PICK,
        on_hand_delta=-units,
        reserved_delta=-units,
        created_at=at,
    )


@pytest.mark.django_db
def test_suggestions_from_recent_picks(hub: Hub, other_hub: Hub, products: list[Product]) -> None:
    tangerines, hallabong, tea = products
    for product in products:
        stock(hub, product, 10)
    pick(hub, tangerines, 20, NOW - timedelta(days=2))
    pick(hub, tangerines, 8, NOW - timedelta(days=13))
    pick(hub, tangerines, 100, NOW - timedelta(days=15))  # before the window
    pick(other_hub, tangerines, 100, NOW - timedelta(days=1))  # another hub
    pick(hub, hallabong, 14, NOW - timedelta(hours=1))
    shipment = InboundShipment.objects.create(merchant=hallabong.merchant, hub=hub, expected_at=NOW)
    InboundLine.objects.create(shipment=shipment, product=hallabong, quantity_sent=4)
    found = {s.product_id: s for s in replenishment_suggestions(hub, days=14, now=NOW)}
    t = found[tangerines.pk]
    # 28 picked in 14 days = 2 a day; 3 days of cover = 6; 10 are there (picks written
    # directly here do not change the counters): nothing to order.
    assert (t.picked, t.rate_per_day, t.target_units, t.available, t.suggested) == (28, 2.0, 6, 10, 0)
    h = found[hallabong.pk]
    assert (h.picked, h.target_units, h.incoming, h.suggested) == (14, 3, 4, 0)
    assert found[tea.pk].suggested == 0
    wide = {s.product_id: s for s in replenishment_suggestions(hub, days=2, now=NOW)}
    # 14 hallabong in 2 days = 7 a day; 21 for 3 days - 10 there - 4 coming = 7.
    assert (wide[hallabong.pk].target_units, wide[hallabong.pk].suggested) == (21, 7)
    assert replenishment_suggestions(hub, days=2, now=NOW)[0].product_id == hallabong.pk  # biggest first
    with pytest.raises(InvalidInput) as caught:
        replenishment_suggestions(hub, days=0)
    assert caught.value.field == "days"
