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


# The SET list and the limits of a conditional UPDATE of one shard row by the deltas {dp},
# {dpo}, {cp}, {cpo} (placeholders or columns): the row changes only where its own limits (the
# CHECK constraints, restated) still hold afterwards.
_SET = """
    debits_pending = debits_pending + {dp}, debits_posted = debits_posted + {dpo},
    credits_pending = credits_pending + {cp}, credits_posted = credits_posted + {cpo}"""
_LIMITS = """
    AND debits_pending + {dp} >= 0 AND debits_posted + {dpo} >= 0
    AND credits_pending + {cp} >= 0 AND credits_posted + {cpo} >= 0
    AND (NOT debits_must_not_exceed_credits
         OR debits_pending + {dp} + debits_posted + {dpo} <= credits_posted + {cpo})
    AND (NOT credits_must_not_exceed_debits
         OR credits_pending + {cp} + credits_posted + {cpo} <= debits_posted + {dpo})"""
_PARAMS = {"dp": "%(dp)s", "dpo": "%(dpo)s", "cp": "%(cp)s", "cpo": "%(cpo)s"}
_UPDATE = (
    f"UPDATE {SHARD} SET{_SET.format(**_PARAMS)}\n"
    f"WHERE account_id = %(account)s AND shard_no = %(shard)s{_LIMITS.format(**_PARAMS)}"
)


_COLUMNS = {"dp": "e.dp", "dpo": "e.dpo", "cp": "e.cp", "cpo": "e.cpo"}


def _update_row(name: str, n: int, after: str) -> str:
    return (
        f"{name} AS (\n    UPDATE {SHARD} AS s SET{_SET.format(**_COLUMNS)}\n    FROM effect AS e\n"
        f"    WHERE e.n = {n} AND s.account_id = e.account_id AND s.shard_no = e.shard_no{after}"
        f"{_LIMITS.format(**_COLUMNS)}\n    RETURNING s.id\n)"
    )


# The shard half of a transfer in one statement on PostgreSQL (services/ledger.py writes the
# transfer half). It follows a CTE `src` of at most one row: the transfer that the statement
# has just inserted (debit_account_id, debit_shard, credit_account_id, credit_shard) and what
# it does to both sides (`held`: added to debits_pending and credits_pending, `posted`: to
# debits_posted and credits_posted). No row in `src` (the INSERT met a conflict), nothing
# changes. The two rows change by two conditional UPDATEs; the second reads the first's
# RETURNING, so it runs only after the first has changed (and locked) its row: the rows lock
# in (account id, shard_no) order as in apply(), and a refused first row leaves the second
# untouched. The statement's SELECT reads `(SELECT count(*) FROM first_row) + (SELECT
# count(*) FROM second_row)`, CHANGED_ROWS: 2 when both changed, else a limit would break.
APPLY_TO_BOTH_SIDES = f"""effect AS (
    SELECT row_number() OVER (ORDER BY x.account_id, x.shard_no) AS n, x.*
    FROM (
        SELECT debit_account_id AS account_id, debit_shard AS shard_no,
               held AS dp, posted AS dpo, 0::bigint AS cp, 0::bigint AS cpo
        FROM src
        UNION ALL
        SELECT credit_account_id, credit_shard, 0::bigint, 0::bigint, held, posted FROM src
    ) AS x
),
{_update_row("first_row", 1, "")},
{_update_row("second_row", 2, chr(10) + "    AND EXISTS (SELECT 1 FROM first_row)")}"""
CHANGED_ROWS = "(SELECT count(*) FROM first_row) + (SELECT count(*) FROM second_row)"


def refused(deltas: Iterable[ShardDelta], changed: int) -> DomainError:
    """The error of a two-row change that changed only `changed` rows (0 or 1) in lock order:
    the same error apply() raises for the first row that would break its limit."""
    return _refusal(sorted(deltas, key=lambda d: (d.account_id, d.shard_no))[changed])


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
