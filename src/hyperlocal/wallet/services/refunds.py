"""The statutory refund of what is left in a bought wallet, once enough of it has been used.

Once at least the programme's threshold (e.g. 60 %) of the face value bought has been spent,
the resident may ask for the remainder: the share they paid goes back to their card, the
unused share of the discount or bonus goes back to the programme's budget. Policy-issued
vouchers are never refunded, and there is no other way out of a wallet in cash.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Sum

from hyperlocal.accounts.models import User
from hyperlocal.errors import Conflict, InvalidInput, NotFound
from hyperlocal.orders.payments import provider_named
from hyperlocal.wallet.models import Transfer, TransferState
from hyperlocal.wallet.programmes import BASIS_POINTS, VoucherKind, VoucherPurchase, VoucherRefund, Wallet
from hyperlocal.wallet.services.accounts import balance
from hyperlocal.wallet.services.clean import REQUEST_ID_MAX_LENGTH, clean_id, clean_now
from hyperlocal.wallet.services.expiry import sweep_wallet
from hyperlocal.wallet.services.ledger import transfer
from hyperlocal.wallet.services.money import ratio_of


def spent_won(wallet: Wallet) -> int:
    """Posted voucher payments from the wallet, net of payment refunds."""
    paid = Transfer.objects.filter(
        debit_account=wallet.account, kind="payment", state=TransferState.POSTING
    ).aggregate(s=Sum("amount"))["s"]
    back = Transfer.objects.filter(credit_account=wallet.account, kind="payment_refund").aggregate(
        s=Sum("amount")
    )["s"]
    return (paid or 0) - (back or 0)


def used_share_bp(wallet: Wallet) -> tuple[int, int]:
    """(share of the face value bought that was spent, in basis points; face bought)."""
    face = VoucherPurchase.objects.filter(wallet=wallet).aggregate(s=Sum("face_won"))["s"] or 0
    if face == 0:
        return 0, 0
    return min(spent_won(wallet) * BASIS_POINTS // face, BASIS_POINTS), face


def refund_remainder(user: User, wallet: Wallet, *, request_id: str, now: datetime) -> VoucherRefund:
    """Refund the remainder of the user's bought wallet. 404 for another resident's wallet,
    422 for policy-issued vouchers or below the threshold, 409 while a checkout holds part of
    it or when there is nothing left. A repeat of the request id returns the first refund."""
    clean_now(now)
    request_id = clean_id(request_id, field="request_id")
    if len(request_id) > REQUEST_ID_MAX_LENGTH:  # the ledger ids made from it stay within 100
        raise InvalidInput(f"request_id is at most {REQUEST_ID_MAX_LENGTH} characters", field="request_id")
    if wallet.user_id != user.pk:
        raise NotFound("no such wallet", field="wallet", code="wallet_not_found")
    existing = VoucherRefund.objects.filter(wallet=wallet, request_id=request_id).first()
    if existing is not None:
        return existing
    if wallet.kind != VoucherKind.BOUGHT:
        raise InvalidInput("policy-issued vouchers cannot be refunded", field="wallet", code="not_refundable")
    with transaction.atomic():
        locked = Wallet.objects.select_for_update().select_related("programme", "account").get(pk=wallet.pk)
        programme = locked.programme
        repeat = VoucherRefund.objects.filter(wallet=wallet, request_id=request_id).first()
        if repeat is not None:  # a concurrent repeat finished while we waited for the lock
            return repeat
        sweep_wallet(locked, now=now)
        b = balance(locked.account)
        if b.debits_pending:
            raise Conflict(
                f"{b.debits_pending:,} won are held for an order in progress; ask again once it is delivered "
                "or cancelled",
                field="wallet",
                code="wallet_has_holds",
            )
        remainder = b.available
        if remainder <= 0:
            raise Conflict("there is nothing left to refund", field="wallet", code="nothing_to_refund")
        used_bp, _face = used_share_bp(locked)
        if used_bp < programme.refund_threshold_bp:
            raise InvalidInput(
                f"the remainder can be refunded once {programme.refund_threshold_bp / 100:g} % of the "
                f"vouchers bought have been used; you have used {used_bp / 100:.1f} %",
                field="wallet",
                code="below_refund_threshold",
            )
        totals = VoucherPurchase.objects.filter(wallet=locked).aggregate(
            paid=Sum("paid_won"), face=Sum("face_won")
        )
        cash = min(ratio_of(remainder, totals["paid"] or 0, totals["face"] or 1), remainder)
        clawback = remainder - cash
        base = f"refund/{locked.pk}/{request_id}"
        if cash:
            transfer(f"{base}/cash", locked.account, programme.cash_account, cash, kind="refund", now=now)
        if clawback:
            transfer(
                f"{base}/clawback",
                locked.account,
                programme.budget_account,
                clawback,
                kind="refund_clawback",
                now=now,
            )
        _refund_cards(locked, cash)
        return VoucherRefund.objects.create(
            wallet=locked,
            request_id=request_id,
            remainder_won=remainder,
            cash_won=cash,
            clawback_won=clawback,
            used_bp=used_bp,
            refunded_at=now,
        )


def _refund_cards(wallet: Wallet, cash_won: int) -> None:
    """Send `cash_won` back over the wallet's card payments, newest purchase first."""
    left = cash_won
    for p in VoucherPurchase.objects.filter(wallet=wallet).order_by("-purchased_at", "-pk"):
        if left <= 0:
            break
        step = min(left, p.paid_won)
        if step == 0:
            continue
        result = provider_named(p.provider).refund(p.payment_reference, step)
        if not result.ok:
            raise Conflict(f"the card refund was refused: {result.message}", code="card_refund_refused")
        left -= step
