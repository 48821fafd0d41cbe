"""Idempotency-Key: a repeat returns the same order, another body with the key is 409, and a
failed placement leaves the key free."""

from __future__ import annotations

import pytest
from django.db import transaction

from hyperlocal.inventory.models import StockMovement
from hyperlocal.orders.errors import IdempotencyConflict, PaymentDeclined
from hyperlocal.orders.models import IdempotencyRecord, Order
from hyperlocal.orders.services import DeliveryChoice, LineRequest, place_order, request_hash
from hyperlocal.orders.services.checkout import placement_hash
from tests.orders.conftest import Shop, make_customer, snapshot

INSTANT = DeliveryChoice("instant")


def test_repeat_returns_the_same_order_and_writes_nothing(shop: Shop) -> None:
    p = shop.products[0]
    first = place_order(shop.customer, [LineRequest(p.pk, 2)], INSTANT, idempotency_key="abc", now=shop.now)
    before = snapshot()
    again = place_order(shop.customer, [LineRequest(p.pk, 2)], INSTANT, idempotency_key="abc", now=shop.now)
    assert first.created is True
    assert again.created is False
    assert again.order.pk == first.order.pk
    assert snapshot() == before
    assert shop.stock(shop.hub_a, p) == (20, 2)  # reserved once
    record = IdempotencyRecord.objects.get()
    assert (record.key, record.order_id) == ("abc", first.order.code)


def test_same_key_with_another_body_is_409(shop: Shop) -> None:
    p0, p1 = shop.products[:2]
    place_order(shop.customer, [LineRequest(p0.pk, 1)], INSTANT, idempotency_key="abc", now=shop.now)
    before = snapshot()
    for lines, token in (
        ([LineRequest(p1.pk, 1)], "tok_test_ok"),
        ([LineRequest(p0.pk, 1)], "tok_test_other"),
    ):
        with pytest.raises(IdempotencyConflict) as caught, transaction.atomic():
            place_order(
                shop.customer, lines, INSTANT, idempotency_key="abc", payment_token=token, now=shop.now
            )
        assert caught.value.status_code == 409
        assert caught.value.code == "idempotency_key_reused"
    assert snapshot() == before


def test_keys_belong_to_one_user(shop: Shop) -> None:
    other = make_customer()
    p = shop.products[0]
    a = place_order(shop.customer, [LineRequest(p.pk, 1)], INSTANT, idempotency_key="same", now=shop.now)
    b = place_order(other, [LineRequest(p.pk, 1)], INSTANT, idempotency_key="same", now=shop.now)
    assert a.order.pk != b.order.pk
    assert b.created
    assert Order.objects.count() == 2


def test_a_failed_placement_leaves_the_key_free(shop: Shop) -> None:
    lines = [LineRequest(shop.products[0].pk, 1)]
    with pytest.raises(PaymentDeclined), transaction.atomic():
        place_order(
            shop.customer,
            lines,
            INSTANT,
            idempotency_key="k1",
            payment_token="tok_test_decline",
            now=shop.now,
        )
    assert IdempotencyRecord.objects.count() == 0
    assert StockMovement.objects.count() == 0
    placed = place_order(shop.customer, lines, INSTANT, idempotency_key="k1", now=shop.now)
    assert placed.created


def test_the_hash_is_canonical() -> None:
    a = [LineRequest(1, 2), LineRequest(3, 1, "never")]
    b = [LineRequest(3, 1, "never"), LineRequest(1, 2)]
    assert placement_hash(a, INSTANT, "tok_test_ok") == placement_hash(b, INSTANT, "tok_test_ok")
    assert placement_hash(a, INSTANT, "tok_test_ok") != placement_hash(a, INSTANT, "tok_test_x")
    assert placement_hash(a, INSTANT, "tok_test_ok") != placement_hash(
        [LineRequest(1, 3)], INSTANT, "tok_test_ok"
    )
    assert request_hash({"b": 1, "a": 2}) == request_hash({"a": 2, "b": 1})
    assert len(request_hash({})) == 64
