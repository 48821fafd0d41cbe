"""Expiry: vouchers past their validity leave the wallet for the programme's float, and
checkout holds past their timeout release themselves.

A wallet spends its vouchers soonest-expiring first, so what expires at a moment is what is
left of the lots due by then (wallets.remaining_by_expiry). Held amounts stay held: should the
hold be voided later, the next sweep takes what has expired of it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q

from hyperlocal.wallet.models import Transfer, TransferState
from hyperlocal.wallet.programmes import Programme, VoucherGrant, VoucherHold, VoucherPurchase, Wallet
from hyperlocal.wallet.services.accounts import balance
from hyperlocal.wallet.services.clean import clean_now
from hyperlocal.wallet.services.ledger import expire_pending, transfer
from hyperlocal.wallet.services.wallets import consumed_won, issued_lots, remaining_by_expiry

# Finishing rows that release a hold in full or in part.
GIVE_BACK = [TransferState.VOIDED, TransferState.EXPIRED, TransferState.POSTING]


def expired_due(wallet: Wallet, now: datetime) -> int:
    """Won of the wallet's vouchers that have expired by `now` and are still in it."""
    lots = issued_lots(wallet)
    left = remaining_by_expiry(lots, consumed_won(wallet))
    return sum(won for expires_at, won in left if expires_at <= now)


def _moved_since_sweep(account_id: int, swept_at: datetime) -> Q:
    """Transfers since the last sweep that may give expired vouchers back to the wallet: a
    hold released in full or in part (void, timeout, a smaller post) or a payment refunded."""
    return Q(debit_account_id=account_id, state__in=GIVE_BACK, created_at__gte=swept_at) | Q(
        credit_account_id=account_id, kind="payment_refund", created_at__gte=swept_at
    )


def has_unswept_expiry(wallet: Wallet, now: datetime) -> bool:
    """May the wallet hold expired vouchers not swept yet? True when a lot expired since the
    last sweep, or when a lot has expired and vouchers came back since (a released hold, a
    refunded payment: what comes back may have expired meanwhile). None of the queries finds
    anything for a wallet whose vouchers are all still valid."""
    expired = Q(wallet=wallet, expires_at__lte=now)
    if not (
        VoucherPurchase.objects.filter(expired).exists() or VoucherGrant.objects.filter(expired).exists()
    ):
        return False
    since = Q(wallet=wallet, expires_at__gt=wallet.expiry_swept_at, expires_at__lte=now)
    if VoucherPurchase.objects.filter(since).exists() or VoucherGrant.objects.filter(since).exists():
        return True
    return Transfer.objects.filter(_moved_since_sweep(wallet.account_id, wallet.expiry_swept_at)).exists()


def sweep_wallet(wallet: Wallet, *, now: datetime) -> int:
    """Move what has expired out of the wallet (wallet -> float, kind "expiry"); returns won.
    The transfer's id names the wallet's posted debits before it, so a repeat of the same
    sweep is recognised and a later one (after a void gave vouchers back) is a new transfer."""
    clean_now(now)
    with transaction.atomic():
        locked = Wallet.objects.select_for_update().select_related("programme", "account").get(pk=wallet.pk)
        kept = balance(locked.account)
        # Holds take the oldest vouchers first, so expired ones still held are not sweepable
        # yet (a void gives them back, and the next sweep takes them); valid ones never are.
        due = min(max(expired_due(locked, now) - kept.debits_pending, 0), max(kept.available, 0))
        if due > 0:
            transfer(
                f"expiry/{locked.pk}/{kept.debits_posted}",
                locked.account,
                locked.programme.float_account,
                due,
                kind="expiry",
                now=now,
            )
        Wallet.objects.filter(pk=locked.pk, expiry_swept_at__lt=now).update(expiry_swept_at=now)
        wallet.expiry_swept_at = max(wallet.expiry_swept_at, now)
    return due


def expire_vouchers(*, now: datetime, programme: Programme | None = None) -> int:
    """Sweep every wallet with a lot expired since its last sweep, and release checkout holds
    past their timeout. Returns how many wallets lost expired vouchers."""
    clean_now(now)
    expire_holds(now=now)
    due_lot = Q(expires_at__gt=OuterRef("expiry_swept_at"), expires_at__lte=now, wallet=OuterRef("pk"))
    any_expired = Q(expires_at__lte=now, wallet=OuterRef("pk"))
    released = Transfer.objects.filter(
        Q(debit_account_id=OuterRef("account_id"), state__in=GIVE_BACK)
        | Q(credit_account_id=OuterRef("account_id"), kind="payment_refund"),
        created_at__gte=OuterRef("expiry_swept_at"),
    )
    wallets = Wallet.objects.filter(
        Exists(VoucherPurchase.objects.filter(due_lot))
        | Exists(VoucherGrant.objects.filter(due_lot))
        | (
            (
                Exists(VoucherPurchase.objects.filter(any_expired))
                | Exists(VoucherGrant.objects.filter(any_expired))
            )
            & Exists(released)
        )
    ).select_related("programme", "account")
    if programme is not None:
        wallets = wallets.filter(programme=programme)
    swept = 0
    for wallet in wallets.order_by("pk"):
        if sweep_wallet(wallet, now=now) > 0:
            swept += 1
    return swept


def expire_holds(*, now: datetime) -> int:
    """Release ledger holds past their timeout and mark the order holds they belonged to."""
    released = expire_pending(now)
    expired_ids = Transfer.objects.filter(
        state=TransferState.EXPIRED, pending_id=OuterRef("pending_transfer_id")
    )
    VoucherHold.objects.filter(status=VoucherHold.Status.HELD).filter(Exists(expired_ids)).update(
        status=VoucherHold.Status.EXPIRED, updated_at=now, payable_won=F("payable_won")
    )
    return released
