"""The stock counters: reserve and release refuse what is not there, every order change
has its movement, and the hot path stays at a fixed number of statements."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from hyperlocal.catalog.models import Product
from hyperlocal.errors import Conflict, InvalidInput
from hyperlocal.hubs.models import Hub
from hyperlocal.inventory.models import InboundLine, InboundShipment, MovementKind, Stock, StockMovement
from hyperlocal.inventory.services import (
    StockRequest,
    available_at,
    incoming_for,
    pick_for_order,
    release_for_order,
    release_units,
    reserve_for_order,
    reserve_units,
    return_to_stock,
    stock_mismatches,
    take_for_substitute,
)
from tests.inventory.conftest import stock

pytestmark = pytest.mark.django_db


def levels(hub: Hub, product: Product) -> tuple[int, int]:
    row = Stock.objects.get(hub=hub, product=product)
    return row.on_hand, row.reserved


def test_reserve_takes_units_while_they_last(hub: Hub, products: list[Product]) -> None:
    tangerines, hallabong, _ = products
    stock(hub, tangerines, 5)
    stock(hub, hallabong, 2)
    assert (
        reserve_units([StockRequest(hub.pk, tangerines.pk, 3), StockRequest(hub.pk, hallabong.pk, 2)]) == []
    )
    assert levels(hub, tangerines) == (5, 3)
    assert levels(hub, hallabong) == (2, 2)
    # Two more tangerines are there, three are not: the database refuses, nothing changes.
    assert reserve_units([StockRequest(hub.pk, tangerines.pk, 3)]) == [StockRequest(hub.pk, tangerines.pk, 3)]
    assert levels(hub, tangerines) == (5, 3)
    assert reserve_units([StockRequest(hub.pk, tangerines.pk, 2)]) == []
    assert levels(hub, tangerines) == (5, 5)
    # Cart holds use reserve_units directly: no movement.
    assert not StockMovement.objects.filter(kind=MovementKind.RESERVE).exists()


def test_partial_failure_reports_the_short_ones_and_the_caller_rolls_back(
    hub: Hub, products: list[Product]
) -> None:
    tangerines, hallabong, _ = products
    stock(hub, tangerines, 5)
    stock(hub, hallabong, 1)
    basket = [StockRequest(hub.pk, hallabong.pk, 2), StockRequest(hub.pk, tangerines.pk, 4)]
    with transaction.atomic():
        short = reserve_units(basket)
        assert short == [StockRequest(hub.pk, hallabong.pk, 2)]
        assert levels(hub, tangerines) == (5, 4)  # the others stay applied ...
        transaction.set_rollback(True)  # ... until the caller rolls back
    assert levels(hub, tangerines) == (5, 0)
    assert levels(hub, hallabong) == (1, 0)


def test_duplicates_are_merged_and_missing_rows_are_short(hub: Hub, products: list[Product]) -> None:
    tangerines, hallabong, _ = products
    stock(hub, tangerines, 5)
    short = reserve_units(
        [
            StockRequest(hub.pk, tangerines.pk, 3),
            StockRequest(hub.pk, hallabong.pk, 1),  # no stock row at all
            StockRequest(hub.pk, tangerines.pk, 3),
        ]
    )
    assert short == [StockRequest(hub.pk, tangerines.pk, 6), StockRequest(hub.pk, hallabong.pk, 1)]
    assert levels(hub, tangerines) == (5, 0)
    assert reserve_units([]) == []


@pytest.mark.parametrize("quantity", [0, -1, 1_000_001, True])
def test_bad_quantities_are_refused(hub: Hub, products: list[Product], quantity: int) -> None:
    stock(hub, products[0], 5)
    with pytest.raises(InvalidInput) as caught:
        reserve_units([StockRequest(hub.pk, products[0].pk, quantity)])
    assert caught.value.field == "quantity"
    assert levels(hub, products[0]) == (5, 0)


def test_release_gives_units_back_and_never_more_than_reserved(hub: Hub, products: list[Product]) -> None:
    tangerines, hallabong, _ = products
    stock(hub, tangerines, 5)
    stock(hub, hallabong, 5)
    reserve_units([StockRequest(hub.pk, tangerines.pk, 4), StockRequest(hub.pk, hallabong.pk, 1)])
    release_units([StockRequest(hub.pk, tangerines.pk, 3)])
    assert levels(hub, tangerines) == (5, 1)
    with pytest.raises(Conflict) as caught, transaction.atomic():
        release_units([StockRequest(hub.pk, tangerines.pk, 1), StockRequest(hub.pk, hallabong.pk, 2)])
    assert caught.value.code == "release_exceeds_reserved"
    assert levels(hub, tangerines) == (5, 1)
    assert levels(hub, hallabong) == (5, 1)


def test_reserve_for_order_writes_movements_only_when_complete(hub: Hub, products: list[Product]) -> None:
    tangerines, hallabong, _ = products
    stock(hub, tangerines, 5)
    stock(hub, hallabong, 1)
    basket = [StockRequest(hub.pk, tangerines.pk, 2), StockRequest(hub.pk, hallabong.pk, 1)]
    assert reserve_for_order(basket, order_id=41, actor_id=None) == []
    moves = StockMovement.objects.filter(order_id=41, kind=MovementKind.RESERVE).order_by("product_id")
    assert [(m.product_id, m.on_hand_delta, m.reserved_delta) for m in moves] == [
        (tangerines.pk, 0, 2),
        (hallabong.pk, 0, 1),
    ]
    with transaction.atomic():
        assert reserve_for_order(basket, order_id=42) == [StockRequest(hub.pk, hallabong.pk, 1)]
        transaction.set_rollback(True)
    assert not StockMovement.objects.filter(order_id=42).exists()
    release_for_order(basket, order_id=41, actor_id=None, reason="cancelled by the customer")
    assert levels(hub, tangerines) == (5, 0)
    released = StockMovement.objects.filter(order_id=41, kind=MovementKind.RELEASE)
    assert sorted(m.reserved_delta for m in released) == [-2, -1]
    assert {m.reason for m in released} == {"cancelled by the customer"}
    assert stock_mismatches() == []


def test_reserve_for_order_statement_count(
    hub: Hub, products: list[Product], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for product in products:
        stock(hub, product, 10)
    basket = [StockRequest(hub.pk, p.pk, 1) for p in products]
    # PostgreSQL: one UPDATE for the whole basket, one INSERT of the movements. SQLite: one
    # conditional UPDATE per row (writers are serialised there anyway), then the INSERT.
    expected = 2 if connection.vendor == "postgresql" else len(products) + 1
    with django_assert_num_queries(expected):
        assert reserve_for_order(basket, order_id=7) == []


def test_pick_takes_reserved_units_out_of_both_counters(hub: Hub, products: list[Product]) -> None:
    tangerines = products[0]
    stock(hub, tangerines, 5)
    reserve_for_order([StockRequest(hub.pk, tangerines.pk, 3)], order_id=9)
    pick_for_order(StockRequest(hub.pk, tangerines.pk, 2), order_id=9, actor_id=None)
    assert levels(hub, tangerines) == (3, 1)
    with pytest.raises(Conflict) as caught:
        pick_for_order(StockRequest(hub.pk, tangerines.pk, 2), order_id=9, actor_id=None)
    assert caught.value.code == "pick_exceeds_reserved"
    assert levels(hub, tangerines) == (3, 1)
    pick = StockMovement.objects.get(kind=MovementKind.PICK)
    assert (pick.on_hand_delta, pick.reserved_delta, pick.order_id) == (-2, -2, 9)
    assert stock_mismatches() == []


def test_substitute_comes_from_available_units_only(hub: Hub, products: list[Product]) -> None:
    hallabong = products[1]
    stock(hub, hallabong, 3)
    reserve_units([StockRequest(hub.pk, hallabong.pk, 2)])  # someone's cart
    assert take_for_substitute(StockRequest(hub.pk, hallabong.pk, 2), order_id=5, actor_id=None) is False
    assert levels(hub, hallabong) == (3, 2)
    assert not StockMovement.objects.filter(kind=MovementKind.PICK).exists()
    assert take_for_substitute(StockRequest(hub.pk, hallabong.pk, 1), order_id=5, actor_id=None) is True
    assert levels(hub, hallabong) == (2, 2)
    pick = StockMovement.objects.get(kind=MovementKind.PICK)
    assert (pick.on_hand_delta, pick.reserved_delta) == (-1, 0)


def test_return_puts_units_back(hub: Hub, products: list[Product], operator: object) -> None:
    tangerines = products[0]
    stock(hub, tangerines, 2)
    reserve_for_order([StockRequest(hub.pk, tangerines.pk, 2)], order_id=3)
    pick_for_order(StockRequest(hub.pk, tangerines.pk, 2), order_id=3, actor_id=None)
    return_to_stock(
        StockRequest(hub.pk, tangerines.pk, 2), order_id=3, actor_id=None, reason="delivery failed"
    )
    assert levels(hub, tangerines) == (2, 0)
    back = StockMovement.objects.get(kind=MovementKind.RETURN)
    assert (back.on_hand_delta, back.reason) == (2, "delivery failed")
    assert stock_mismatches() == []


def test_available_at_is_one_query(
    hub: Hub, other_hub: Hub, products: list[Product], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    tangerines, hallabong, tea = products
    stock(hub, tangerines, 5)
    stock(other_hub, tangerines, 1)
    stock(hub, hallabong, 4)
    reserve_units([StockRequest(hub.pk, hallabong.pk, 3)])
    with django_assert_num_queries(1):
        found = available_at([hub.pk, other_hub.pk], [tangerines.pk, hallabong.pk, tea.pk])
    assert found == {(hub.pk, tangerines.pk): 5, (other_hub.pk, tangerines.pk): 1, (hub.pk, hallabong.pk): 1}
    assert available_at([], [tangerines.pk]) == {}


def test_incoming_lists_expected_shipments_only(hub: Hub, products: list[Product]) -> None:
    tangerines, hallabong, _ = products
    now = timezone.now()
    soon = InboundShipment.objects.create(
        merchant=tangerines.merchant, hub=hub, expected_at=now + timedelta(hours=2)
    )
    late = InboundShipment.objects.create(
        merchant=tangerines.merchant, hub=hub, expected_at=now - timedelta(hours=1)
    )
    done = InboundShipment.objects.create(
        merchant=tangerines.merchant, hub=hub, expected_at=now, status=InboundShipment.Status.RECEIVED
    )
    InboundLine.objects.create(shipment=soon, product=tangerines, quantity_sent=10)
    InboundLine.objects.create(shipment=late, product=hallabong, quantity_sent=4)
    InboundLine.objects.create(shipment=done, product=tangerines, quantity_sent=99)
    assert incoming_for([hub.pk], [tangerines.pk, hallabong.pk], now=now) == [
        (now, hub.pk, hallabong.pk, 4),  # overdue: expected any minute
        (now + timedelta(hours=2), hub.pk, tangerines.pk, 10),
    ]
    assert incoming_for([hub.pk], [products[2].pk], now=now) == []
