"""Cart holds: units reserved for a cart until they expire, then released (by the worker's
release_expired_holds or lazily by the cart itself)."""

from __future__ import annotations

from datetime import timedelta

from hyperlocal.inventory.models import StockMovement
from hyperlocal.orders.models import StockHold
from hyperlocal.orders.services import cart_summary, release_expired_holds, set_cart_line
from tests.orders.conftest import Shop, make_customer, reserved_total


def test_a_cart_line_holds_stock_until_expiry(shop: Shop) -> None:
    p = shop.products[0]
    set_cart_line(shop.customer, p.pk, 3, now=shop.now)
    [hold] = StockHold.objects.all()
    assert (hold.hub_id, hold.product_id, hold.quantity) == (shop.hub_a.pk, p.pk, 3)
    assert hold.expires_at == shop.now + timedelta(minutes=15)
    assert shop.stock(shop.hub_a, p) == (20, 3)
    assert StockMovement.objects.count() == 0  # holds are not movements


def test_changing_the_cart_re_takes_the_holds(shop: Shop) -> None:
    p0, p1 = shop.products[:2]
    set_cart_line(shop.customer, p0.pk, 3, now=shop.now)
    later = shop.now + timedelta(minutes=5)
    set_cart_line(shop.customer, p0.pk, 1, now=later)
    set_cart_line(shop.customer, p1.pk, 2, now=later)
    assert shop.stock(shop.hub_a, p0) == (20, 1)
    assert shop.stock(shop.hub_a, p1) == (20, 2)
    assert set(StockHold.objects.values_list("expires_at", flat=True)) == {later + timedelta(minutes=15)}
    set_cart_line(shop.customer, p0.pk, 0, now=later)
    assert shop.stock(shop.hub_a, p0) == (20, 0)
    assert reserved_total() == 2


def test_expired_holds_are_released_once(shop: Shop) -> None:
    set_cart_line(shop.customer, shop.products[0].pk, 2, now=shop.now)
    set_cart_line(make_customer(), shop.products[1].pk, 1, now=shop.now + timedelta(minutes=10))
    assert release_expired_holds(now=shop.now + timedelta(minutes=14)) == 0
    assert release_expired_holds(now=shop.now + timedelta(minutes=15)) == 1
    assert release_expired_holds(now=shop.now + timedelta(minutes=15)) == 0
    assert shop.stock(shop.hub_a, shop.products[0]) == (20, 0)
    assert reserved_total() == 1  # the other cart still holds its unit
    assert release_expired_holds(now=shop.now + timedelta(hours=1)) == 1
    assert reserved_total() == 0
    assert StockHold.objects.count() == 0


def test_held_units_are_not_available_to_others(shop: Shop) -> None:
    p = shop.products[0]
    shop.set_stock(shop.hub_a, p, 2)
    shop.set_stock(shop.hub_b, p, 0)
    set_cart_line(shop.customer, p.pk, 2, now=shop.now)
    other = set_cart_line(make_customer(), p.pk, 1, now=shop.now)
    assert other.unavailable == (p.pk,)
    assert other.lines[0].held == 0
    assert other.lines[0].available is False
    mine = cart_summary(shop.customer, now=shop.now)
    assert mine.unavailable == ()  # the cart's own holds count for it
    assert mine.lines[0].held == 2


def test_the_cart_releases_its_own_expired_holds(shop: Shop) -> None:
    p = shop.products[0]
    set_cart_line(shop.customer, p.pk, 2, now=shop.now)
    summary = cart_summary(shop.customer, now=shop.now + timedelta(minutes=20))
    assert summary.holds_expired is True
    assert summary.minutes_left == 0
    assert summary.lines[0].held == 0
    assert summary.lines[0].available is True  # still in stock: checkout will re-check
    assert shop.stock(shop.hub_a, p) == (20, 0)
    assert StockHold.objects.count() == 0


def test_release_can_be_limited_to_some_products(shop: Shop) -> None:
    p0, p1 = shop.products[:2]
    set_cart_line(shop.customer, p0.pk, 1, now=shop.now)
    set_cart_line(shop.customer, p1.pk, 1, now=shop.now)
    assert release_expired_holds(now=shop.now + timedelta(hours=1), product_ids=[p1.pk]) == 1
    assert list(StockHold.objects.values_list("product_id", flat=True)) == [p0.pk]
    assert release_expired_holds(now=shop.now + timedelta(hours=1), product_ids=[]) == 0
