"""Opening accounts and reading balances."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Sum

from hyperlocal.errors import InvalidInput, NotFound
from hyperlocal.wallet.errors import TransferIdReused
from hyperlocal.wallet.models import MAX_SHARDS, AccountKind, AccountShard, LedgerAccount
from hyperlocal.wallet.services.clean import clean_id, clean_now

AccountRef = LedgerAccount | str


@dataclass(frozen=True)
class Balance:
    """Sums over an account's shards. `net` is credits minus debits posted; `available` also
    takes off the debits held pending (what a wallet can still spend)."""

    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0

    @property
    def net(self) -> int:
        return self.credits_posted - self.debits_posted

    @property
    def available(self) -> int:
        return self.credits_posted - self.debits_posted - self.debits_pending


def open_account(
    code: str,
    kind: str,
    *,
    now: datetime,
    owner_ref: str = "",
    debits_must_not_exceed_credits: bool = False,
    credits_must_not_exceed_debits: bool = False,
    shards: int = 1,
) -> LedgerAccount:
    """Open an account and its shard rows. Idempotent by code: opening the same account again
    returns it; the same code with other attributes is TransferIdReused (409)."""
    code = clean_id(code, field="code")
    clean_now(now)
    if kind not in AccountKind.values:
        raise InvalidInput(f"unknown account kind {kind!r}", field="kind", code="invalid_kind")
    if isinstance(shards, bool) or not isinstance(shards, int) or not 1 <= shards <= MAX_SHARDS:
        raise InvalidInput(f"shards must be from 1 to {MAX_SHARDS}, got {shards!r}", field="shards")
    limited = debits_must_not_exceed_credits or credits_must_not_exceed_debits
    if debits_must_not_exceed_credits and credits_must_not_exceed_debits:
        raise InvalidInput(
            "an account has at most one of the two limits", field="credits_must_not_exceed_debits"
        )
    if limited and shards != 1:
        raise InvalidInput("an account with a limit has exactly one shard", field="shards")
    if len(owner_ref) > 100:
        raise InvalidInput("owner_ref is at most 100 characters", field="owner_ref")
    wanted = {
        "kind": kind,
        "owner_ref": owner_ref,
        "debits_must_not_exceed_credits": debits_must_not_exceed_credits,
        "credits_must_not_exceed_debits": credits_must_not_exceed_debits,
        "shards": shards,
    }
    with transaction.atomic():
        LedgerAccount.objects.bulk_create(
            [LedgerAccount(code=code, created_at=now, **wanted)], ignore_conflicts=True
        )
        account = LedgerAccount.objects.get(code=code)
        if any(getattr(account, k) != v for k, v in wanted.items()):
            raise TransferIdReused(
                f"account {code} already exists with other attributes",
                field="code",
                code="account_code_reused",
            )
        AccountShard.objects.bulk_create(
            [
                AccountShard(
                    account=account,
                    shard_no=n,
                    debits_must_not_exceed_credits=debits_must_not_exceed_credits,
                    credits_must_not_exceed_debits=credits_must_not_exceed_debits,
                )
                for n in range(shards)
            ],
            ignore_conflicts=True,
        )
    return account


def get_account(ref: AccountRef, *, field: str = "account") -> LedgerAccount:
    if isinstance(ref, LedgerAccount):
        return ref
    account = LedgerAccount.objects.filter(code=ref).first() if isinstance(ref, str) else None
    if account is None:
        raise NotFound(f"no ledger account {ref!r}", field=field, code="account_not_found")
    return account


def balance(ref: AccountRef) -> Balance:
    """The account's balance: the sums of its shards (one query)."""
    account = get_account(ref)
    sums = AccountShard.objects.filter(account=account).aggregate(
        dp=Sum("debits_pending"),
        dpo=Sum("debits_posted"),
        cp=Sum("credits_pending"),
        cpo=Sum("credits_posted"),
    )
    return Balance(sums["dp"] or 0, sums["dpo"] or 0, sums["cp"] or 0, sums["cpo"] or 0)
