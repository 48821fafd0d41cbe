"""Paying with vouchers: what an order's voucher part may cover, its holds at checkout, and
their post at delivery, release on cancellation, lowering after a short pick, and refund.

Only lines of eligible merchants may be paid with vouchers, and a merchant takes a programme's
vouchers only when registered in its region (programmes.eligibility_reason). A resident's
bought vouchers go first where the merchant takes them, then policy-issued ones (which more
merchants take). Each (shipment, merchant, wallet) share is one pending transfer wallet ->
merchant receivable (a VoucherHold row keeps the order's side of it): posted at delivery, at
most what the merchant finally delivered; voided on cancellation; expired at its timeout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import Merchant
from hyperlocal.errors import Conflict, InvalidInput
from hyperlocal.wallet.errors import InsufficientFunds, PendingNotOpen
from hyperlocal.wallet.models import Transfer
from hyperlocal.wallet.programmes import (
    BenefitKind,
    MerchantAccount,
    Programme,
    VoucherHold,
    VoucherKind,
    Wallet,
)
from hyperlocal.wallet.services.accounts import balance
from hyperlocal.wallet.services.caps import CASHBACK, cap_account
from hyperlocal.wallet.services.clean import clean_amount, clean_now
from hyperlocal.wallet.services.expiry import expired_due, has_unswept_expiry, sweep_wallet
from hyperlocal.wallet.services.ledger import post_pending, transfer, void_pending
from hyperlocal.wallet.services.money import ratio_of, share_of
from hyperlocal.wallet.services.programmes import eligibility_reason
from hyperlocal.wallet.services.wallets import merchant_account_for

HOLD_MARGIN = timedelta(hours=24)  # a hold outlives the delivery window by this much


@dataclass(frozen=True)
class TenderPart:
    """What one merchant sells in one shipment of the order (line totals, won)."""

    shipment_id: int
    merchant_id: int
    amount_won: int


@dataclass(frozen=True)
class PlannedHold:
    part: TenderPart
    wallet: Wallet
    amount_won: int


@dataclass(frozen=True)
class VoucherOptions:
    max_won: int  # the most the resident's vouchers can pay of these parts now
    eligible_won: int  # the parts' total at merchants that take some voucher the resident has
    plan: tuple[PlannedHold, ...]  # how max_won would be taken
    usable: dict[int, int] = field(default_factory=dict)  # wallet id -> usable won
    reasons: dict[int, str] = field(default_factory=dict)  # merchant id -> why it takes none

    def take(self, amount_won: int) -> list[PlannedHold]:
        """The first `amount_won` of the plan (amount_won <= max_won)."""
        out, left = [], amount_won
        for h in self.plan:
            if left == 0:
                break
            step = min(left, h.amount_won)
            out.append(PlannedHold(h.part, h.wallet, step))
            left -= step
        return out


def voucher_options(user: User, parts: Sequence[TenderPart], *, now: datetime) -> VoucherOptions:
    """How much of `parts` the user's vouchers can pay, and how. Reads only."""
    clean_now(now)
    merchants = {
        m.pk: m
        for m in Merchant.objects.filter(pk__in={p.merchant_id for p in parts}).select_related("region")
    }
    # A merchant registered in a dong takes the vouchers of its district too.
    regions = {m.region_id for m in merchants.values()} | {m.region.parent_id for m in merchants.values()}
    programmes = {
        p.pk: p
        for p in Programme.objects.filter(region_id__in=regions, is_active=True).select_related("region")
    }
    wallets = list(
        Wallet.objects.filter(user=user, programme_id__in=programmes).select_related("account").order_by("pk")
    )
    usable: dict[int, int] = {}
    for w in wallets:
        w.programme = programmes[w.programme_id]
        kept = balance(w.account)
        available = kept.available
        if has_unswept_expiry(w, now):  # as sweep_wallet: expired and not held
            available -= max(expired_due(w, now) - kept.debits_pending, 0)
        usable[w.pk] = max(available, 0)
    left = dict(usable)
    plan: list[PlannedHold] = []
    reasons: dict[int, str] = {}
    eligible = 0
    for part in parts:
        merchant = merchants.get(part.merchant_id)
        if merchant is None:
            raise InvalidInput(f"no merchant {part.merchant_id}", field="merchant_id")
        need, takes_any, why = part.amount_won, False, ""
        order = {VoucherKind.BOUGHT: 0, VoucherKind.POLICY: 1}
        for w in sorted(wallets, key=lambda w: (order[VoucherKind(w.kind)], w.pk)):
            reason = eligibility_reason(
                w.programme,
                region_id=merchant.region_id,
                parent_region_id=merchant.region.parent_id,
                category=merchant.business_category,
                revenue_band=merchant.revenue_band,
                active=merchant.is_active,
                kind=w.kind,
                name=merchant.name,
            )
            if reason:
                why = why or reason
                continue
            takes_any = True
            step = min(need, left[w.pk])
            if step > 0:
                plan.append(PlannedHold(part, w, step))
                left[w.pk] -= step
                need -= step
        if takes_any:
            eligible += part.amount_won
        else:
            reasons[part.merchant_id] = why or f"{merchant.name} does not take your vouchers"
    return VoucherOptions(sum(h.amount_won for h in plan), eligible, tuple(plan), usable, reasons)


def hold_id(order_id: int, h: PlannedHold) -> str:
    return f"order/{order_id}/s{h.part.shipment_id}/m{h.part.merchant_id}/w{h.wallet.pk}"


def hold_for_order(
    user: User,
    order_id: int,
    parts: Sequence[TenderPart],
    amount_won: int,
    *,
    timeout_at: Mapping[int, datetime],
    now: datetime,
) -> list[VoucherHold]:
    """Hold `amount_won` of the user's vouchers for the order: one pending transfer per
    (shipment, merchant, wallet), timing out HOLD_MARGIN after the shipment's promise
    (`timeout_at` by shipment id). InvalidInput (422) when the eligible lines cannot take that
    much, Conflict / InsufficientFunds (409) when the balance does not cover it."""
    clean_now(now)
    amount = clean_amount(amount_won, field="voucher_won")
    # The resident's wallets are locked first (their rows, in id order): two checkouts of one
    # resident then hold one after the other. Without it their transfers take the wallet's
    # and the receivables' shards in account order, which interleaves (a receivable opened
    # before the wallet comes first, one opened after it last) and deadlocks.
    for w in Wallet.objects.select_for_update().filter(user=user).order_by("pk"):
        if has_unswept_expiry(w, now):
            sweep_wallet(w, now=now)
    options = voucher_options(user, parts, now=now)
    if amount > options.eligible_won:
        detail = "; ".join(sorted(set(options.reasons.values())))
        raise InvalidInput(
            f"only {options.eligible_won:,} won of this order can be paid with your vouchers"
            + (f" ({detail})" if detail else ""),
            field="voucher_won",
            code="voucher_not_eligible",
        )
    if amount > options.max_won:
        raise InsufficientFunds(
            f"your vouchers can pay {options.max_won:,} won of this order, {amount:,} won were asked for",
            field="voucher_won",
        )
    rows = []
    # No savepoints (as place_order): a refusal here fails the whole checkout anyway, and the
    # round trips a savepoint costs per hold are a third of the voucher part's time.
    with transaction.atomic(savepoint=False):
        for h in options.take(amount):
            merchant = Merchant(pk=h.part.merchant_id)
            account = merchant_account_for(h.wallet.programme, merchant, now=now)
            due = timeout_at[h.part.shipment_id]
            pending = transfer(
                hold_id(order_id, h),
                h.wallet.account,
                account.account,
                h.amount_won,
                kind="payment",
                pending=True,
                timeout=max(due - now, timedelta(0)) + HOLD_MARGIN,
                now=now,
                savepoint=False,
            )
            rows.append(
                VoucherHold(
                    order_id=order_id,
                    shipment_id=h.part.shipment_id,
                    merchant_id=h.part.merchant_id,
                    wallet=h.wallet,
                    merchant_account=account,
                    pending_transfer=pending,
                    held_won=h.amount_won,
                    payable_won=h.amount_won,
                    created_at=now,
                    updated_at=now,
                )
            )
        VoucherHold.objects.bulk_create(rows)
    return rows


def _held(order_id: int, **where: object) -> list[VoucherHold]:
    return list(
        VoucherHold.objects.select_for_update()
        .filter(order_id=order_id, status=VoucherHold.Status.HELD, **where)
        .select_related("wallet__programme", "wallet__account")
        .order_by("pk")
    )


def merchants_holding(order_id: int, shipment_id: int) -> set[int]:
    """The merchants whose goods in the shipment the order's vouchers still pay for in part
    (an open hold: their receivable is credited at delivery). Reads only."""
    return set(
        VoucherHold.objects.filter(
            order_id=order_id, shipment_id=shipment_id, status=VoucherHold.Status.HELD
        ).values_list("merchant_id", flat=True)
    )


def lower_payable(
    order_id: int, shipment_id: int, merchant_id: int, merchant_total_won: int, *, now: datetime
) -> int:
    """After a short pick or a cheaper substitute: the merchant's lines in the shipment now
    total `merchant_total_won`, so its holds may post at most that. Returns the voucher won
    released (the card part covers the rest of the reduction)."""
    holds = _held(order_id, shipment_id=shipment_id, merchant_id=merchant_id)
    excess = sum(h.payable_won for h in holds) - max(merchant_total_won, 0)
    released = 0
    for h in reversed(holds):  # policy-issued vouchers were taken last, so they go back first
        if excess <= 0:
            break
        step = min(excess, h.payable_won)
        done = VoucherHold.objects.filter(pk=h.pk, payable_won=h.payable_won).update(
            payable_won=h.payable_won - step, updated_at=now
        )
        if done != 1:
            raise Conflict("the voucher hold changed meanwhile; try again", code="voucher_hold_changed")
        excess -= step
        released += step
    return released


def post_shipment(order_id: int, shipment_id: int, *, now: datetime) -> int:
    """At delivery: post each hold of the shipment (what is payable; a hold with nothing
    payable is voided), give cashback where the programme pays it. Returns won posted. A hold
    that timed out is marked expired and not collected."""
    posted = 0
    for h in _held(order_id, shipment_id=shipment_id):
        base = h.pending_transfer_id
        try:
            if h.payable_won == 0:
                void_pending(f"{base}/void", base, now=now, savepoint=False)
                status, amount = VoucherHold.Status.VOIDED, 0
            else:
                post_pending(f"{base}/post", base, h.payable_won, now=now, savepoint=False)
                status, amount = VoucherHold.Status.POSTED, h.payable_won
        except PendingNotOpen:
            status, amount = VoucherHold.Status.EXPIRED, 0
        VoucherHold.objects.filter(pk=h.pk, status=VoucherHold.Status.HELD).update(
            status=status, posted_won=amount, updated_at=now
        )
        if amount:
            give_cashback(h.wallet, amount, base_id=base, now=now)
        posted += amount
    return posted


def void_order(order_id: int, *, now: datetime, shipment_id: int | None = None) -> int:
    """Cancellation: release every hold of the order (or of one shipment). Returns won released."""
    where = {"shipment_id": shipment_id} if shipment_id is not None else {}
    released = 0
    for h in _held(order_id, **where):
        void_pending(f"{h.pending_transfer_id}/void", h.pending_transfer_id, now=now, savepoint=False)
        VoucherHold.objects.filter(pk=h.pk).update(status=VoucherHold.Status.VOIDED, updated_at=now)
        released += h.held_won
    return released


def refund_order(order_id: int, amount_won: int, *, now: datetime, shipment_id: int | None = None) -> int:
    """Give back up to `amount_won` of what the order's vouchers paid (last hold first), from
    the merchant receivables to the wallets. Returns the won refunded to vouchers."""
    left = clean_amount(amount_won)
    holds = VoucherHold.objects.select_for_update().filter(
        order_id=order_id, status=VoucherHold.Status.POSTED
    )
    if shipment_id is not None:
        holds = holds.filter(shipment_id=shipment_id)
    refunded = 0
    for h in reversed(
        list(holds.select_related("wallet__account", "merchant_account__account").order_by("pk"))
    ):
        step = min(left, h.posted_won - h.refunded_won)
        if step <= 0:
            continue
        base = f"{h.pending_transfer_id}/refund/{h.refunded_won}+{step}"
        transfer(
            base,
            h.merchant_account.account,
            h.wallet.account,
            step,
            kind="payment_refund",
            now=now,
        )
        VoucherHold.objects.filter(pk=h.pk, refunded_won=h.refunded_won).update(
            refunded_won=h.refunded_won + step, updated_at=now
        )
        _take_back_cashback(h, step, base_id=base, now=now)
        left -= step
        refunded += step
        if left == 0:
            break
    return refunded


def _take_back_cashback(h: VoucherHold, refunded_won: int, *, base_id: str, now: datetime) -> int:
    """A refunded payment gives back its share of the cashback it earned (wallet -> budget,
    rounded half up), so that buying and returning earns nothing. The month's cashback cap
    is not given back."""
    given = (
        Transfer.objects.filter(pk=f"{h.pending_transfer_id}/cashback")
        .values_list("amount", flat=True)
        .first()
    )
    if not given or not h.posted_won:
        return 0
    back = min(ratio_of(refunded_won, given, h.posted_won), given)
    if back <= 0:
        return 0
    programme = h.wallet.programme
    transfer(
        f"{base_id}/cashback-back",
        h.wallet.account,
        programme.budget_account,
        back,
        kind="cashback_refund",
        now=now,
    )
    return back


def give_cashback(wallet: Wallet, paid_won: int, *, base_id: str, now: datetime) -> int:
    """Cashback on a posted payment (CASHBACK programmes), within the person's monthly
    cashback cap. Returns won given."""
    programme = wallet.programme
    if programme.benefit != BenefitKind.CASHBACK or programme.monthly_cashback_cap_won <= 0:
        return 0
    given = Transfer.objects.filter(pk=f"{base_id}/cashback").values_list("amount", flat=True).first()
    if given is not None:  # a repeat of the post: the cashback was given (from the cap left then)
        return given
    wanted = share_of(paid_won, programme.benefit_bp)
    cap = cap_account(programme, wallet.user, CASHBACK, now=now)
    for _attempt in range(3):  # a concurrent cashback may take the cap meanwhile: read again
        take = min(wanted, balance(cap).available)
        if take <= 0:
            return 0
        try:
            with transaction.atomic():
                transfer(
                    f"{base_id}/cashback-cap",
                    cap,
                    programme.cap_source_account,
                    take,
                    kind="cap_use",
                    now=now,
                )
                transfer(
                    f"{base_id}/cashback",
                    programme.budget_account,
                    wallet.account,
                    take,
                    kind="cashback",
                    now=now,
                )
            return take
        except InsufficientFunds:
            continue
    return 0


# -- a single payment, without an order (the bench and integrations) -------------------------


def pay_hold(
    wallet: Wallet,
    merchant_account: MerchantAccount,
    amount_won: int,
    *,
    transfer_id: str,
    timeout: timedelta,
    now: datetime,
) -> Transfer:
    """Hold `amount_won` of the wallet for the merchant (a pending payment)."""
    reason = eligibility_reason(
        wallet.programme,
        region_id=merchant_account.merchant.region_id,
        parent_region_id=merchant_account.merchant.region.parent_id,
        category=merchant_account.merchant.business_category,
        revenue_band=merchant_account.merchant.revenue_band,
        active=merchant_account.merchant.is_active,
        kind=wallet.kind,
        name=merchant_account.merchant.name,
    )
    if reason or merchant_account.programme_id != wallet.programme_id:
        raise InvalidInput(
            reason or "the merchant account is of another programme",
            field="merchant",
            code="voucher_not_eligible",
        )
    if has_unswept_expiry(wallet, now):
        sweep_wallet(wallet, now=now)
    return transfer(
        transfer_id,
        wallet.account,
        merchant_account.account,
        amount_won,
        kind="payment",
        pending=True,
        timeout=timeout,
        now=now,
    )


def pay_post(
    wallet: Wallet, hold_transfer_id: str, *, transfer_id: str, amount_won: int | None = None, now: datetime
) -> Transfer:
    """Post a held payment (all, or `amount_won` of it), with cashback where paid."""
    posted = post_pending(transfer_id, hold_transfer_id, amount_won, now=now)
    give_cashback(wallet, posted.amount, base_id=hold_transfer_id, now=now)
    return posted
