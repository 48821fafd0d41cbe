"""Operator work on a hub's stock: adjustments and write-offs with reasons, locations and
thresholds, low stock, and the CHECK constraints that back every counter."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import Merchant, Product
from hyperlocal.errors import InvalidInput, NotAllowed, NotFound
from hyperlocal.hubs.models import Hub, Zone
from hyperlocal.inventory.models import MovementKind, Stock, StockMovement
from hyperlocal.inventory.services import (
    StockRequest,
    adjust_stock,
    hub_stock,
    low_stock,
    merchant_stock,
    receive_opening_stock,
    reserve_for_order,
    reserve_units,
    stock_mismatches,
    update_stock_settings,
    write_off,
)
from tests.factories import ProductFactory, ZoneFactory
from tests.inventory.conftest import stock

pytestmark = pytest.mark.django_db


def test_opening_stock_comes_with_its_receipt(hub: Hub, products: list[Product]) -> None:
    row = receive_opening_stock(hub, products[0], 12)
    assert (row.on_hand, row.reserved) == (12, 0)
    receive_opening_stock(hub, products[0], 3, reason="found in the back room")
    receipts = StockMovement.objects.filter(kind=MovementKind.RECEIPT).order_by("pk")
    assert [(m.on_hand_delta, m.reason) for m in receipts] == [
        (12, "opening stock"),
        (3, "found in the back room"),
    ]
    assert Stock.objects.get(hub=hub, product=products[0]).on_hand == 15
    assert stock_mismatches() == []


def test_adjust_with_a_reason_never_below_reserved(hub: Hub, products: list[Product], operator: User) -> None:
    tangerines = products[0]
    stock(hub, tangerines, 10)
    reserve_for_order([StockRequest(hub.pk, tangerines.pk, 4)], order_id=1)
    row = adjust_stock(operator, hub, tangerines.pk, -6, reason="count: six missing")
    assert (row.on_hand, row.reserved) == (4, 4)
    with pytest.raises(InvalidInput) as caught:
        adjust_stock(operator, hub, tangerines.pk, -1, reason="one more missing")
    assert (caught.value.field, caught.value.code) == ("delta", "below_reserved")
    assert adjust_stock(operator, hub, tangerines.pk, 2, reason="found two").on_hand == 6
    moves = StockMovement.objects.filter(kind=MovementKind.ADJUSTMENT).order_by("pk")
    assert [(m.on_hand_delta, m.reason, m.actor_id) for m in moves] == [
        (-6, "count: six missing", operator.pk),
        (2, "found two", operator.pk),
    ]
    assert stock_mismatches() == []


@pytest.mark.parametrize(
    ("delta", "reason", "field"), [(0, "x", "delta"), (3, "  ", "reason"), (2_000_000, "x", "delta")]
)
def test_adjust_refuses_bad_input(
    hub: Hub, products: list[Product], operator: User, delta: int, reason: str, field: str
) -> None:
    stock(hub, products[0], 1)
    with pytest.raises(InvalidInput) as caught:
        adjust_stock(operator, hub, products[0].pk, delta, reason=reason)
    assert caught.value.field == field
    assert Stock.objects.get(hub=hub, product=products[0]).on_hand == 1


def test_found_units_of_a_new_product_start_a_row(hub: Hub, products: list[Product], operator: User) -> None:
    row = adjust_stock(operator, hub, products[2].pk, 5, reason="unlabelled box")
    assert (row.on_hand, row.product_id) == (5, products[2].pk)
    with pytest.raises(NotFound):
        adjust_stock(operator, hub, products[1].pk, -1, reason="missing")
    with pytest.raises(NotFound):
        adjust_stock(operator, hub, 999_999, 1, reason="ghost")


def test_only_operators_change_stock(
    hub: Hub, products: list[Product], outsider: User, platform_admin: User
) -> None:
    stock(hub, products[0], 5)
    with pytest.raises(NotAllowed):
        adjust_stock(outsider, hub, products[0].pk, 1, reason="x")
    with pytest.raises(NotAllowed):
        write_off(outsider, hub, products[0].pk, 1, reason="x")
    with pytest.raises(NotAllowed):
        update_stock_settings(outsider, hub, products[0].pk, bin="A-1")
    assert adjust_stock(platform_admin, hub, products[0].pk, 1, reason="admin count").on_hand == 6


def test_write_off_takes_available_units_only(hub: Hub, products: list[Product], operator: User) -> None:
    tangerines = products[0]
    stock(hub, tangerines, 5)
    reserve_for_order([StockRequest(hub.pk, tangerines.pk, 3)], order_id=1)
    with pytest.raises(InvalidInput) as caught:
        write_off(operator, hub, tangerines.pk, 3, reason="expired")
    assert caught.value.field == "quantity"
    row = write_off(operator, hub, tangerines.pk, 2, reason="expired")
    assert (row.on_hand, row.reserved) == (3, 3)
    move = StockMovement.objects.get(kind=MovementKind.WRITE_OFF)
    assert (move.on_hand_delta, move.reserved_delta, move.reason) == (-2, 0, "expired")
    assert stock_mismatches() == []


def test_location_and_thresholds(
    hub: Hub, other_hub: Hub, zone: Zone, products: list[Product], operator: User
) -> None:
    stock(hub, products[0], 5)
    row = update_stock_settings(operator, hub, products[0].pk, zone_id=zone.pk, bin=" A-3-2 ", low_stock_at=8)
    assert (row.zone_id, row.bin, row.low_stock_at, row.target_days_of_cover) == (zone.pk, "A-3-2", 8, 3)
    row = update_stock_settings(operator, hub, products[0].pk, target_days_of_cover=7, zone_id=None)
    assert (row.zone_id, row.bin, row.target_days_of_cover) == (None, "A-3-2", 7)
    elsewhere = ZoneFactory(hub=other_hub)
    for changes, field in [
        ({"zone_id": elsewhere.pk}, "zone_id"),
        ({"bin": "X" * 17}, "bin"),
        ({"low_stock_at": -1}, "low_stock_at"),
        ({"target_days_of_cover": 366}, "target_days_of_cover"),
        ({"on_hand": 99}, "on_hand"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            update_stock_settings(operator, hub, products[0].pk, **changes)
        assert caught.value.field == field
    assert Stock.objects.get(hub=hub, product=products[0]).on_hand == 5


def test_low_stock_counts_what_is_available(hub: Hub, products: list[Product]) -> None:
    tangerines, hallabong, tea = products
    stock(hub, tangerines, 20)
    stock(hub, hallabong, 9)
    stock(hub, tea, 5)  # exactly at the default threshold of 5
    reserve_units([StockRequest(hub.pk, hallabong.pk, 5)])  # 4 available
    assert [s.product_id for s in low_stock(hub)] == [hallabong.pk, tea.pk]


def test_hub_stock_in_pick_order_and_searchable(
    hub: Hub, zone: Zone, products: list[Product], operator: User
) -> None:
    for product in products:
        stock(hub, product, 3)
    update_stock_settings(operator, hub, products[2].pk, zone_id=zone.pk, bin="A-1")
    update_stock_settings(operator, hub, products[1].pk, zone_id=zone.pk, bin="B-1")
    assert [s.product_id for s in hub_stock(hub)] == [products[2].pk, products[1].pk, products[0].pk]
    assert [s.product_id for s in hub_stock(hub, query="halla")] == [products[1].pk]
    assert [s.product_id for s in hub_stock(hub, query="JEJU-3")] == [products[2].pk]


def test_merchant_sees_its_products_in_every_hub(
    hub: Hub, other_hub: Hub, merchant: Merchant, products: list[Product]
) -> None:
    stock(hub, products[0], 3)
    stock(other_hub, products[0], 7)
    stock(hub, ProductFactory(), 50)  # someone else's product
    rows = merchant_stock(merchant)
    assert [(s.product_id, s.hub.slug, s.on_hand) for s in rows] == [
        (products[0].pk, "hongdae", 7),
        (products[0].pk, "mapo-office", 3),
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"on_hand": -1, "reserved": 0},  # on hand never negative
        {"reserved": -1},  # reserved never negative
        {"reserved": F("on_hand") + 1},  # reserved never above on hand
    ],
)
def test_the_database_refuses_impossible_counters(
    hub: Hub, products: list[Product], change: dict[str, object]
) -> None:
    stock(hub, products[0], 5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(hub=hub, product=products[0]).update(**change)
    assert Stock.objects.get(hub=hub, product=products[0]).on_hand == 5


def test_a_movement_must_change_something(hub: Hub, products: list[Product]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMovement.objects.create(hub=hub, product=products[0], kind=MovementKind.ADJUSTMENT)


def test_a_search_with_a_nul_byte_is_harmless(hub: Hub, products: list[Product]) -> None:
    stock(hub, products[0], 1)
    assert [s.product_id for s in hub_stock(hub, query="Tange\x00")] == [products[0].pk]
