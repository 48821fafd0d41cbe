"""The stock audit: counters rebuilt from movements and cart holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import Product
from hyperlocal.hubs.models import Hub
from hyperlocal.inventory.models import MovementKind, Stock, StockMovement
from hyperlocal.inventory.services import StockMismatch, StockRequest, reserve_units, stock_mismatches
from hyperlocal.orders.models import Cart, StockHold
from tests.inventory.conftest import stock

pytestmark = pytest.mark.django_db


def test_cart_holds_count_as_reserved(hub: Hub, products: list[Product], outsider: User) -> None:
    stock(hub, products[0], 5)
    reserve_units([StockRequest(hub.pk, products[0].pk, 2)])  # the way carts hold units
    assert stock_mismatches() == [StockMismatch(hub.pk, products[0].pk, 5, 5, 2, 0)]
    cart = Cart.objects.create(user=outsider)
    StockHold.objects.create(
        cart=cart, hub=hub, product=products[0], quantity=2, expires_at=timezone.now() + timedelta(minutes=15)
    )
    assert stock_mismatches() == []


def test_a_counter_edited_by_hand_is_found(hub: Hub, other_hub: Hub, products: list[Product]) -> None:
    stock(hub, products[0], 5)
    stock(other_hub, products[0], 3)
    Stock.objects.filter(hub=other_hub).update(on_hand=4)
    assert stock_mismatches() == [StockMismatch(other_hub.pk, products[0].pk, 4, 3, 0, 0)]


def test_movements_without_a_row_are_found(hub: Hub, products: list[Product]) -> None:
    StockMovement.objects.create(hub=hub, product=products[1], kind=MovementKind.RECEIPT, on_hand_delta=3)
    assert stock_mismatches() == [StockMismatch(hub.pk, products[1].pk, None, 3, None, 0)]
