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


def expired_due(wallet: Wallet, now: datetime) -> int:
    """Won of the wallet's vouchers that have expired by `now` and are still in it."""
    lots = issued_lots(wallet)
    left = remaining_by_expiry(lots, consumed_won(wallet))
    return sum(won for expires_at, won in left if expires_at <= now)


def has_unswept_expiry(wallet: Wallet, now: datetime) -> bool:
    """One query: did a lot of this wallet expire since its last sweep?"""
    window = Q(wallet=wallet, expires_at__gt=wallet.expiry_swept_at, expires_at__lte=now)
    return VoucherPurchase.objects.filter(window).exists() or VoucherGrant.objects.filter(window).exists()


def sweep_wallet(wallet: Wallet, *, now: datetime) -> int:
    """Move what has expired out of the wallet (wallet -> float, kind "expiry"); returns won."""
    clean_now(now)
    with transaction.atomic():
        locked = Wallet.objects.select_for_update().select_related("programme", "account").get(pk=wallet.pk)
        due = min(expired_due(locked, now), max(balance(locked.account).available, 0))
        if due > 0:
            transfer(
                f"expiry/{locked.pk}/{now.timestamp():.6f}",
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
    wallets = Wallet.objects.filter(
        Exists(VoucherPurchase.objects.filter(due_lot)) | Exists(VoucherGrant.objects.filter(due_lot))
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
