"""Substitutes on lines paid partly with vouchers: the voucher hold of a (shipment, merchant)
credits that merchant's receivable at delivery, so while it is held a line of that merchant
takes only a substitute of the same merchant. A substitute of another merchant is refused
(409 substitute_other_merchant) and writes nothing; without a hold on the line's merchant it
works as before; the picking page offers only what would be accepted and says why."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import Product
from hyperlocal.errors import Conflict
from hyperlocal.orders.models import (
    LineStatus,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Shipment,
    Substitution,
)
from hyperlocal.orders.services import DeliveryChoice, LineRequest, place_order
from hyperlocal.orders.services.picking import answer_substitution, record_pick
from hyperlocal.wallet.programmes import VoucherHold
from hyperlocal.wallet.services import check_ledger
from tests.factories import ProductFactory, UserFactory
from tests.orders.conftest import Shop
from tests.orders.tender_fixtures import VoucherShop, everything, tenders, voucher_shop
from tests.orders.test_api import Api
from tests.orders.test_tender_lifecycle import at, line_of

CONFLICT = "substitute_other_merchant"


@pytest.fixture
def vs(shop: Shop) -> VoucherShop:
    return voucher_shop(shop)


@pytest.fixture
def operator(shop: Shop) -> User:
    user: User = UserFactory()
    shop.hub_a.operators.add(user)
    shop.hub_b.operators.add(user)
    return user


def place(vs: VoucherShop, lines: list[LineRequest], voucher_won: int, key: str = "k") -> Order:
    with transaction.atomic():
        return place_order(
            vs.customer,
            lines,
            DeliveryChoice("instant"),
            idempotency_key=key,
            now=vs.now,
            voucher_won=voucher_won,
        ).order


def sibling(shop: Shop, product: Product, price_won: int = 1000) -> Product:
    """Another product of the same merchant and category, stocked at both hubs."""
    other: Product = ProductFactory(
        merchant=product.merchant, category=product.category, price_won=price_won, name_ko="같은가게"
    )
    for hub in (shop.hub_a, shop.hub_b):
        shop.set_stock(hub, other, 20)
    return other


def rows() -> tuple[object, ...]:
    """Every row a pick may write: order tables (contents, not only counts), stock, ledger."""
    return (
        everything(),
        list(Order.objects.order_by("pk").values_list()),
        list(Shipment.objects.order_by("pk").values_list()),
        list(OrderLine.objects.order_by("pk").values_list()),
        list(Payment.objects.order_by("pk").values_list()),
        list(OrderEvent.objects.order_by("pk").values_list()),
    )


def refused(call: Any) -> Conflict:
    before = rows()
    with pytest.raises(Conflict) as caught, transaction.atomic():
        call()
    assert caught.value.code == CONFLICT
    assert caught.value.status_code == 409
    assert "same merchant" in caught.value.message
    assert rows() == before
    return caught.value


def test_a_substitute_of_another_merchant_on_a_voucher_paid_line_is_refused(
    vs: VoucherShop, operator: User
) -> None:
    p0, p1, p3 = vs.shop.products[0], vs.shop.products[1], vs.shop.products[3]
    assert p1.merchant_id != p3.merchant_id
    order = place(vs, [LineRequest(p3.pk, 2), LineRequest(p0.pk, 1)], 9000)  # all goods by voucher
    line = line_of(order, p3.pk)
    # Cheaper (p1: 2,000) or with some units found, allowed or asked: refused, nothing written
    # (not even the first pick's start of picking).
    refused(lambda: record_pick(operator, line, picked=0, substitute_id=p1.pk, substitute_quantity=2))
    refused(lambda: record_pick(operator, line, picked=1, substitute_id=p1.pk, substitute_quantity=1))
    OrderLine.objects.filter(pk=line.pk).update(substitution=Substitution.ASK)
    refused(lambda: record_pick(operator, line, picked=0, substitute_id=p1.pk, substitute_quantity=2))
    assert Shipment.objects.get(order=order).status == "placed"

    # The ways out: a substitute of the same merchant, or a short line.
    same = sibling(vs.shop, p3)
    record_pick(operator, line, picked=0, substitute_id=same.pk, substitute_quantity=2, now=at(vs, 5))
    assert OrderLine.objects.get(pk=line.pk).status == LineStatus.PROPOSED
    record_pick(operator, line_of(order, p0.pk), picked=0, now=at(vs, 6))
    holds = {h.merchant_id: h.payable_won for h in VoucherHold.objects.filter(order=order)}
    assert holds == {p3.merchant_id: 8000, p0.merchant_id: 0}
    assert check_ledger() == []


def test_accepting_a_proposed_substitute_of_another_merchant_is_refused(
    vs: VoucherShop, operator: User
) -> None:
    """A proposal left from before the rule (or written by hand) is refused when the customer
    accepts it; declining still makes the line short."""
    p1, p3 = vs.shop.products[1], vs.shop.products[3]
    order = place(vs, [LineRequest(p3.pk, 2, Substitution.ASK)], 8000)
    line = line_of(order, p3.pk)
    same = sibling(vs.shop, p3)
    record_pick(operator, line, picked=0, substitute_id=same.pk, substitute_quantity=2, now=at(vs, 5))
    OrderLine.objects.filter(pk=line.pk).update(substitute=p1)  # another merchant's product
    refused(lambda: answer_substitution(vs.customer, line, accept=True, now=at(vs, 6)))
    with transaction.atomic():
        answer_substitution(vs.customer, line, accept=False, now=at(vs, 7))
    assert OrderLine.objects.get(pk=line.pk).status == LineStatus.SHORT
    assert tenders(order) == {"card": ("authorised", 3000, 0, 0), "voucher": ("voided", 0, 0, 0)}
    assert check_ledger() == []


def test_a_substitute_of_another_merchant_still_works_without_a_voucher_hold(
    vs: VoucherShop, operator: User
) -> None:
    p0, p1, p3 = vs.shop.products[0], vs.shop.products[1], vs.shop.products[3]
    # 1,000 won of vouchers: held for p0's merchant only (the merchants' parts in their order).
    order = place(vs, [LineRequest(p0.pk, 1), LineRequest(p3.pk, 2)], 1000)
    assert set(VoucherHold.objects.filter(order=order).values_list("merchant_id", flat=True)) == {
        p0.merchant_id
    }
    record_pick(
        operator, line_of(order, p3.pk), picked=0, substitute_id=p1.pk, substitute_quantity=2, now=at(vs, 5)
    )
    line = line_of(order, p3.pk)
    assert (line.status, line.substitute_id, int(line.charged_won)) == (LineStatus.SUBSTITUTED, p1.pk, 4000)
    # The card pays the 4,000 won drop; the vouchers (p0's merchant) are untouched.
    assert tenders(order) == {"card": ("authorised", 7000, 0, 0), "voucher": ("authorised", 1000, 0, 0)}
    # p0's own line is bound to its merchant.
    refused(
        lambda: record_pick(
            operator, line_of(order, p0.pk), picked=0, substitute_id=p1.pk, substitute_quantity=1
        )
    )
    assert check_ledger() == []


def test_a_card_only_order_takes_a_substitute_of_another_merchant(vs: VoucherShop, operator: User) -> None:
    p1, p3 = vs.shop.products[1], vs.shop.products[3]
    order = place(vs, [LineRequest(p3.pk, 2)], 0)
    record_pick(
        operator, line_of(order, p3.pk), picked=0, substitute_id=p1.pk, substitute_quantity=2, now=at(vs, 5)
    )
    assert line_of(order, p3.pk).status == LineStatus.SUBSTITUTED
    assert tenders(order) == {"card": ("authorised", 7000, 0, 0)}


def _offered(client: Client, shipment: Shipment, language: str = "en") -> tuple[dict[int, Any], str]:
    response = client.get(reverse("web:shipment", args=[shipment.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.context["substitutes"], response.content.decode()


def test_the_picking_page_offers_only_the_same_merchant_s_products_on_a_voucher_paid_line(
    vs: VoucherShop, operator: User, client: Client
) -> None:
    shop = vs.shop
    p0, p3 = shop.products[0], shop.products[3]
    same = sibling(shop, p3)
    paid = place(vs, [LineRequest(p3.pk, 2)], 8000)
    client.force_login(operator)
    choices, page = _offered(client, Shipment.objects.get(order=paid))
    line = line_of(paid, p3.pk)
    assert choices[line.pk].same_merchant_only
    assert [row.product_id for row in choices[line.pk].rows] == [same.pk]
    section = page.split(f'id="pick-line-{line.pk}"', 1)[1].split("</li>", 1)[0]
    assert "same-merchant-only" in section
    assert "only that merchant's products can replace it" in section
    assert f'<option value="{same.pk}">' in section
    assert f'<option value="{p0.pk}">' not in section
    _, korean = _offered(client, Shipment.objects.get(order=paid), "ko")
    assert "같은 판매자의 상품으로만 대체할 수 있으며" in korean

    # Without vouchers every product of the category is offered, and no note.
    card = place(vs, [LineRequest(p3.pk, 1)], 0, key="card")
    choices, page = _offered(client, Shipment.objects.get(order=card))
    line = line_of(card, p3.pk)
    assert not choices[line.pk].same_merchant_only
    offered = {row.product_id for row in choices[line.pk].rows}
    assert {p0.pk, same.pk} <= offered
    assert p3.pk not in offered
    section = page.split(f'id="pick-line-{line.pk}"', 1)[1].split("</li>", 1)[0]
    assert "same-merchant-only" not in section


def test_the_api_refuses_a_substitute_of_another_merchant_with_409(vs: VoucherShop, operator: User) -> None:
    p1, p3 = vs.shop.products[1], vs.shop.products[3]
    order = place(vs, [LineRequest(p3.pk, 2)], 8000)
    shipment = Shipment.objects.get(order=order)
    line = line_of(order, p3.pk)
    before = rows()
    response = Api(operator).send(
        "post",
        f"/shipments/{shipment.pk}/lines/{line.pk}/pick",
        {"picked": 0, "substitute_id": p1.pk, "substitute_quantity": 2},
    )
    assert response.status_code == 409, response.content
    body = response.json()
    assert (body["code"], body["field"]) == (CONFLICT, "substitute_id")
    assert "same merchant" in body["detail"]
    assert rows() == before
