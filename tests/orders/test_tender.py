"""Split tender at checkout (orders/services/tender.py and its use in checkout and cart): the
voucher part held on the ledger beside the card's authorisation, the quote of what vouchers
can pay, and every refusal from the wallet aborting the whole placement with nothing written
anywhere and the card authorisation voided."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction

from hyperlocal.errors import DomainError, InvalidInput
from hyperlocal.orders.errors import IdempotencyConflict
from hyperlocal.orders.models import OrderEvent, Payment, Shipment
from hyperlocal.orders.payments import ProviderResult, TestPaymentProvider
from hyperlocal.orders.services import (
    DeliveryChoice,
    LineRequest,
    PlacedOrder,
    checkout_cart,
    place_order,
    quote,
    set_cart_line,
)
from hyperlocal.orders.services.checkout import placement_hash
from hyperlocal.orders.services.idempotency import request_hash
from hyperlocal.wallet.errors import InsufficientFunds
from hyperlocal.wallet.models import Transfer, TransferState
from hyperlocal.wallet.programmes import VoucherHold
from hyperlocal.wallet.services import check_ledger
from hyperlocal.wallet.services.spending import HOLD_MARGIN
from tests.factories import UserFactory
from tests.orders.conftest import Shop, make_customer
from tests.orders.tender_fixtures import (
    VoucherShop,
    buy,
    everything,
    exclude,
    grant,
    held,
    programme_at,
    receivable,
    tenders,
    too_big,
    voucher_shop,
)

INSTANT = DeliveryChoice("instant")


@dataclass
class RecordingProvider(TestPaymentProvider):
    """The test provider, remembering what the checkout asked of it."""

    calls: list[tuple[str, Any]] = field(default_factory=list)

    def authorise(self, amount_won: int, *, token: str, reference_hint: str) -> ProviderResult:
        result = super().authorise(amount_won, token=token, reference_hint=reference_hint)
        self.calls.append(("authorise", amount_won))
        return result

    def void(self, reference: str) -> ProviderResult:
        self.calls.append(("void", reference))
        return super().void(reference)


@pytest.fixture
def vs(shop: Shop) -> VoucherShop:
    """The resident holds 50,000 won of policy-issued Mapo-gu vouchers."""
    return voucher_shop(shop)


def place(vs: VoucherShop, lines: list[LineRequest], voucher_won: int, **kw: Any) -> PlacedOrder:
    kw.setdefault("idempotency_key", "key-1")
    kw.setdefault("now", vs.now)
    with transaction.atomic():
        return place_order(vs.customer, lines, INSTANT, voucher_won=voucher_won, **kw)


def refused(
    vs: VoucherShop, error: type[DomainError], lines: list[LineRequest], voucher_won: Any, **kw: Any
) -> DomainError:
    """The placement is refused with `error` and no table changed, ledger included."""
    before = everything()
    with pytest.raises(error) as caught:
        place(vs, lines, voucher_won, **kw)
    assert everything() == before
    assert check_ledger() == []
    return caught.value


def test_the_voucher_part_is_held_and_the_card_pays_the_rest(vs: VoucherShop) -> None:
    p1, p2 = vs.shop.products[1:3]  # 2,000 and 3,000 won, each of its own merchant
    provider = RecordingProvider()
    placed = place(vs, [LineRequest(p1.pk, 3), LineRequest(p2.pk, 1)], 5000, provider=provider)
    order = placed.order
    assert (order.items_won, order.delivery_fee_won, order.total_won) == (9000, 3000, 12000)
    assert provider.calls == [("authorise", 7000)]  # the card: total minus the voucher part

    assert tenders(order) == {"card": ("authorised", 7000, 0, 0), "voucher": ("authorised", 5000, 0, 0)}
    voucher = Payment.objects.get(order=order, tender="voucher")
    assert (voucher.provider, voucher.reference) == ("wallet", f"voucher/{order.code}")

    # The ledger: the wallet holds 5,000 won pending for the first merchant's receivable (its
    # 6,000 won of goods take the whole voucher part), nothing is posted yet.
    wallet = held(vs.wallet)
    assert (wallet.debits_pending, wallet.debits_posted, wallet.available) == (5000, 0, 45000)
    first = receivable(vs.programme, p1.merchant, vs.now)
    assert (first.credits_pending, first.credits_posted) == (5000, 0)
    assert receivable(vs.programme, p2.merchant, vs.now).credits_pending == 0
    [hold] = VoucherHold.objects.filter(order=order)
    [shipment] = Shipment.objects.filter(order=order)
    assert (hold.shipment_id, hold.merchant_id, hold.held_won, hold.status) == (
        shipment.pk,
        p1.merchant_id,
        5000,
        "held",
    )
    pending = Transfer.objects.get(pk=hold.pending_transfer_id)
    assert pending.state == TransferState.PENDING
    assert pending.timeout_at == shipment.promised_by + HOLD_MARGIN
    assert check_ledger() == []

    events = list(OrderEvent.objects.filter(order=order).order_by("pk"))
    assert [e.kind for e in events] == ["placed", "voucher_held"]
    assert events[0].data["payment"]["tender"] == "card"
    assert events[1].data == {
        "payment_id": voucher.pk,
        "tender": "voucher",
        "provider": "wallet",
        "amount_won": 5000,
        "holds": [{"shipment_id": shipment.pk, "merchant_id": p1.merchant_id, "amount_won": 5000}],
    }
    # What the placement says it wrote is what it wrote.
    assert placed.written is not None
    assert [(p.id, p.tender, p.authorised_won) for p in placed.written.payments] == [
        (p.pk, p.tender, p.authorised_won) for p in Payment.objects.filter(order=order).order_by("pk")
    ]
    assert [e.kind for e in placed.written.events] == ["placed", "voucher_held"]


def test_vouchers_that_pay_everything_ask_no_card(vs: VoucherShop) -> None:
    provider = RecordingProvider()
    p5 = vs.shop.products[5]
    order = place(vs, [LineRequest(p5.pk, 5)], 30000, provider=provider).order  # free delivery
    assert (order.total_won, order.delivery_fee_won) == (30000, 0)
    assert provider.calls == []
    assert tenders(order) == {"voucher": ("authorised", 30000, 0, 0)}
    placed = OrderEvent.objects.get(order=order, kind="placed")
    assert placed.data["payment"]["tender"] == "voucher"
    assert held(vs.wallet).debits_pending == 30000
    assert check_ledger() == []


def test_a_split_order_holds_per_shipment_with_each_promise(vs: VoucherShop) -> None:
    shop = vs.shop
    p0, p1 = shop.products[:2]
    shop.set_stock(shop.hub_a, p1, 0)
    shop.set_stock(shop.hub_b, p0, 0)
    order = place(vs, [LineRequest(p0.pk, 2), LineRequest(p1.pk, 2)], 6000).order  # 2,000 + 4,000
    shipments = {s.hub_id: s for s in Shipment.objects.filter(order=order)}
    holds = {h.shipment_id: h for h in VoucherHold.objects.filter(order=order)}
    assert {sid: h.held_won for sid, h in holds.items()} == {
        shipments[shop.hub_a.pk].pk: 2000,
        shipments[shop.hub_b.pk].pk: 4000,
    }
    for s in shipments.values():
        pending = Transfer.objects.get(pk=holds[s.pk].pending_transfer_id)
        assert pending.timeout_at == s.promised_by + HOLD_MARGIN
    assert tenders(order)["voucher"] == ("authorised", 6000, 0, 0)
    assert tenders(order)["card"] == ("authorised", 3000, 0, 0)  # the delivery fee
    assert check_ledger() == []


def test_bought_vouchers_first_where_the_merchant_takes_them(vs: VoucherShop) -> None:
    """Bought vouchers skip a merchant above their revenue cap; policy-issued ones pay there."""
    bought = buy(vs.customer, vs.programme, 10000, vs.now)
    p1, p2 = vs.shop.products[1:3]
    too_big(p2)
    order = place(vs, [LineRequest(p1.pk, 1), LineRequest(p2.pk, 2)], 8000).order  # 2,000 + 6,000
    holds = {(h.merchant_id, h.wallet_id): h.held_won for h in VoucherHold.objects.filter(order=order)}
    assert holds == {(p1.merchant_id, bought.pk): 2000, (p2.merchant_id, vs.wallet.pk): 6000}
    assert check_ledger() == []


def test_lines_of_a_merchant_that_takes_no_vouchers_cannot_be_paid_with_them(vs: VoucherShop) -> None:
    p1, p2 = vs.shop.products[1:3]
    exclude(p1)
    provider = RecordingProvider()
    error = refused(vs, InvalidInput, [LineRequest(p1.pk, 1), LineRequest(p2.pk, 1)], 4000, provider=provider)
    assert (error.status_code, error.code, error.field) == (422, "voucher_not_eligible", "voucher_won")
    assert "only 3,000 won" in error.message
    assert "excluded from the programme" in error.message
    # The card was authorised for its part, then voided with the order.
    assert [c[0] for c in provider.calls] == ["authorise", "void"]
    assert provider.calls[0] == ("authorise", 8000 - 4000)  # 5,000 of goods and 3,000 of delivery
    # Within the eligible lines the same basket goes through.
    assert place(vs, [LineRequest(p1.pk, 1), LineRequest(p2.pk, 1)], 3000).created


def test_more_than_the_balance_is_409_and_writes_nothing(vs: VoucherShop) -> None:
    p5 = vs.shop.products[5]
    provider = RecordingProvider()
    error = refused(vs, InsufficientFunds, [LineRequest(p5.pk, 10)], 50001, provider=provider)
    assert (error.status_code, error.code) == (409, "insufficient_funds")
    assert "can pay 50,000 won" in error.message
    assert [c[0] for c in provider.calls] == ["authorise", "void"]


def test_expired_vouchers_pay_nothing(shop: Shop) -> None:
    issued = shop.now - timedelta(days=62)
    programme = programme_at(issued, validity_months=1)
    grant(shop.customer, programme, 50000, issued)
    vs = VoucherShop(shop, programme, grant(shop.customer, programme, 1, issued, batch="x"))
    # The quote already leaves them out; a placement sweeps them (and that, too, rolls back).
    p1 = shop.products[1]
    with transaction.atomic():
        offer = quote(shop.customer, [LineRequest(p1.pk, 1)], now=shop.now)
    assert offer.vouchers is not None
    assert (offer.vouchers.max_won, offer.vouchers.balance_won) == (0, 0)
    error = refused(vs, InsufficientFunds, [LineRequest(p1.pk, 1)], 1000)
    assert error.status_code == 409
    assert "can pay 0 won" in error.message


def test_vouchers_never_pay_the_delivery_fee(vs: VoucherShop) -> None:
    provider = RecordingProvider()
    p1 = vs.shop.products[1]
    error = refused(vs, InvalidInput, [LineRequest(p1.pk, 1)], 2001, provider=provider)  # 2,000 + fee
    assert (error.code, error.field) == ("voucher_not_eligible", "voucher_won")
    assert "delivery fee" in error.message
    assert provider.calls == []  # refused before the card is asked


@pytest.mark.parametrize("bad", [-1, 1.5, True, "1000", None, 10**13])
def test_a_malformed_voucher_part_is_422_before_anything(vs: VoucherShop, bad: Any) -> None:
    error = refused(vs, InvalidInput, [LineRequest(vs.shop.products[1].pk, 1)], bad)
    assert (error.status_code, error.field) == (422, "voucher_won")


def test_a_repeat_returns_the_order_and_another_voucher_part_is_a_conflict(vs: VoucherShop) -> None:
    lines = [LineRequest(vs.shop.products[2].pk, 2)]
    first = place(vs, lines, 4000)
    before = everything()
    again = place(vs, lines, 4000)
    assert (again.created, again.order.pk) == (False, first.order.pk)
    assert everything() == before  # nothing held twice
    for other in (3000, 0):
        with pytest.raises(IdempotencyConflict):
            place(vs, lines, other)
        assert everything() == before


def test_a_card_only_request_hashes_as_before_split_tender(vs: VoucherShop) -> None:
    lines = [LineRequest(vs.shop.products[0].pk, 1)]
    before_split_tender = request_hash(
        {
            "lines": [[lines[0].product_id, 1, "allow"]],
            "delivery": {"kind": "instant", "slot_starts_at": None},
            "payment_token": "tok_test_ok",
        }
    )
    assert placement_hash(lines, INSTANT, "tok_test_ok") == before_split_tender
    assert placement_hash(lines, INSTANT, "tok_test_ok", 0) == before_split_tender
    assert placement_hash(lines, INSTANT, "tok_test_ok", 1000) != before_split_tender


def test_the_quote_says_what_vouchers_can_pay_and_why_not_the_rest(vs: VoucherShop) -> None:
    p1, p2 = vs.shop.products[1:3]
    exclude(p1)
    with transaction.atomic():
        offer = quote(vs.customer, [LineRequest(p1.pk, 1), LineRequest(p2.pk, 2)], now=vs.now)
    v = offer.vouchers
    assert v is not None
    assert (v.max_won, v.eligible_won, v.balance_won) == (6000, 6000, 50000)
    [reason] = v.reasons
    assert (reason.merchant_id, reason.product_ids) == (p1.merchant_id, (p1.pk,))
    assert "excluded" in reason.reason
    # Someone without vouchers: nothing to pay with, every merchant named.
    stranger = make_customer()
    with transaction.atomic():
        none = quote(stranger, [LineRequest(p2.pk, 1)], now=vs.now).vouchers
    assert none is not None
    assert (none.max_won, none.balance_won, len(none.reasons)) == (0, 0, 1)


def test_the_quote_caps_what_vouchers_pay_at_the_balance(vs: VoucherShop) -> None:
    p5 = vs.shop.products[5]
    with transaction.atomic():
        v = quote(vs.customer, [LineRequest(p5.pk, 10)], now=vs.now).vouchers
    assert v is not None
    assert (v.max_won, v.eligible_won, v.reasons) == (50000, 60000, ())


def test_checking_out_the_cart_with_vouchers(vs: VoucherShop) -> None:
    p3 = vs.shop.products[3]
    with transaction.atomic():
        set_cart_line(vs.customer, p3.pk, 2, now=vs.now)  # 8,000 won
    with transaction.atomic():
        placed = checkout_cart(vs.customer, INSTANT, idempotency_key="cart-1", now=vs.now, voucher_won=8000)
    assert tenders(placed.order) == {
        "card": ("authorised", 3000, 0, 0),
        "voucher": ("authorised", 8000, 0, 0),
    }
    # The same key with another voucher part is another request.
    with pytest.raises(IdempotencyConflict), transaction.atomic():
        checkout_cart(vs.customer, INSTANT, idempotency_key="cart-1", now=vs.now, voucher_won=7000)
    assert check_ledger() == []


def test_someone_else_s_vouchers_are_not_mine(vs: VoucherShop) -> None:
    other = UserFactory()
    other.household = vs.customer.household
    other.save(update_fields=["household"])
    vs_other = VoucherShop(replace(vs.shop, customer=other), vs.programme, vs.wallet)
    error = refused(vs_other, InvalidInput, [LineRequest(vs.shop.products[1].pk, 1)], 1000)
    assert error.code == "voucher_not_eligible"  # no voucher of theirs takes the merchant
