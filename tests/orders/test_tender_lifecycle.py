"""Split tender after checkout: short picks and cheaper substitutes lower the vouchers of the
line's merchant first, delivery posts the shipment's holds and the card captures the rest,
cancellation voids the holds, a refund after delivery gives each tender back its share (the
vouchers to the wallet). After every step the ledger checks clean and each Payment row's
authorised_won - captured_won is what its tender can still collect."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import transaction

from hyperlocal.accounts.models import User
from hyperlocal.orders.models import LineStatus, Order, OrderEvent, OrderLine, OrderStatus, Shipment
from hyperlocal.orders.services import DeliveryChoice, LineRequest, place_order
from hyperlocal.orders.services.lifecycle import cancel_order, transition
from hyperlocal.orders.services.picking import pack, record_pick
from hyperlocal.orders.services.tender import refund_shipment
from hyperlocal.wallet.programmes import VoucherHold
from hyperlocal.wallet.services import check_ledger
from hyperlocal.wallet.services.expiry import expire_holds
from hyperlocal.wallet.services.spending import HOLD_MARGIN
from tests.factories import ProductFactory, UserFactory
from tests.orders.conftest import Shop
from tests.orders.tender_fixtures import VoucherShop, held, receivable, tenders, voucher_shop

S = OrderStatus
MINUTE = timedelta(minutes=1)


@pytest.fixture
def vs(shop: Shop) -> VoucherShop:
    return voucher_shop(shop)


@pytest.fixture
def operator(shop: Shop) -> User:
    user: User = UserFactory()
    shop.hub_a.operators.add(user)
    shop.hub_b.operators.add(user)
    return user


def place(vs: VoucherShop, lines: list[LineRequest], voucher_won: int) -> Order:
    with transaction.atomic():
        return place_order(
            vs.customer,
            lines,
            DeliveryChoice("instant"),
            idempotency_key="k",
            now=vs.now,
            voucher_won=voucher_won,
        ).order


def line_of(order: Order, product_id: int) -> OrderLine:
    return OrderLine.objects.get(order=order, product_id=product_id)


def at(vs: VoucherShop, minutes: int) -> datetime:
    return vs.now + minutes * MINUTE


def deliver(vs: VoucherShop, operator: User, shipment: Shipment, minutes: int = 20) -> None:
    """Pick what is still pending in full, pack, hand to a courier, deliver."""
    for line in OrderLine.objects.filter(shipment=shipment, status=LineStatus.PENDING):
        record_pick(operator, line, picked=line.quantity, now=at(vs, minutes - 3))
    pack(operator, shipment, now=at(vs, minutes - 2))
    transition(operator, shipment, S.OUT_FOR_DELIVERY, now=at(vs, minutes - 1))
    transition(operator, shipment, S.DELIVERED, now=at(vs, minutes))


def tender_events(order: Order, kind: str) -> list[tuple[str, int]]:
    return [
        (e.data["tender"], e.data["amount_won"])
        for e in OrderEvent.objects.filter(order=order, kind=kind).order_by("pk")
    ]


def test_a_short_pick_lowers_the_vouchers_first_and_delivery_posts_them(
    vs: VoucherShop, operator: User
) -> None:
    p2 = vs.shop.products[2]  # 3,000 won
    order = place(vs, [LineRequest(p2.pk, 3)], 5000)  # 9,000 + 3,000 fee: vouchers 5,000, card 7,000
    line = line_of(order, p2.pk)
    record_pick(operator, line, picked=1, now=at(vs, 5))  # 3,000 won of goods left
    # The merchant's goods in the shipment now cost 3,000: the vouchers may pay at most that
    # and release 2,000; the card gives up the rest of the 6,000 drop.
    assert tenders(order) == {"card": ("authorised", 3000, 0, 0), "voucher": ("authorised", 3000, 0, 0)}
    [hold] = VoucherHold.objects.filter(order=order)
    assert (hold.held_won, hold.payable_won) == (5000, 3000)
    short = OrderEvent.objects.get(order=order, kind="line_short")
    assert (short.data["reduced_won"], short.data["voucher_reduced_won"], short.data["card_reduced_won"]) == (
        6000,
        2000,
        4000,
    )
    assert tender_events(order, "payment_reduced") == [("voucher", 2000), ("card", 4000)]
    assert held(vs.wallet).debits_pending == 5000  # the ledger lets go at delivery (a smaller post)
    assert check_ledger() == []

    deliver(vs, operator, Shipment.objects.get(order=order))
    assert tenders(order) == {"card": ("captured", 3000, 3000, 0), "voucher": ("captured", 3000, 3000, 0)}
    wallet = held(vs.wallet)
    assert (wallet.debits_pending, wallet.debits_posted, wallet.available) == (0, 3000, 47000)
    account = receivable(vs.programme, p2.merchant, vs.now)
    assert (account.credits_pending, account.credits_posted) == (0, 3000)
    hold.refresh_from_db()
    assert (hold.status, hold.posted_won) == ("posted", 3000)
    delivered = OrderEvent.objects.get(order=order, kind="transition", to_status=S.DELIVERED)
    assert (delivered.data["captured_won"], delivered.data["voucher_won"], delivered.data["card_won"]) == (
        6000,
        3000,
        3000,
    )
    assert tender_events(order, "payment_captured") == [("voucher", 3000), ("card", 3000)]
    assert check_ledger() == []


def test_a_short_pick_within_the_card_part_leaves_the_vouchers_alone(vs: VoucherShop, operator: User) -> None:
    p2 = vs.shop.products[2]
    order = place(vs, [LineRequest(p2.pk, 3)], 5000)
    record_pick(operator, line_of(order, p2.pk), picked=2, now=at(vs, 5))  # 6,000 left >= 5,000
    assert tenders(order) == {"card": ("authorised", 4000, 0, 0), "voucher": ("authorised", 5000, 0, 0)}
    assert tender_events(order, "payment_reduced") == [("card", 3000)]


def test_a_cheaper_substitute_lowers_the_merchant_s_vouchers(vs: VoucherShop, operator: User) -> None:
    shop = vs.shop
    p0, p3 = shop.products[0], shop.products[3]  # 1,000 and 4,000 won
    # A cheaper product of p3's own merchant (the vouchers pay that merchant: a substitute of
    # another merchant is refused, tests/orders/test_tender_substitutes.py).
    cheaper = ProductFactory(merchant=p3.merchant, category=p3.category, price_won=1000, name_ko="싼상품")
    for hub in (shop.hub_a, shop.hub_b):
        shop.set_stock(hub, cheaper, 20)
    order = place(vs, [LineRequest(p3.pk, 2), LineRequest(p0.pk, 1)], 9000)  # all goods by voucher
    assert tenders(order) == {"card": ("authorised", 3000, 0, 0), "voucher": ("authorised", 9000, 0, 0)}
    record_pick(
        operator,
        line_of(order, p3.pk),
        picked=0,
        substitute_id=cheaper.pk,
        substitute_quantity=2,
        now=at(vs, 5),
    )
    # 2 x 1,000 instead of 2 x 4,000: p3's merchant now gets 2,000, its vouchers release 6,000.
    assert tenders(order) == {"card": ("authorised", 3000, 0, 0), "voucher": ("authorised", 3000, 0, 0)}
    holds = {h.merchant_id: h.payable_won for h in VoucherHold.objects.filter(order=order)}
    assert holds == {p3.merchant_id: 2000, p0.merchant_id: 1000}
    deliver(vs, operator, Shipment.objects.get(order=order))
    assert tenders(order) == {"card": ("captured", 3000, 3000, 0), "voucher": ("captured", 3000, 3000, 0)}
    assert held(vs.wallet).available == 47000
    # The merchant whose goods were delivered is the one paid.
    assert receivable(vs.programme, p3.merchant, vs.now).credits_posted == 2000
    assert receivable(vs.programme, p0.merchant, vs.now).credits_posted == 1000
    assert check_ledger() == []


def test_a_short_pick_of_an_order_paid_all_by_vouchers(vs: VoucherShop, operator: User) -> None:
    p5 = vs.shop.products[5]
    order = place(vs, [LineRequest(p5.pk, 5)], 30000)  # free delivery, no card row
    record_pick(operator, line_of(order, p5.pk), picked=4, now=at(vs, 5))
    assert tenders(order) == {"voucher": ("authorised", 24000, 0, 0)}
    # Below the free-delivery threshold now; the fee was not charged at checkout and is not now.
    deliver(vs, operator, Shipment.objects.get(order=order))
    assert tenders(order) == {"voucher": ("captured", 24000, 24000, 0)}
    assert held(vs.wallet).available == 26000
    assert check_ledger() == []


def test_cancelling_voids_the_holds_and_both_tenders(vs: VoucherShop) -> None:
    p1, p2 = vs.shop.products[1:3]
    order = place(vs, [LineRequest(p1.pk, 1), LineRequest(p2.pk, 2)], 7000)
    assert held(vs.wallet).debits_pending == 7000
    with transaction.atomic():
        cancel_order(vs.customer, order, reason="changed my mind", now=at(vs, 2))
    assert tenders(order) == {"card": ("voided", 4000, 0, 0), "voucher": ("voided", 7000, 0, 0)}
    wallet = held(vs.wallet)
    assert (wallet.debits_pending, wallet.debits_posted, wallet.available) == (0, 0, 50000)
    assert set(VoucherHold.objects.filter(order=order).values_list("status", flat=True)) == {"voided"}
    assert sorted(tender_events(order, "payment_voided")) == [("card", 4000), ("voucher", 7000)]
    assert check_ledger() == []


def test_cancelling_one_shipment_releases_its_vouchers_and_delivery_posts_the_other(
    vs: VoucherShop, operator: User
) -> None:
    shop = vs.shop
    p1, p2 = shop.products[1:3]
    shop.set_stock(shop.hub_a, p2, 0)
    shop.set_stock(shop.hub_b, p1, 0)
    order = place(vs, [LineRequest(p1.pk, 2), LineRequest(p2.pk, 2)], 8000)  # 4,000 at A, 6,000 at B
    a = Shipment.objects.get(order=order, hub=shop.hub_a)
    b = Shipment.objects.get(order=order, hub=shop.hub_b)
    holds = {h.shipment_id: h.held_won for h in VoucherHold.objects.filter(order=order)}
    assert holds == {a.pk: 4000, b.pk: 4000}  # p1's merchant first (merchant order), then p2's
    assert tenders(order)["card"] == ("authorised", 5000, 0, 0)  # 2,000 of B's goods + fee

    transition(operator, b, S.CANCELLED, note="hub flooded", now=at(vs, 3))
    # B's goods (6,000) are released: 4,000 from the vouchers, 2,000 from the card.
    assert tenders(order) == {"card": ("authorised", 3000, 0, 0), "voucher": ("authorised", 4000, 0, 0)}
    wallet = held(vs.wallet)
    assert (wallet.debits_pending, wallet.available) == (4000, 46000)
    assert VoucherHold.objects.get(order=order, shipment=b).status == "voided"
    cancelled = OrderEvent.objects.get(order=order, kind="transition", to_status=S.CANCELLED)
    assert (cancelled.data["voucher_released_won"], cancelled.data["card_released_won"]) == (4000, 2000)
    assert check_ledger() == []

    deliver(vs, operator, a)
    assert tenders(order) == {"card": ("captured", 3000, 3000, 0), "voucher": ("captured", 4000, 4000, 0)}
    assert held(vs.wallet).available == 46000
    assert check_ledger() == []


def test_a_failed_delivery_returned_releases_the_vouchers(vs: VoucherShop, operator: User) -> None:
    p3 = vs.shop.products[3]
    order = place(vs, [LineRequest(p3.pk, 1)], 4000)
    shipment = Shipment.objects.get(order=order)
    record_pick(operator, line_of(order, p3.pk), picked=1, now=at(vs, 3))
    pack(operator, shipment, now=at(vs, 4))
    transition(operator, shipment, S.OUT_FOR_DELIVERY, now=at(vs, 5))
    transition(operator, shipment, S.DELIVERY_FAILED, note="nobody home", now=at(vs, 20))
    transition(operator, shipment, S.RETURNED, now=at(vs, 40))
    assert tenders(order) == {"card": ("voided", 3000, 0, 0), "voucher": ("voided", 4000, 0, 0)}
    assert held(vs.wallet).available == 50000
    assert check_ledger() == []


def test_a_refund_after_delivery_gives_the_vouchers_back_to_the_wallet(
    vs: VoucherShop, operator: User
) -> None:
    p2 = vs.shop.products[2]
    order = place(vs, [LineRequest(p2.pk, 3)], 5000)  # vouchers 5,000, card 7,000 (4,000 + fee)
    shipment = Shipment.objects.get(order=order)
    deliver(vs, operator, shipment)
    assert held(vs.wallet).available == 45000
    transition(operator, shipment, S.RETURNED, now=at(vs, 60))
    transition(operator, shipment, S.REFUNDED, now=at(vs, 61))
    assert tenders(order) == {
        "card": ("refunded", 7000, 7000, 7000),
        "voucher": ("refunded", 5000, 5000, 5000),
    }
    wallet = held(vs.wallet)
    assert (wallet.available, wallet.debits_pending) == (50000, 0)
    assert receivable(vs.programme, p2.merchant, vs.now).net == 0
    assert VoucherHold.objects.get(order=order).refunded_won == 5000
    refunded = OrderEvent.objects.get(order=order, kind="transition", to_status=S.REFUNDED)
    assert (refunded.data["voucher_refunded_won"], refunded.data["card_refunded_won"]) == (5000, 7000)
    assert tender_events(order, "payment_refunded") == [("voucher", 5000), ("card", 7000)]
    assert check_ledger() == []


def test_a_hold_that_lapsed_before_delivery_is_not_collected(vs: VoucherShop, operator: User) -> None:
    p2 = vs.shop.products[2]
    order = place(vs, [LineRequest(p2.pk, 2)], 6000)  # vouchers 6,000, card 3,000 (the fee)
    shipment = Shipment.objects.get(order=order)
    late = int((shipment.promised_by + HOLD_MARGIN - vs.now).total_seconds() // 60) + 10
    deliver(vs, operator, shipment, minutes=late)
    # The card pays what it was authorised for; the vouchers' part lapsed.
    assert tenders(order) == {"card": ("captured", 3000, 3000, 0), "voucher": ("voided", 0, 0, 0)}
    uncollected = OrderEvent.objects.get(order=order, kind="payment_uncollected")
    assert (uncollected.data["tender"], uncollected.data["amount_won"]) == ("voucher", 6000)
    assert VoucherHold.objects.get(order=order).status == "expired"
    with transaction.atomic():
        expire_holds(now=at(vs, late + 1))
    assert held(vs.wallet).available == 50000
    assert check_ledger() == []


def test_a_partial_refund_is_shared_in_proportion(vs: VoucherShop, operator: User) -> None:
    """refund_shipment with less than the shipment's capture: the vouchers get their share of
    it (rounded half up), the card the rest."""
    p2 = vs.shop.products[2]
    order = place(vs, [LineRequest(p2.pk, 3)], 5000)  # captured at delivery: 5,000 + 7,000
    shipment = Shipment.objects.get(order=order)
    deliver(vs, operator, shipment)
    delivered = OrderEvent.objects.get(order=order, kind="transition", to_status=S.DELIVERED).data
    with transaction.atomic():
        split = refund_shipment(order, shipment, 6001, delivered, actor=None, now=at(vs, 90))
    assert split == {"voucher_refunded_won": 2500, "card_refunded_won": 3501}  # 6,001 x 5/12
    assert tenders(order) == {
        "card": ("captured", 7000, 7000, 3501),
        "voucher": ("captured", 5000, 5000, 2500),
    }
    assert held(vs.wallet).available == 45000 + 2500
    assert check_ledger() == []


def test_a_refund_takes_back_the_cashback_the_payment_earned(vs: VoucherShop, operator: User) -> None:
    from hyperlocal.wallet.programmes import BenefitKind, Programme
    from hyperlocal.wallet.services.accounts import balance

    Programme.objects.filter(pk=vs.programme.pk).update(
        benefit=BenefitKind.CASHBACK, benefit_bp=1000, monthly_cashback_cap_won=10_000
    )
    vs.wallet.programme.refresh_from_db()
    budget_before = balance(vs.programme.budget_account).net
    p2 = vs.shop.products[2]
    order = place(vs, [LineRequest(p2.pk, 3)], 5000)
    shipment = Shipment.objects.get(order=order)
    deliver(vs, operator, shipment)
    assert held(vs.wallet).available == 45000 + 500  # 10 % of the 5,000 won paid in vouchers
    transition(operator, shipment, S.RETURNED, now=at(vs, 60))
    transition(operator, shipment, S.REFUNDED, now=at(vs, 61))
    assert held(vs.wallet).available == 50000  # buying and returning earns nothing
    assert balance(vs.programme.budget_account).net == budget_before
    assert check_ledger() == []
