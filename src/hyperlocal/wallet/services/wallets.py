"""Wallets (a resident's vouchers of one programme and kind) and merchant receivables: opened
on first use; balances with what expires when; a statement of every movement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q, Sum

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import Merchant
from hyperlocal.wallet.models import AccountKind, AccountShard, Transfer, TransferState
from hyperlocal.wallet.programmes import (
    MerchantAccount,
    Programme,
    VoucherGrant,
    VoucherKind,
    VoucherPurchase,
    Wallet,
)
from hyperlocal.wallet.services.accounts import Balance, balance, open_account
from hyperlocal.wallet.services.clean import clean_now


def wallet_for(user: User, programme: Programme, kind: str, *, now: datetime) -> Wallet:
    """The user's wallet of this programme and kind, opened (with its ledger account, which
    may never go below zero) the first time."""
    clean_now(now)
    found = Wallet.objects.filter(programme=programme, user=user, kind=kind).select_related("account").first()
    if found is not None:
        return found
    with transaction.atomic():
        account = open_account(
            f"wallet/{programme.code}/{user.pk}/{kind}",
            AccountKind.RESIDENT_WALLET,
            owner_ref=f"user:{user.pk}",
            debits_must_not_exceed_credits=True,
            now=now,
        )
        Wallet.objects.bulk_create(
            [
                Wallet(
                    programme=programme,
                    user=user,
                    kind=kind,
                    account=account,
                    created_at=now,
                    expiry_swept_at=now,
                )
            ],
            ignore_conflicts=True,
        )
    return Wallet.objects.select_related("account").get(programme=programme, user=user, kind=kind)


def merchant_account_for(programme: Programme, merchant: Merchant, *, now: datetime) -> MerchantAccount:
    """The programme's receivable for this merchant, opened the first time. No limit: a refund
    after a settlement may take it below zero, and the next settlement nets it."""
    found = (
        MerchantAccount.objects.filter(programme=programme, merchant=merchant)
        .select_related("account")
        .first()
    )
    if found is not None:
        return found
    with transaction.atomic():
        account = open_account(
            f"merchant/{programme.code}/{merchant.pk}",
            AccountKind.MERCHANT_RECEIVABLE,
            owner_ref=f"merchant:{merchant.pk}",
            now=now,
        )
        MerchantAccount.objects.bulk_create(
            [MerchantAccount(programme=programme, merchant=merchant, account=account)], ignore_conflicts=True
        )
    return MerchantAccount.objects.select_related("account").get(programme=programme, merchant=merchant)


@dataclass(frozen=True)
class Lot:
    """Vouchers issued at once (a purchase or a grant) and when they expire."""

    issued_at: datetime
    expires_at: datetime
    face_won: int


def issued_lots(wallet: Wallet) -> list[Lot]:
    purchases = VoucherPurchase.objects.filter(wallet=wallet).values_list(
        "purchased_at", "expires_at", "face_won"
    )
    grants = VoucherGrant.objects.filter(wallet=wallet).values_list("granted_at", "expires_at", "face_won")
    return sorted(
        (Lot(*row) for row in [*purchases, *grants]), key=lambda lot: (lot.expires_at, lot.issued_at)
    )


def consumed_won(wallet: Wallet) -> int:
    """What left the wallet for good and was not given back: debits posted (payments, refunds,
    expiries) minus payment refunds credited back. The oldest vouchers are used first."""
    b = balance(wallet.account)
    returned = (
        Transfer.objects.filter(credit_account=wallet.account, kind="payment_refund").aggregate(
            s=Sum("amount")
        )["s"]
        or 0
    )
    return b.debits_posted - returned


def remaining_by_expiry(lots: list[Lot], consumed: int) -> list[tuple[datetime, int]]:
    """What is left of each lot when `consumed` won were spent oldest-expiry first (pure)."""
    left = []
    for lot in lots:
        take = min(consumed, lot.face_won)
        consumed -= take
        if lot.face_won - take > 0:
            left.append((lot.expires_at, lot.face_won - take))
    return left


@dataclass(frozen=True)
class WalletBalance:
    wallet: Wallet
    balance: Balance
    expiring: tuple[tuple[datetime, int], ...]  # (expires_at, won) still unspent, soonest first

    @property
    def available_won(self) -> int:
        return self.balance.available

    @property
    def held_won(self) -> int:
        return self.balance.debits_pending


def balances(user: User, *, now: datetime) -> list[WalletBalance]:
    """Every wallet of the user with its balance and unspent lots by expiry."""
    clean_now(now)
    wallets = list(
        Wallet.objects.filter(user=user).select_related("programme", "account").order_by("programme", "kind")
    )
    out = []
    for w in wallets:
        lots = issued_lots(w)
        left = remaining_by_expiry(lots, consumed_won(w))
        out.append(WalletBalance(w, balance(w.account), tuple(left)))
    return out


@dataclass(frozen=True)
class StatementLine:
    at: datetime
    transfer_id: str
    kind: str
    state: str
    amount_won: int  # + into the wallet, - out of it
    held_won: int  # pending amount (a hold at checkout), 0 when posted


def statement(wallet: Wallet, *, limit: int = 200) -> list[StatementLine]:
    """The wallet's movements, newest first: every posted transfer, every hold and its end."""
    account = wallet.account_id
    rows = Transfer.objects.filter(Q(debit_account_id=account) | Q(credit_account_id=account)).order_by(
        "-created_at", "-id"
    )[:limit]
    lines = []
    for t in rows:
        sign = 1 if t.credit_account_id == account else -1
        posted = t.state in (TransferState.POSTED, TransferState.POSTING)
        lines.append(
            StatementLine(
                at=t.created_at,
                transfer_id=t.id,
                kind=t.kind,
                state=t.state,
                amount_won=sign * t.amount if posted else 0,
                held_won=sign * t.amount if t.state == TransferState.PENDING else 0,
            )
        )
    return lines


def shard_total(wallet: Wallet) -> int:
    """The wallet's available balance in one query (for hot paths)."""
    row = AccountShard.objects.filter(account_id=wallet.account_id).values_list(
        "credits_posted", "debits_posted", "debits_pending"
    )
    return sum(cp - dp - dpe for cp, dp, dpe in row)


KINDS_FIRST_SPENT = (VoucherKind.BOUGHT, VoucherKind.POLICY)
