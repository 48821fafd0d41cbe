"""Buying vouchers: the monthly cap held, the card charged, the wallet credited.

The steps, in the caller's transaction: the cap is held with a pending transfer (its id,
derived from the client's request id, is also the idempotency claim: a concurrent repeat waits
on it), the card provider authorises and captures what the resident pays, the hold is posted,
and the wallet receives the paid part from the programme's cash account and the discount or
bonus from its budget. A declined card or a cap that would break raises and nothing stays.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import datetime, timedelta

from django.db.models import Sum
from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.errors import Conflict, InvalidInput
from hyperlocal.orders.errors import PaymentDeclined
from hyperlocal.orders.payments import PaymentProvider, get_provider
from hyperlocal.wallet.errors import InsufficientFunds, TransferIdReused
from hyperlocal.wallet.programmes import BenefitKind, Programme, VoucherKind, VoucherPurchase
from hyperlocal.wallet.services.accounts import balance
from hyperlocal.wallet.services.caps import PURCHASE, cap_account, month_of
from hyperlocal.wallet.services.clean import REQUEST_ID_MAX_LENGTH, clean_id, clean_now, request_hash
from hyperlocal.wallet.services.ledger import post_pending, transfer
from hyperlocal.wallet.services.money import share_of
from hyperlocal.wallet.services.wallets import wallet_for

CAP_HOLD_TIMEOUT = timedelta(minutes=15)  # covers the card round trip; a crash frees it then


def add_months(moment: datetime, months: int) -> datetime:
    """The same local day `months` later (the month's last day when it is shorter)."""
    local = timezone.localtime(moment)
    years, month0 = divmod(local.month - 1 + months, 12)
    year, month = local.year + years, month0 + 1
    return local.replace(year=year, month=month, day=min(local.day, monthrange(year, month)[1]))


def price(programme: Programme, amount_won: int) -> tuple[int, int]:
    """(paid, benefit) for buying `amount_won` of vouchers: with a discount the face is the
    amount and the resident pays less; with a bonus the resident pays the amount and gets more;
    with cashback the resident pays the face value (the benefit comes with each payment)."""
    if programme.benefit == BenefitKind.DISCOUNT:
        benefit = share_of(amount_won, programme.benefit_bp)
        return amount_won - benefit, benefit
    if programme.benefit == BenefitKind.BONUS:
        return amount_won, share_of(amount_won, programme.benefit_bp)
    return amount_won, 0


def bought_this_month(programme: Programme, user: User, now: datetime) -> int:
    return balance(cap_account(programme, user, PURCHASE, now=now)).debits_posted


def clean_purchase_amount(programme: Programme, amount_won: object) -> int:
    unit = programme.purchase_unit_won
    if isinstance(amount_won, bool) or not isinstance(amount_won, int) or amount_won <= 0:
        raise InvalidInput(
            f"the amount must be a positive whole number of won, got {amount_won!r}", field="amount_won"
        )
    if amount_won % unit:
        raise InvalidInput(
            f"vouchers are sold in units of {unit:,} won", field="amount_won", code="not_a_unit"
        )
    if amount_won > programme.monthly_purchase_cap_won:
        raise InvalidInput(
            f"the monthly purchase cap is {programme.monthly_purchase_cap_won:,} won",
            field="amount_won",
            code="above_cap",
        )
    return amount_won


def buy_vouchers(
    user: User,
    programme: Programme,
    amount_won: int,
    *,
    request_id: str,
    payment_token: str,
    now: datetime,
    provider: PaymentProvider | None = None,
) -> VoucherPurchase:
    """Buy `amount_won` of the programme's vouchers (see `price`). A repeat of the same request
    id returns the first purchase; the same id with another amount is TransferIdReused (409).
    Over the monthly cap: Conflict (409) saying how much is left this month."""
    clean_now(now)
    request_id = clean_id(request_id, field="request_id")
    if len(request_id) > REQUEST_ID_MAX_LENGTH:  # the ledger ids made from it stay within 100
        raise InvalidInput(f"request_id is at most {REQUEST_ID_MAX_LENGTH} characters", field="request_id")
    if not programme.is_active:
        raise Conflict(
            f"the programme {programme.name_ko} is closed", field="programme", code="programme_closed"
        )
    amount = clean_purchase_amount(programme, amount_won)
    wallet = wallet_for(user, programme, VoucherKind.BOUGHT, now=now)
    hash_ = request_hash({"op": "buy", "programme": programme.code, "amount": amount, "token": payment_token})
    existing = VoucherPurchase.objects.filter(wallet=wallet, request_id=request_id).first()
    if existing is not None:
        if existing.request_hash != hash_:
            raise TransferIdReused(
                f"request id {request_id!r} was already used for another purchase", field="request_id"
            )
        return existing
    paid, benefit = price(programme, amount)
    cap = cap_account(programme, user, PURCHASE, now=now)
    base = f"buy/{wallet.pk}/{request_id}"
    try:
        hold = transfer(
            f"{base}/cap",
            cap,
            programme.cap_source_account,
            amount,
            kind="cap_hold",
            pending=True,
            timeout=CAP_HOLD_TIMEOUT,
            now=now,
        )
    except InsufficientFunds:
        left = balance(cap).available
        raise Conflict(
            f"the monthly purchase cap of {programme.monthly_purchase_cap_won:,} won allows "
            f"{left:,} won more in {month_of(now)}",
            field="amount_won",
            code="monthly_cap_reached",
        ) from None
    # A concurrent repeat holds the same id: our INSERT waited until it committed, and a new
    # statement now sees its purchase.
    repeat = VoucherPurchase.objects.filter(wallet=wallet, request_id=request_id).first()
    if repeat is not None:
        return repeat
    payer = provider or get_provider()
    result = payer.authorise(paid, token=payment_token, reference_hint=base)
    if not result.ok:
        raise PaymentDeclined(
            f"The payment was declined: {result.message or result.code}", field="payment_token"
        )
    try:
        captured = payer.capture(result.reference, paid)
        if not captured.ok:
            raise Conflict(
                f"the card payment could not be completed: {captured.message}", code="capture_failed"
            )
        post_pending(f"{base}/cap-post", hold.id, now=now)
        transfer(f"{base}/paid", programme.cash_account, wallet.account, paid, kind="purchase", now=now)
        if benefit:
            transfer(
                f"{base}/benefit",
                programme.budget_account,
                wallet.account,
                benefit,
                kind="purchase_benefit",
                now=now,
            )
        return VoucherPurchase.objects.create(
            wallet=wallet,
            request_id=request_id,
            request_hash=hash_,
            face_won=paid + benefit,
            paid_won=paid,
            benefit_won=benefit,
            cap_counted_won=amount,
            provider=payer.name,
            payment_reference=result.reference,
            purchased_at=now,
            expires_at=add_months(now, programme.validity_months),
        )
    except BaseException:
        payer.void(result.reference)  # never leave a card charge behind a failed purchase
        raise


def purchased_face(wallet_id: int) -> int:
    return VoucherPurchase.objects.filter(wallet_id=wallet_id).aggregate(s=Sum("face_won"))["s"] or 0
