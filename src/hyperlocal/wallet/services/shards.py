"""Shard choice and the conditional UPDATEs that change kept balances.

A transfer touches one shard of each of its two accounts: shard 0 of a one-shard account,
else a stable hash of the transfer id (so a repeat, a post or a void lands on the same row).
The UPDATEs run in (account id, shard_no) order, so that two transfers over the same rows
queue for the locks instead of deadlocking. Each UPDATE changes its row only where the row's
own limits (the CHECK constraints, restated in the WHERE) still hold afterwards: PostgreSQL
re-checks the condition on the newest row version once the lock is granted, so concurrent
spends cannot overdraw. Zero rows changed means the limit would break; the caller raises and
its transaction (the services' savepoint) rolls back everything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from hyperlocal.errors import Conflict, DomainError
from hyperlocal.wallet.errors import CreditLimitExceeded, InsufficientFunds
from hyperlocal.wallet.models import AccountShard

SHARD = AccountShard._meta.db_table


def shard_for(transfer_id: str, shards: int) -> int:
    """The shard a transfer uses on an account with `shards` shards: stable across processes
    (sha256, not Python's salted hash())."""
    if shards <= 1:
        return 0
    digest = hashlib.sha256(transfer_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") % shards


@dataclass(frozen=True)
class ShardDelta:
    """Changes to one shard row's four columns; `code` names the account in messages."""

    account_id: int
    shard_no: int
    code: str
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0


_UPDATE = f"""
UPDATE {SHARD} SET
    debits_pending = debits_pending + %(dp)s, debits_posted = debits_posted + %(dpo)s,
    credits_pending = credits_pending + %(cp)s, credits_posted = credits_posted + %(cpo)s
WHERE account_id = %(account)s AND shard_no = %(shard)s
    AND debits_pending + %(dp)s >= 0 AND debits_posted + %(dpo)s >= 0
    AND credits_pending + %(cp)s >= 0 AND credits_posted + %(cpo)s >= 0
    AND (NOT debits_must_not_exceed_credits
         OR debits_pending + %(dp)s + debits_posted + %(dpo)s <= credits_posted + %(cpo)s)
    AND (NOT credits_must_not_exceed_debits
         OR credits_pending + %(cp)s + credits_posted + %(cpo)s <= debits_posted + %(dpo)s)
"""


def apply(deltas: Iterable[ShardDelta]) -> None:
    """Apply the deltas in lock order; raise (having possibly changed earlier rows: the caller
    rolls back) InsufficientFunds / CreditLimitExceeded when a limit would break."""
    with connection.cursor() as cursor:
        for d in sorted(deltas, key=lambda d: (d.account_id, d.shard_no)):
            params = {
                "dp": d.debits_pending,
                "dpo": d.debits_posted,
                "cp": d.credits_pending,
                "cpo": d.credits_posted,
                "account": d.account_id,
                "shard": d.shard_no,
            }
            cursor.execute(_UPDATE, params)
            if cursor.rowcount != 1:
                raise _refusal(d)


def _refusal(d: ShardDelta) -> DomainError:
    row = AccountShard.objects.filter(account_id=d.account_id, shard_no=d.shard_no).first()
    if row is None:  # pragma: no cover - open_account writes every shard row
        return Conflict(f"account {d.code} has no shard {d.shard_no}", code="ledger_shard_missing")
    if row.debits_must_not_exceed_credits and d.debits_pending + d.debits_posted > 0:
        available = row.credits_posted - row.debits_posted - row.debits_pending
        wanted = d.debits_pending + d.debits_posted
        return InsufficientFunds(
            f"account {d.code} has {available} won available, {wanted} won were asked for", field="amount"
        )
    if row.credits_must_not_exceed_debits and d.credits_pending + d.credits_posted > 0:
        room = row.debits_posted - row.credits_posted - row.credits_pending
        return CreditLimitExceeded(f"account {d.code} can take {room} won more in credits", field="amount")
    return Conflict(  # pragma: no cover - a finished pending amount missing from its shard
        f"account {d.code} shard {d.shard_no} does not hold the pending amount", code="ledger_out_of_step"
    )
