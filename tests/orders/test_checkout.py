"""Placing orders: what a placement writes, the promise on each shipment, splits over two
hubs, and every bad request refused with its 4xx and nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from hyperlocal.errors import Conflict, DomainError, InvalidInput
from hyperlocal.inventory.models import MovementKind, Stock, StockMovement
from hyperlocal.orders.errors import OutOfStock, OutsideServiceArea, PaymentDeclined, SlotFull
from hyperlocal.orders.models import (
    DeliverySlot,
    OrderEvent,
    OrderLine,
    Payment,
    PromiseKind,
    Shipment,
)
from hyperlocal.orders.services import DeliveryChoice, LineRequest, place_order, quote
from tests.factories import ProductFactory, UserFactory
from tests.orders.conftest import Shop, snapshot

INSTANT = DeliveryChoice("instant")


def _place(shop: Shop, lines: list[LineRequest], delivery: DeliveryChoice = INSTANT, **kw: object):  # type: ignore[no-untyped-def]
    kw.setdefault("idempotency_key", "key-1")
    kw.setdefault("now", shop.now)
    return place_order(shop.customer, lines, delivery, **kw)  # type: ignore[arg-type]


def _refused(shop: Shop, error: type[DomainError], lines: list[LineRequest], **kw: object) -> DomainError:
    """Place inside a transaction of its own (as an edge would); the request must be refused
    with `error` and leave every table exactly as it was."""
    before = snapshot()
    with pytest.raises(error) as caught, transaction.atomic():
        _place(shop, lines, **kw)
    assert snapshot() == before
    return caught.value


def test_instant_order_writes_every_row(shop: Shop) -> None:
    p0, p1 = shop.products[:2]
    placed = _place(shop, [LineRequest(p0.pk, 2), LineRequest(p1.pk, 1, "never")])
    order = placed.order
    assert placed.created is True
    assert len(order.code) == 10
    assert order.code.isalnum()
    assert order.items_won == 2 * p0.price_won + p1.price_won == 4000
    assert order.delivery_fee_won == 3000
    assert order.total_won == 7000
    assert order.region_id == shop.customer.household.region_id
    assert order.allocation["can_serve"] is True
    assert order.allocation["summary"]

    [shipment] = Shipment.objects.filter(order=order)
    assert shipment.hub_id == shop.hub_a.pk  # nearest with everything
    assert shipment.promise_kind == PromiseKind.INSTANT
    assert shipment.slot_id is None
    assert shipment.promised_from == shop.now
    assert shop.now < shipment.promised_by <= shop.now + timedelta(minutes=shop.hub_a.promise_minutes)
    assert shipment.items_won == 4000

    lines = {ln.product_id: ln for ln in OrderLine.objects.filter(order=order)}
    assert {p: (ln.quantity, ln.charged_won, ln.substitution) for p, ln in lines.items()} == {
        p0.pk: (2, 2000, "allow"),
        p1.pk: (1, 2000, "never"),
    }
    assert shop.stock(shop.hub_a, p0) == (20, 2)
    assert shop.stock(shop.hub_a, p1) == (20, 1)
    moves = StockMovement.objects.filter(order_id=order.pk)
    assert sorted(moves.values_list("product_id", "kind", "reserved_delta")) == sorted(
        [(p0.pk, MovementKind.RESERVE, 2), (p1.pk, MovementKind.RESERVE, 1)]
    )
    [payment] = Payment.objects.filter(order=order)
    assert (payment.status, payment.authorised_won, payment.provider) == ("authorised", 7000, "test")
    assert payment.reference.startswith("test_")
    [event] = OrderEvent.objects.filter(order=order)
    assert (event.kind, event.to_status) == ("placed", "placed")


def test_free_delivery_from_threshold(shop: Shop) -> None:
    order = _place(shop, [LineRequest(shop.products[5].pk, 5)]).order  # 6000 x 5
    assert (order.items_won, order.delivery_fee_won, order.total_won) == (30000, 0, 30000)


def test_duplicate_products_are_merged(shop: Shop) -> None:
    p = shop.products[0]
    order = _place(shop, [LineRequest(p.pk, 2), LineRequest(p.pk, 3)]).order
    assert list(OrderLine.objects.filter(order=order).values_list("product_id", "quantity")) == [(p.pk, 5)]


def test_split_over_two_hubs(shop: Shop) -> None:
    p0, p1 = shop.products[:2]
    shop.set_stock(shop.hub_a, p1, 0)
    shop.set_stock(shop.hub_b, p0, 0)
    order = _place(shop, [LineRequest(p0.pk, 1), LineRequest(p1.pk, 2)]).order
    shipments = {s.hub_id: s for s in Shipment.objects.filter(order=order)}
    assert set(shipments) == {shop.hub_a.pk, shop.hub_b.pk}
    lines = {(ln.shipment.hub_id, ln.product_id, ln.quantity) for ln in OrderLine.objects.filter(order=order)}
    assert lines == {(shop.hub_a.pk, p0.pk, 1), (shop.hub_b.pk, p1.pk, 2)}
    assert shipments[shop.hub_a.pk].items_won == 1000
    assert shipments[shop.hub_b.pk].items_won == 4000
    assert order.allocation["is_split"] is True
    assert Payment.objects.filter(order=order).count() == 1  # one order, one payment
    assert shop.stock(shop.hub_b, p1) == (20, 2)


def test_slot_delivery_books_the_same_start_at_both_hubs(shop: Shop) -> None:
    p0, p1 = shop.products[:2]
    shop.set_stock(shop.hub_a, p1, 0)
    shop.set_stock(shop.hub_b, p0, 0)
    choice = DeliveryChoice("slot", shop.slot_a.starts_at)
    order = _place(shop, [LineRequest(p0.pk, 1), LineRequest(p1.pk, 1)], choice).order
    for s in Shipment.objects.filter(order=order).select_related("slot"):
        assert s.promise_kind == PromiseKind.SLOT
        assert s.slot is not None
        assert s.slot.starts_at == shop.slot_a.starts_at
        assert (s.promised_from, s.promised_by) == (s.slot.starts_at, s.slot.ends_at)
    assert DeliverySlot.objects.get(pk=shop.slot_a.pk).booked == 1
    assert DeliverySlot.objects.get(pk=shop.slot_b.pk).booked == 1


def test_slot_full_is_409_and_writes_nothing(shop: Shop) -> None:
    DeliverySlot.objects.filter(pk=shop.slot_a.pk).update(booked=5)
    error = _refused(
        shop,
        SlotFull,
        [LineRequest(shop.products[0].pk, 1)],
        delivery=DeliveryChoice("slot", shop.slot_a.starts_at),
    )
    assert error.status_code == 409
    assert error.code == "slot_full"


def test_declined_card_is_402_and_writes_nothing(shop: Shop) -> None:
    error = _refused(
        shop, PaymentDeclined, [LineRequest(shop.products[0].pk, 1)], payment_token="tok_test_decline"
    )
    assert error.status_code == 402
    assert error.code == "payment_declined"


def test_out_of_stock_names_the_product_and_writes_nothing(shop: Shop) -> None:
    p = shop.products[0]
    shop.set_stock(shop.hub_a, p, 1)
    shop.set_stock(shop.hub_b, p, 1)
    error = _refused(shop, OutOfStock, [LineRequest(p.pk, 3), LineRequest(shop.products[1].pk, 1)])
    assert error.status_code == 409
    assert error.code == "out_of_stock"
    assert p.name_ko in error.message
    assert "short 1" in error.message


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        ([LineRequest(1, 1)] * 31, "lines"),
        ([LineRequest(0, 1)], "lines[0].product_id"),
        ([LineRequest(-5, 1)], "lines[0].product_id"),
        ([LineRequest(True, 1)], "lines[0].product_id"),  # type: ignore[arg-type]
        (["nonsense"], None),  # type: ignore[list-item]
    ],
)
def test_malformed_lines_are_422(shop: Shop, lines: list[LineRequest], field: str | None) -> None:
    if lines == ["nonsense"]:
        lines = [LineRequest("3", 1)]  # type: ignore[arg-type]
        field = "lines[0].product_id"
    error = _refused(shop, InvalidInput, lines)
    assert error.status_code == 422
    assert error.field == field


@pytest.mark.parametrize("quantity", [0, -1, 100, 10**9, 1.5, "2"])
def test_bad_quantities_are_422(shop: Shop, quantity: object) -> None:
    error = _refused(
        shop, InvalidInput, [LineRequest(shop.products[0].pk, 1), LineRequest(shop.products[1].pk, quantity)]
    )  # type: ignore[arg-type]
    assert error.field == "lines[1].quantity"


def test_merged_duplicates_over_the_limit_are_422(shop: Shop) -> None:
    p = shop.products[0].pk
    error = _refused(shop, InvalidInput, [LineRequest(p, 60), LineRequest(p, 60)])
    assert error.field == "lines[1].quantity"


def test_duplicate_with_different_substitution_is_422(shop: Shop) -> None:
    p = shop.products[0].pk
    error = _refused(shop, InvalidInput, [LineRequest(p, 1, "allow"), LineRequest(p, 1, "never")])
    assert error.code == "duplicate_product"


def test_unknown_and_inactive_products_are_422(shop: Shop) -> None:
    off = ProductFactory(is_active=False)
    error = _refused(shop, InvalidInput, [LineRequest(shop.products[0].pk, 1), LineRequest(999999, 1)])
    assert (error.code, error.field) == ("unknown_product", "lines[1].product_id")
    error = _refused(shop, InvalidInput, [LineRequest(off.pk, 1)])
    assert (error.code, error.field) == ("unknown_product", "lines[0].product_id")


def test_bad_substitution_delivery_token_and_key_are_422(shop: Shop) -> None:
    p = shop.products[0].pk
    assert _refused(shop, InvalidInput, [LineRequest(p, 1, "maybe")]).field == "lines[0].substitution"
    assert (
        _refused(shop, InvalidInput, [LineRequest(p, 1)], delivery=DeliveryChoice("drone")).field
        == "delivery.kind"
    )
    naive = DeliveryChoice("slot", shop.slot_a.starts_at.replace(tzinfo=None))
    assert (
        _refused(shop, InvalidInput, [LineRequest(p, 1)], delivery=naive).field == "delivery.slot_starts_at"
    )
    assert _refused(shop, InvalidInput, [LineRequest(p, 1)], delivery=DeliveryChoice("slot")).field == (
        "delivery.slot_starts_at"
    )
    assert _refused(shop, InvalidInput, [LineRequest(p, 1)], payment_token="").field == "payment_token"
    for key in ("", " ", "x" * 101, "tab\there", "new\nline"):
        assert (
            _refused(shop, InvalidInput, [LineRequest(p, 1)], idempotency_key=key).field == "idempotency_key"
        )


def test_slot_that_does_not_exist_is_422(shop: Shop) -> None:
    choice = DeliveryChoice("slot", shop.slot_a.starts_at + timedelta(minutes=7))
    error = _refused(shop, InvalidInput, [LineRequest(shop.products[0].pk, 1)], delivery=choice)
    assert error.code == "slot_unavailable"


def test_home_outside_every_service_area_is_422(shop: Shop) -> None:
    from hyperlocal.hubs.models import ServiceAreaCell

    ServiceAreaCell.objects.filter(cell=shop.customer.household.home_cell).delete()
    error = _refused(shop, OutsideServiceArea, [LineRequest(shop.products[0].pk, 1)])
    assert error.status_code == 422
    assert error.code == "outside_service_area"


def test_user_without_home_is_422(shop: Shop) -> None:
    shop.customer = UserFactory()
    assert _refused(shop, InvalidInput, [LineRequest(shop.products[0].pk, 1)]).code == "no_home"


def test_instant_not_possible_is_409(shop: Shop) -> None:
    from hyperlocal.orders.models import FulfilmentPolicy

    FulfilmentPolicy.objects.update(instant_enabled=False)
    error = _refused(shop, Conflict, [LineRequest(shop.products[0].pk, 1)])
    assert error.code == "instant_unavailable"


def test_quote_prices_plan_and_promise(shop: Shop) -> None:
    p0 = shop.products[0]
    q = quote(shop.customer, [LineRequest(p0.pk, 3)], now=shop.now)
    assert (q.items_won, q.delivery_fee_won, q.total_won) == (3000, 3000, 6000)
    assert q.plan.can_serve
    assert q.plan.shipments[0].hub_id == shop.hub_a.pk
    assert q.instant_eta_minutes is not None
    assert 0 < q.instant_eta_minutes <= 60
    assert shop.slot_a.starts_at in [o.starts_at for o in q.slot_options]
    assert Stock.objects.get(hub=shop.hub_a, product=p0).reserved == 0  # a quote holds nothing


@pytest.mark.parametrize("kind", ["instant", "slot"])
@pytest.mark.parametrize("split", [False, True])
def test_query_count_per_placed_order(shop: Shop, kind: str, split: bool) -> None:
    """The hot path for five lines, whatever the split: the key claim, two reads (home with
    the hubs serving it, their policy, queue, hours and slot; products with stock), the inserts of order,
    shipments, lines, payment and event (one statement on PostgreSQL, five on SQLite), the
    reservation with its movements (one statement on PostgreSQL, an UPDATE and an INSERT on
    SQLite) and, for a slot, one UPDATE booking the slots of every hub."""
    products = shop.products[:5]
    if split:
        shop.set_stock(shop.hub_a, products[4], 0)
        shop.set_stock(shop.hub_b, products[0], 0)
    choice = DeliveryChoice(kind, shop.slot_a.starts_at if kind == "slot" else None)
    lines = [LineRequest(p.pk, 1) for p in products]
    shop.customer.refresh_from_db()  # the household is not cached on the user
    with CaptureQueriesContext(connection) as ctx:
        placed = _place(shop, lines, choice)
    assert placed.created
    statements = [q["sql"] for q in ctx.captured_queries]
    limit = 6 if kind == "slot" else 5
    if connection.vendor != "postgresql":
        limit += 5
    assert len(statements) <= limit, "\n".join(statements)
    assert Shipment.objects.filter(order=placed.order).count() == (2 if split else 1)
