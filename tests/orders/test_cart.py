"""The cart: lines, substitution choices, the summary with prices and promise, bad input,
and checkout of the cart (holds become the order's reservation)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from hyperlocal.errors import DomainError, InvalidInput, NotFound
from hyperlocal.orders.errors import OutOfStock
from hyperlocal.orders.models import CartLine, OrderLine, StockHold
from hyperlocal.orders.services import (
    DeliveryChoice,
    cart_summary,
    checkout_cart,
    clear_cart,
    set_cart_line,
)
from tests.factories import ProductFactory
from tests.orders.conftest import Shop, make_customer, reserved_total, snapshot

INSTANT = DeliveryChoice("instant")


def test_summary_shows_lines_prices_hold_and_promise(shop: Shop) -> None:
    p0, p1 = shop.products[:2]
    set_cart_line(shop.customer, p0.pk, 2, now=shop.now)
    summary = set_cart_line(shop.customer, p1.pk, 1, "ask", now=shop.now + timedelta(minutes=1))
    assert [(v.product_id, v.quantity, v.total_won, v.substitution, v.held) for v in summary.lines] == [
        (p0.pk, 2, 2000, "allow", 2),
        (p1.pk, 1, 2000, "ask", 1),
    ]
    assert (summary.items_won, summary.delivery_fee_won, summary.total_won) == (4000, 3000, 7000)
    assert summary.minutes_left == 15
    assert summary.holds_expire_at == shop.now + timedelta(minutes=16)
    assert summary.plan is not None
    assert summary.plan_summary == summary.plan.summary
    assert summary.instant_eta_minutes is not None
    assert shop.slot_a.starts_at in [o.starts_at for o in summary.slot_options]


@pytest.mark.parametrize(
    ("args", "error", "field"),
    [
        ((1, -1), InvalidInput, "quantity"),
        ((1, 100), InvalidInput, "quantity"),
        ((1, 2.5), InvalidInput, "quantity"),
        ((1, 1, "perhaps"), InvalidInput, "substitution"),
        (("x", 1), InvalidInput, "product_id"),
        ((10**9, 1), NotFound, "product_id"),
    ],
)
def test_bad_cart_input_changes_nothing(
    shop: Shop, args: tuple[object, ...], error: type[DomainError], field: str
) -> None:
    set_cart_line(shop.customer, shop.products[0].pk, 1, now=shop.now)
    before = snapshot()
    with pytest.raises(error) as caught, transaction.atomic():
        set_cart_line(shop.customer, *args, now=shop.now)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert snapshot() == before


def test_inactive_product_is_404(shop: Shop) -> None:
    off = ProductFactory(is_active=False)
    with pytest.raises(NotFound), transaction.atomic():
        set_cart_line(shop.customer, off.pk, 1, now=shop.now)
    assert CartLine.objects.count() == 0


def test_unavailable_lines_stay_in_the_cart(shop: Shop) -> None:
    p0, p1 = shop.products[:2]
    shop.set_stock(shop.hub_a, p1, 0)
    shop.set_stock(shop.hub_b, p1, 0)
    set_cart_line(shop.customer, p0.pk, 1, now=shop.now)
    summary = set_cart_line(shop.customer, p1.pk, 1, now=shop.now)
    assert summary.unavailable == (p1.pk,)
    assert [v.held for v in summary.lines] == [1, 0]
    assert CartLine.objects.count() == 2
    assert reserved_total() == 1  # what can be held is held


def test_clear_cart_gives_the_units_back(shop: Shop) -> None:
    set_cart_line(shop.customer, shop.products[0].pk, 4, now=shop.now)
    clear_cart(shop.customer)
    assert reserved_total() == 0
    assert CartLine.objects.count() == 0
    assert cart_summary(shop.customer, now=shop.now).is_empty


def test_checkout_turns_holds_into_the_reservation_and_empties_the_cart(shop: Shop) -> None:
    p0, p1 = shop.products[:2]
    set_cart_line(shop.customer, p0.pk, 2, now=shop.now)
    set_cart_line(shop.customer, p1.pk, 1, "never", now=shop.now)
    placed = checkout_cart(shop.customer, INSTANT, idempotency_key="c1", now=shop.now + timedelta(minutes=2))
    assert placed.created
    lines = sorted(
        OrderLine.objects.filter(order=placed.order).values_list("product_id", "quantity", "substitution")
    )
    assert lines == sorted([(p0.pk, 2, "allow"), (p1.pk, 1, "never")])
    assert reserved_total() == 3  # not held twice
    assert StockHold.objects.count() == 0
    assert CartLine.objects.count() == 0
    again = checkout_cart(shop.customer, INSTANT, idempotency_key="c1", now=shop.now + timedelta(minutes=3))
    assert again.order.pk == placed.order.pk
    assert again.created is False


def test_checkout_of_an_empty_cart_is_422(shop: Shop) -> None:
    with pytest.raises(InvalidInput) as caught, transaction.atomic():
        checkout_cart(shop.customer, INSTANT, idempotency_key="c1", now=shop.now)
    assert caught.value.code == "cart_empty"


def test_expired_cart_with_stock_still_there_checks_out(shop: Shop) -> None:
    set_cart_line(shop.customer, shop.products[0].pk, 2, now=shop.now)
    placed = checkout_cart(shop.customer, INSTANT, idempotency_key="c1", now=shop.now + timedelta(hours=1))
    assert placed.created
    assert reserved_total() == 2


def test_expired_cart_whose_stock_is_gone_is_409_and_changes_nothing(shop: Shop) -> None:
    p = shop.products[0]
    shop.set_stock(shop.hub_a, p, 2)
    shop.set_stock(shop.hub_b, p, 0)
    set_cart_line(shop.customer, p.pk, 2, now=shop.now)
    later = shop.now + timedelta(minutes=30)
    rival = make_customer()
    set_cart_line(rival, p.pk, 2, now=later)  # the expired hold does not protect the units
    checkout_cart(rival, INSTANT, idempotency_key="r", now=later)
    before = snapshot()
    with pytest.raises(OutOfStock) as caught, transaction.atomic():
        checkout_cart(shop.customer, INSTANT, idempotency_key="c1", now=later)
    assert caught.value.status_code == 409
    assert caught.value.code == "cart_expired"
    assert "expired" in caught.value.message
    assert snapshot() == before
    assert CartLine.objects.filter(cart__user=shop.customer).count() == 1  # the cart keeps its line
