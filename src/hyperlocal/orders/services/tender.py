"""Split tender: the part of an order paid with local-currency vouchers (지역사랑상품권), beside
the card.

The resident names at checkout how much the vouchers pay (`voucher_won`). Vouchers pay only
for goods of merchants that take them, never the delivery fee, so voucher_won is at most the
items total and the card is authorised for the rest. The wallet services move the vouchers
on the ledger (hyperlocal.wallet.services.spending: one pending hold per shipment, merchant
and wallet); the order keeps a second Payment row (tender "voucher", provider "wallet",
reference "voucher/<order code>") whose amounts follow the card row's rules, so that each
row's `authorised_won - captured_won` is what that tender can still collect:

- placement: `hold_vouchers` (called by checkout after the order's rows are inserted);
- a short pick or a cheaper substitute (of the same merchant where the vouchers pay part of
  the merchant's goods: `voucher_merchants`): `lower_for_line` lowers the merchant's voucher part
  in the shipment first (spending.lower_payable); what the vouchers give up comes off the
  voucher row, the rest of the drop off the card;
- delivery: `capture_shipment` posts the shipment's holds (spending.post_shipment), the
  voucher row captures what was posted and the card the rest of the shipment's amount;
- cancellation or a failed delivery returned: `release_shipments` voids the shipments' holds
  (spending.void_order) and lowers each tender by its share, or voids every row when nothing
  is left to pay for;
- a refund after delivery: `refund_shipment` gives each tender back its own share of what
  was captured for the shipment (the delivered event records the split), the vouchers to the
  wallets (spending.refund_order), the rest to the card. A partial amount is split in
  proportion (rounded half up, the vouchers' share).

A hold that timed out before delivery (the promise plus spending.HOLD_MARGIN) cannot be
collected: the card pays the shipment's part that the vouchers no longer do when its
authorisation still covers it, and what neither tender can collect is recorded as an
`payment_uncollected` event.

Orders without vouchers take the card-only paths of payment.py unchanged (one query more per
lifecycle step, to find out that there is no voucher row). The checkout's hot path runs
nothing of this module when voucher_won is 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Sum

from hyperlocal.accounts.models import User
from hyperlocal.errors import InvalidInput
from hyperlocal.orders.models import LineStatus, Order, OrderLine, Payment, Shipment
from hyperlocal.orders.services.events import record_event
from hyperlocal.orders.services.payment import (
    CARD,
    VOUCHER,
    capture_payment,
    reduce_authorisation,
    refund_payment,
    void_payment,
)
from hyperlocal.wallet.services import spending
from hyperlocal.wallet.services.clean import MAX_AMOUNT
from hyperlocal.wallet.services.money import ratio_of

VOUCHER_PROVIDER = "wallet"
_OPEN = (Payment.Status.AUTHORISED, Payment.Status.CAPTURED)

__all__ = [
    "VOUCHER",
    "VOUCHER_PROVIDER",
    "VoucherQuote",
    "VoucherReason",
    "capture_shipment",
    "clean_voucher_won",
    "has_vouchers",
    "hold_vouchers",
    "lower_for_line",
    "refund_shipment",
    "release_shipments",
    "voucher_merchants",
    "voucher_quote",
    "voucher_reference",
]


def clean_voucher_won(value: object) -> int:
    """The voucher part asked for: a whole number of won, 0 (card only) or more."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_AMOUNT:
        raise InvalidInput(
            f"voucher_won must be a whole number of won from 0 to {MAX_AMOUNT}, got {value!r}.",
            field="voucher_won",
            code="invalid_amount",
        )
    return value


def check_voucher_part(voucher_won: int, items_won: int) -> None:
    """Vouchers pay for goods only: never more than the items total (422 before anything is
    asked of the card or the wallet)."""
    if voucher_won > items_won:
        raise InvalidInput(
            f"Vouchers pay for goods only: at most {items_won:,} won of this order "
            f"({voucher_won:,} won were asked for); the delivery fee is paid by card.",
            field="voucher_won",
            code="voucher_not_eligible",
        )


def voucher_reference(order_code: str) -> str:
    return f"voucher/{order_code}"


# -- the quote ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoucherReason:
    """Why the lines of one merchant cannot be paid with the resident's vouchers."""

    merchant_id: int
    reason: str
    product_ids: tuple[int, ...]


@dataclass(frozen=True)
class VoucherQuote:
    max_won: int  # the most the resident's vouchers can pay of this basket now
    eligible_won: int  # the basket's goods at merchants that take some voucher the resident has
    balance_won: int  # every voucher the resident can spend now, wherever
    reasons: tuple[VoucherReason, ...]

    @property
    def has_vouchers(self) -> bool:
        return self.balance_won > 0


def voucher_quote(user: User, lines: Iterable[tuple[int, int, int]], *, now: datetime) -> VoucherQuote:
    """What the user's vouchers can pay of a basket: `lines` are (product id, merchant id,
    line total). Reads only. A basket's shipments do not change what vouchers can pay (they
    are held per merchant), so the parts here are per merchant."""
    totals: dict[int, int] = defaultdict(int)
    products: dict[int, list[int]] = defaultdict(list)
    for product_id, merchant_id, total_won in lines:
        totals[merchant_id] += total_won
        products[merchant_id].append(product_id)
    parts = [spending.TenderPart(0, m, won) for m, won in sorted(totals.items()) if won > 0]
    if not parts:
        return VoucherQuote(0, 0, 0, ())
    options = spending.voucher_options(user, parts, now=now)
    reasons = tuple(
        VoucherReason(m, why, tuple(sorted(products[m]))) for m, why in sorted(options.reasons.items())
    )
    return VoucherQuote(options.max_won, options.eligible_won, sum(options.usable.values()), reasons)


# -- placement ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldPart:
    shipment_id: int
    merchant_id: int
    amount_won: int


def hold_vouchers(
    user: User,
    order_id: int,
    lines: Sequence[tuple[int, int, int]],
    voucher_won: int,
    *,
    timeout_at: Mapping[int, datetime],
    now: datetime,
) -> list[HeldPart]:
    """Hold `voucher_won` of the user's vouchers for a new order: `lines` are (shipment id,
    merchant id, line total). One TenderPart per (shipment, merchant), in merchant order and
    then shipment order: every placement takes the merchants' receivables in the same order,
    so two checkouts at the same merchants queue on them instead of deadlocking. The wallet
    errors (voucher_not_eligible 422, insufficient_funds 409) leave this function and abort
    the placement. Returns what was held per (shipment, merchant)."""
    totals: dict[tuple[int, int], int] = defaultdict(int)
    for shipment_id, merchant_id, total_won in lines:
        totals[(merchant_id, shipment_id)] += total_won
    parts = [spending.TenderPart(s, m, won) for (m, s), won in sorted(totals.items()) if won > 0]
    holds = spending.hold_for_order(user, order_id, parts, voucher_won, timeout_at=timeout_at, now=now)
    held: dict[tuple[int, int], int] = defaultdict(int)
    for h in holds:
        held[(h.shipment_id, h.merchant_id)] += h.held_won
    return [HeldPart(s, m, won) for (s, m), won in sorted(held.items())]


# -- after placement ---------------------------------------------------------------------------


def has_vouchers(order: Order) -> bool:
    return Payment.objects.filter(order_id=order.pk, tender=VOUCHER).exists()


def _room(order: Order, tender: str) -> int:
    """What the tender's rows can still collect (authorised, not captured)."""
    rows = Payment.objects.filter(order_id=order.pk, tender=tender, status__in=_OPEN)
    return sum(r.authorised_won - r.captured_won for r in rows)


def voucher_merchants(order_id: int, shipment_id: int) -> set[int]:
    """The merchants of the shipment whose goods the vouchers still pay for in part. Their
    lines may only be substituted by their own products: the hold credits that merchant's
    receivable, so another merchant's goods would be paid to the wrong merchant (and that
    merchant may not take the vouchers at all)."""
    return spending.merchants_holding(order_id, shipment_id)


def lower_for_line(
    order: Order, line: OrderLine, charge: int, drop: int, *, actor: User | None, now: datetime
) -> dict[str, int]:
    """A line's charge drops by `drop` to `charge` (a short pick, a cheaper substitute): the
    vouchers of its merchant in its shipment first may pay at most the merchant's new total
    there; what they give up comes off the voucher row, the rest off the card. Returns the
    amounts per tender (for the picking event)."""
    if not has_vouchers(order):
        reduce_authorisation(order, drop, actor=actor, now=now)
        return {}
    others = (
        OrderLine.objects.filter(shipment_id=line.shipment_id, merchant_id=line.merchant_id)
        .exclude(pk=line.pk)
        .exclude(status=LineStatus.CANCELLED)
        .aggregate(total=Sum("charged_won"))["total"]
    )
    total = int(others or 0) + charge
    released = spending.lower_payable(order.pk, line.shipment_id, line.merchant_id, total, now=now)
    detail = {"shipment_id": line.shipment_id, "merchant_id": line.merchant_id}
    if released:
        reduce_authorisation(order, released, actor=actor, now=now, tender=VOUCHER, detail=detail)
    rest = drop - released
    if rest > 0:
        # The card's part; a card row short of it (the vouchers took the whole order) spills
        # onto the voucher row in row order.
        reduce_authorisation(order, rest, actor=actor, now=now, detail=detail)
    return {"voucher_reduced_won": released, "card_reduced_won": max(rest, 0)}


def capture_shipment(
    order: Order, shipment: Shipment, amount_won: int, *, actor: User | None, now: datetime
) -> dict[str, int]:
    """At delivery: collect `amount_won` for the shipment (its goods, plus the fee with the
    first delivery). Returns the event's amounts: captured_won, and with vouchers voucher_won
    and card_won (and uncollected_won when a hold had timed out)."""
    if not has_vouchers(order):
        if amount_won > 0:
            capture_payment(order, amount_won, actor=actor, now=now)
        return {"captured_won": amount_won}
    detail = {"shipment_id": shipment.pk}
    posted = spending.post_shipment(order.pk, shipment.pk, now=now)
    if posted:
        capture_payment(order, posted, actor=actor, now=now, tender=VOUCHER, detail=detail)
    due = amount_won - posted
    card = min(max(due, 0), _room(order, CARD))
    if card:
        capture_payment(order, card, actor=actor, now=now, tender=CARD, detail=detail)
    out = {"captured_won": posted + card, "voucher_won": posted, "card_won": card}
    short = due - card
    if short > 0:
        # A voucher hold timed out: its part is not collected, and the voucher row lets go
        # of what it can no longer collect.
        lapsed = min(short, _room(order, VOUCHER))
        if lapsed:
            reduce_authorisation(order, lapsed, actor=actor, now=now, tender=VOUCHER, detail=detail)
        record_event(
            order,
            "payment_uncollected",
            shipment=shipment,
            actor=actor,
            data={"tender": VOUCHER, "amount_won": short, "reason": "voucher hold timed out"},
            at=now,
        )
        out["uncollected_won"] = short
    return out


def _merchants(shipment_ids: Iterable[int]) -> list[tuple[int, int]]:
    return sorted(
        set(
            OrderLine.objects.filter(shipment_id__in=list(shipment_ids)).values_list(
                "shipment_id", "merchant_id"
            )
        )
    )


def release_shipments(
    order: Order,
    released: Sequence[Shipment],
    amount_won: int,
    *,
    nothing_left: bool,
    actor: User | None,
    now: datetime,
) -> dict[str, int]:
    """The `released` shipments will not be paid for (cancelled, or returned after a failed
    delivery): `amount_won` is their charge. With nothing left to pay for, every hold is
    voided and every row released; else the shipments' holds are voided and each tender is
    lowered by its share (the vouchers' payable part of those shipments, the card the rest).
    Returns the amounts per tender."""
    if not has_vouchers(order):
        if nothing_left:
            void_payment(order, actor=actor, now=now)
        elif amount_won > 0:
            reduce_authorisation(order, amount_won, actor=actor, now=now)
        return {}
    if nothing_left:
        voided = spending.void_order(order.pk, now=now)
        void_payment(order, actor=actor, now=now)
        return {"voucher_released_won": voided}
    voucher = 0
    for shipment_id, merchant_id in _merchants(s.pk for s in released):
        # Their goods now cost nothing: the holds' payable part is what the vouchers release.
        voucher += spending.lower_payable(order.pk, shipment_id, merchant_id, 0, now=now)
    for shipment in released:
        spending.void_order(order.pk, now=now, shipment_id=shipment.pk)
    if voucher:
        reduce_authorisation(order, voucher, actor=actor, now=now, tender=VOUCHER)
    rest = amount_won - voucher
    if rest > 0:
        reduce_authorisation(order, rest, actor=actor, now=now)
    return {"voucher_released_won": voucher, "card_released_won": max(rest, 0)}


def refund_shipment(
    order: Order,
    shipment: Shipment,
    amount_won: int,
    delivered: Mapping[str, Any],
    *,
    actor: User | None,
    now: datetime,
) -> dict[str, int]:
    """Give back `amount_won` of what was captured for the shipment; `delivered` is the data
    of its delivered event (captured_won, voucher_won). Each tender gets back its share: the
    vouchers to the wallets they came from, the rest to the card."""
    if amount_won <= 0:
        return {}
    if not has_vouchers(order):
        refund_payment(order, amount_won, actor=actor, now=now)
        return {}
    captured = int(delivered.get("captured_won", 0))
    paid_by_vouchers = int(delivered.get("voucher_won", 0))
    share = paid_by_vouchers if amount_won >= captured else ratio_of(amount_won, paid_by_vouchers, captured)
    returned = spending.refund_order(order.pk, share, now=now, shipment_id=shipment.pk) if share else 0
    detail = {"shipment_id": shipment.pk}
    if returned:
        refund_payment(order, returned, actor=actor, now=now, tender=VOUCHER, detail=detail)
    card = amount_won - returned
    if card > 0:
        refund_payment(order, card, actor=actor, now=now, tender=CARD, detail=detail)
    return {"voucher_refunded_won": returned, "card_refunded_won": max(card, 0)}
