"""Payment rows after placement: reduce, capture (partial captures add up), void, refund,
spread over several tenders, each step a conditional update with an event."""

from __future__ import annotations

import pytest
from django.db import transaction

from hyperlocal.errors import Conflict, InvalidInput
from hyperlocal.orders.models import Order, OrderEvent, Payment
from hyperlocal.orders.services import (
    DeliveryChoice,
    LineRequest,
    capture_payment,
    place_order,
    reduce_authorisation,
    refund_payment,
    void_payment,
)
from tests.orders.conftest import Shop


@pytest.fixture
def order(shop: Shop) -> Order:
    lines = [LineRequest(shop.products[1].pk, 5)]  # 10,000 won + 3,000 delivery
    return place_order(
        shop.customer, lines, DeliveryChoice("instant"), idempotency_key="p", now=shop.now
    ).order


def _row(order: Order) -> tuple[str, int, int, int]:
    p = Payment.objects.get(order=order)
    return p.status, p.authorised_won, p.captured_won, p.refunded_won


def _events(order: Order) -> list[tuple[str, object]]:
    return [
        (e.kind, e.data.get("amount_won"))
        for e in OrderEvent.objects.filter(order=order).exclude(kind="placed")
    ]


def test_partial_captures_add_up_to_at_most_what_is_authorised(order: Order) -> None:
    assert _row(order) == ("authorised", 13000, 0, 0)
    capture_payment(order, 8000)
    capture_payment(order, 5000)
    assert _row(order) == ("captured", 13000, 13000, 0)
    with pytest.raises(Conflict) as caught, transaction.atomic():
        capture_payment(order, 1)
    assert caught.value.code == "payment_amount_exceeds"
    assert _row(order) == ("captured", 13000, 13000, 0)
    assert _events(order) == [("payment_captured", 8000), ("payment_captured", 5000)]


def test_reduce_then_capture_the_rest(order: Order) -> None:
    reduce_authorisation(order, 2000)  # a short pick
    assert _row(order) == ("authorised", 11000, 0, 0)
    with pytest.raises(Conflict), transaction.atomic():
        capture_payment(order, 11001)
    capture_payment(order, 11000)
    assert _row(order) == ("captured", 11000, 11000, 0)
    with pytest.raises(Conflict), transaction.atomic():
        reduce_authorisation(order, 1)  # nothing left uncaptured
    reduce_authorisation(order, 0)  # nothing to do
    assert _events(order) == [("payment_reduced", 2000), ("payment_captured", 11000)]


def test_void_before_capture(order: Order) -> None:
    void_payment(order)
    assert _row(order) == ("voided", 13000, 0, 0)
    void_payment(order)  # nothing left to void: no second event
    with pytest.raises(Conflict), transaction.atomic():
        capture_payment(order, 100)
    assert _events(order) == [("payment_voided", 13000)]


def test_void_after_a_partial_capture_keeps_what_was_captured(order: Order) -> None:
    capture_payment(order, 4000)
    void_payment(order)
    assert _row(order) == ("captured", 4000, 4000, 0)


def test_refunds_up_to_what_was_captured(order: Order) -> None:
    with pytest.raises(Conflict), transaction.atomic():
        refund_payment(order, 100)  # nothing captured yet
    capture_payment(order, 13000)
    refund_payment(order, 3000)
    assert _row(order) == ("captured", 13000, 13000, 3000)
    refund_payment(order, 10000)
    assert _row(order) == ("refunded", 13000, 13000, 13000)
    with pytest.raises(Conflict), transaction.atomic():
        refund_payment(order, 1)


@pytest.mark.parametrize("amount", [-1, 1.5, "10", True])
def test_bad_amounts_are_422(order: Order, amount: object) -> None:
    with pytest.raises(InvalidInput):
        capture_payment(order, amount)  # type: ignore[arg-type]
    assert _row(order) == ("authorised", 13000, 0, 0)


def test_amounts_spread_over_two_tenders(order: Order) -> None:
    """A second tender (local currency, a later issue) is another row: captures fill the
    rows in order, refunds come back last tender first."""
    wallet = Payment.objects.create(
        order=order,
        tender="wallet",
        provider="test",
        reference="test_wallet",
        status="authorised",
        authorised_won=5000,
    )
    capture_payment(order, 15000)
    rows = {p.tender: (p.captured_won, p.status) for p in Payment.objects.filter(order=order)}
    assert rows == {"card": (13000, "captured"), "wallet": (2000, "captured")}
    refund_payment(order, 3000)
    refunded = {p.tender: p.refunded_won for p in Payment.objects.filter(order=order)}
    assert refunded == {"card": 1000, "wallet": 2000}
    wallet.refresh_from_db()
    assert wallet.status == "refunded"
    void_payment(order)
    assert Payment.objects.get(pk=wallet.pk).authorised_won == 2000
