"""Transfers: single-phase, pending (a hold), and the post, void or expiry of a pending one.

Every service here only INSERTs transfers (there is no update path: a transfer is history)
and changes shard balances with conditional UPDATEs (services/shards.py). The work runs in a
savepoint inside the caller's transaction, so a refused transfer leaves nothing written even
when the caller catches the error and carries on.

Idempotency: the transfer id is chosen by the client and is the primary key. The INSERT is
the claim (ON CONFLICT DO NOTHING); when the id exists, the same request (same hash of its
body) returns the original transfer and writes nothing, another request with that id is
TransferIdReused (409). A concurrent repeat waits on the first one's uncommitted row.
A pending transfer is finished at most once: a unique constraint on `pending` lets only one
posting, voided or expired row name it.

On PostgreSQL the happy path is one statement (a data-modifying CTE): the INSERT ... ON
CONFLICT DO NOTHING, then the two conditional shard UPDATEs only when the INSERT happened, in
lock order (shards.APPLY_TO_BOTH_SIDES); a post or a void also reads and checks the pending
transfer in it. Its answer tells apart: written; nothing written because the id (or the
pending transfer's finish) existed or the pending transfer is not open (then the repeat is
read and compared as before, or the statement by statement path finds the exact error); and
a limit refused after the INSERT (then the error is raised inside the savepoint, which undoes
the INSERT). SQLite always takes the statement by statement path.

`savepoint=False` leaves out SAVEPOINT and RELEASE: one round trip instead of three. An error
raised after something was written (a refused limit) then marks the caller's transaction for
rollback, like `transaction.atomic(savepoint=False)` does; errors raised before anything was
written (bad input, a repeat with another body, a pending transfer not open) leave it usable.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction

from hyperlocal.errors import InvalidInput, NotFound
from hyperlocal.wallet.errors import PendingNotOpen, TransferIdReused
from hyperlocal.wallet.models import Transfer, TransferState
from hyperlocal.wallet.services.accounts import AccountRef, get_account
from hyperlocal.wallet.services.clean import (
    EXPIRY_PREFIX,
    clean_amount,
    clean_id,
    clean_now,
    request_hash,
)
from hyperlocal.wallet.services.shards import (
    APPLY_TO_BOTH_SIDES,
    CHANGED_ROWS,
    ShardDelta,
    apply,
    refused,
    shard_for,
)

MAX_TIMEOUT = timedelta(days=366)
KIND_MAX_LENGTH = 40
TABLE = Transfer._meta.db_table
_COLUMNS = (
    "id",
    "debit_account_id",
    "credit_account_id",
    "debit_shard",
    "credit_shard",
    "amount",
    "kind",
    "state",
    "pending_id",
    "timeout_at",
    "created_at",
    "request_hash",
)
_NAMES = ", ".join(_COLUMNS)

# A transfer in one statement (PostgreSQL): the claim, then both shards if it was ours.
_TRANSFER_SQL = f"""WITH ins AS (
    INSERT INTO {TABLE} ({_NAMES})
    VALUES (%(id)s, %(debit)s, %(credit)s, %(debit_shard)s, %(credit_shard)s, %(amount)s, %(kind)s,
            %(state)s, NULL, %(timeout_at)s, %(now)s, %(hash)s)
    ON CONFLICT DO NOTHING
    RETURNING debit_account_id, debit_shard, credit_account_id, credit_shard
),
src AS (SELECT ins.*, %(held)s::bigint AS held, %(posted)s::bigint AS posted FROM ins),
{APPLY_TO_BOTH_SIDES}
SELECT (SELECT count(*) FROM ins), {CHANGED_ROWS}"""

# The post, void or expiry of a pending transfer in one statement (PostgreSQL): the pending
# row if it is open for this (state pending; for a post, not timed out and not smaller than
# the amount), the finishing row (ON CONFLICT: the id is taken or the pending transfer was
# finished already), both shards if the finishing row was ours; the pending row comes back.
_FINISH_SQL = f"""WITH p AS (
    SELECT {_NAMES} FROM {TABLE}
    WHERE id = %(pending_id)s AND state = '{TransferState.PENDING.value}'
        AND (NOT %(check_timeout)s::boolean OR timeout_at IS NULL OR timeout_at > %(now)s)
        AND amount >= %(at_least)s::bigint
),
ins AS (
    INSERT INTO {TABLE} ({_NAMES})
    SELECT %(id)s, debit_account_id, credit_account_id, debit_shard, credit_shard,
           coalesce(%(amount)s::bigint, amount), kind, %(state)s, id, NULL, %(now)s, %(hash)s
    FROM p
    ON CONFLICT DO NOTHING
    RETURNING debit_account_id, debit_shard, credit_account_id, credit_shard, amount
),
src AS (
    SELECT ins.debit_account_id, ins.debit_shard, ins.credit_account_id, ins.credit_shard,
           -p.amount AS held, CASE WHEN %(posts)s::boolean THEN ins.amount ELSE 0 END AS posted
    FROM ins CROSS JOIN p
),
{APPLY_TO_BOTH_SIDES}
SELECT (SELECT count(*) FROM ins), {CHANGED_ROWS}, p.*
FROM (SELECT 1) AS one LEFT JOIN p ON true"""


def _one_statement() -> bool:
    return connection.vendor == "postgresql"


def _insert(row: Transfer) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING: True when the row is ours, False when its id (or,
    for a finishing row, its pending transfer) is taken already."""
    qn = connection.ops.quote_name
    table = qn(TABLE)
    values = [getattr(row, c) for c in _COLUMNS]
    for i in (9, 10):
        values[i] = connection.ops.adapt_datetimefield_value(values[i])
    sql = (
        f"INSERT INTO {table} ({', '.join(qn(c) for c in _COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(_COLUMNS))}) ON CONFLICT DO NOTHING RETURNING {qn('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchone() is not None


def _repeat(existing: Transfer, hash_: str) -> Transfer:
    if existing.request_hash != hash_:
        raise TransferIdReused(
            f"transfer id {existing.id!r} was already used for a different request; use a new id",
            field="id",
        )
    return existing


def transfer(
    transfer_id: str,
    debit: AccountRef,
    credit: AccountRef,
    amount: int,
    *,
    kind: str,
    now: datetime,
    pending: bool = False,
    timeout: timedelta | None = None,
    savepoint: bool = True,
) -> Transfer:
    """Move `amount` won from `debit` to `credit`: posted at once, or held pending (until
    post_pending / void_pending, or until `timeout` after `now` when expire_pending releases
    it; no timeout means it waits for a post or a void). Returns the transfer (the original
    one on an idempotent repeat). InsufficientFunds / CreditLimitExceeded (409) when a limit
    would break; nothing is written then (with savepoint=False: the caller's transaction is
    marked for rollback)."""
    transfer_id = clean_id(transfer_id)
    amount = clean_amount(amount)
    clean_now(now)
    if not isinstance(kind, str) or not 1 <= len(kind) <= KIND_MAX_LENGTH:
        raise InvalidInput(f"kind must be 1 to {KIND_MAX_LENGTH} characters", field="kind")
    if timeout is not None:
        if not pending:
            raise InvalidInput("only a pending transfer has a timeout", field="timeout")
        if not isinstance(timeout, timedelta) or not timedelta(0) < timeout <= MAX_TIMEOUT:
            raise InvalidInput(
                f"timeout must be more than 0 and at most {MAX_TIMEOUT.days} days", field="timeout"
            )
    debit_code = debit.code if not isinstance(debit, str) else debit
    credit_code = credit.code if not isinstance(credit, str) else credit
    if debit_code == credit_code:
        raise InvalidInput("a transfer needs two different accounts", field="credit", code="same_account")
    d, c = get_account(debit, field="debit"), get_account(credit, field="credit")
    hash_ = request_hash(
        {
            "op": "transfer",
            "debit": d.code,
            "credit": c.code,
            "amount": amount,
            "kind": kind,
            "pending": pending,
            "timeout_s": timeout.total_seconds() if timeout else None,
        }
    )
    row = Transfer(
        id=transfer_id,
        debit_account=d,
        credit_account=c,
        debit_shard=shard_for(transfer_id, d.shards),
        credit_shard=shard_for(transfer_id, c.shards),
        amount=amount,
        kind=kind,
        state=TransferState.PENDING if pending else TransferState.POSTED,
        timeout_at=now + timeout if timeout else None,
        created_at=now,
        request_hash=hash_,
    )
    column = "pending" if pending else "posted"
    deltas = [
        ShardDelta(d.pk, row.debit_shard, d.code, **{f"debits_{column}": amount}),
        ShardDelta(c.pk, row.credit_shard, c.code, **{f"credits_{column}": amount}),
    ]
    with transaction.atomic(savepoint=savepoint):
        if _one_statement():
            inserted, changed = _transfer_in_one_statement(row)
            if inserted and changed != 2:
                raise refused(deltas, changed)
        else:
            inserted = _insert(row)
            if inserted:
                apply(deltas)
    if not inserted:
        return _repeat(Transfer.objects.get(pk=transfer_id), hash_)
    return row


def _transfer_in_one_statement(row: Transfer) -> tuple[bool, int]:
    """(inserted, shard rows changed) of _TRANSFER_SQL."""
    pending = row.state == TransferState.PENDING
    params: dict[str, str | int | datetime | None] = {
        "id": row.id,
        "debit": row.debit_account_id,
        "credit": row.credit_account_id,
        "debit_shard": row.debit_shard,
        "credit_shard": row.credit_shard,
        "amount": row.amount,
        "kind": row.kind,
        "state": row.state,
        "timeout_at": row.timeout_at,
        "now": row.created_at,
        "hash": row.request_hash,
        "held": row.amount if pending else 0,
        "posted": 0 if pending else row.amount,
    }
    with connection.cursor() as cursor:
        cursor.execute(_TRANSFER_SQL, params)
        inserted, changed = cursor.fetchone()
    return bool(inserted), int(changed)


def post_pending(
    transfer_id: str,
    pending_id: str,
    amount: int | None = None,
    *,
    now: datetime,
    savepoint: bool = True,
) -> Transfer:
    """Post a pending transfer: `amount` (default: all of it, at most the pending amount) moves
    for good and the rest of the hold is released. PendingNotOpen (409) when it was finished
    already or its timeout has passed."""
    if amount is not None:
        amount = clean_amount(amount)
    return _finish(transfer_id, pending_id, TransferState.POSTING, amount, now=now, savepoint=savepoint)


def void_pending(transfer_id: str, pending_id: str, *, now: datetime, savepoint: bool = True) -> Transfer:
    """Release a pending transfer in full. PendingNotOpen (409) when it was finished already
    (a void after the timeout is allowed: the hold is released either way)."""
    return _finish(transfer_id, pending_id, TransferState.VOIDED, None, now=now, savepoint=savepoint)


def _finish(
    transfer_id: str, pending_id: str, state: str, amount: int | None, *, now: datetime, savepoint: bool
) -> Transfer:
    transfer_id = clean_id(transfer_id)
    pending_id = clean_id(pending_id, field="pending_id")
    clean_now(now)
    if transfer_id == pending_id:
        raise InvalidInput("the post or void needs an id of its own", field="id", code="same_id")
    hash_ = request_hash({"op": state, "pending_id": pending_id, "amount": amount})
    if _one_statement():
        with transaction.atomic(savepoint=savepoint):
            done = _finish_in_one_statement(transfer_id, pending_id, state, amount, hash_, now)
        if done is not None:
            return done
        # Nothing was written: the statement by statement path finds the repeat or the error.
    return _finish_step_by_step(transfer_id, pending_id, state, amount, hash_, now, savepoint=savepoint)


def _finish_in_one_statement(
    transfer_id: str, pending_id: str, state: str, amount: int | None, hash_: str, now: datetime
) -> Transfer | None:
    """The finishing row when _FINISH_SQL wrote it, None when it wrote nothing; raises (the
    caller's atomic block undoes the row) when a shard refused its change."""
    params: dict[str, str | int | bool | datetime | None] = {
        "id": transfer_id,
        "pending_id": pending_id,
        "state": state,
        "amount": amount,
        "at_least": amount or 1,
        "check_timeout": state == TransferState.POSTING,
        "posts": state == TransferState.POSTING,
        "now": now,
        "hash": hash_,
    }
    with connection.cursor() as cursor:
        cursor.execute(_FINISH_SQL, params)
        inserted, changed, *pending_values = cursor.fetchone()
    if not inserted:
        return None
    pending = Transfer.from_db(connection.alias, list(_COLUMNS), pending_values)
    row = _finishing_row(pending, transfer_id, state, amount, hash_, now)
    if changed != 2:
        raise refused(_release_deltas(pending, row), int(changed))
    return row


def _finish_step_by_step(
    transfer_id: str,
    pending_id: str,
    state: str,
    amount: int | None,
    hash_: str,
    now: datetime,
    *,
    savepoint: bool,
) -> Transfer:
    found = {t.pk: t for t in Transfer.objects.filter(pk__in=[transfer_id, pending_id])}
    if transfer_id in found:
        return _repeat(found[transfer_id], hash_)
    pending = found.get(pending_id)
    if pending is None:
        raise NotFound(f"no transfer {pending_id!r}", field="pending_id", code="transfer_not_found")
    if pending.state != TransferState.PENDING:
        raise InvalidInput(
            f"transfer {pending_id!r} is {pending.state}, not pending", field="pending_id", code="not_pending"
        )
    if amount is not None and amount > pending.amount:
        raise InvalidInput(
            f"cannot post {amount} won of a pending transfer of {pending.amount} won",
            field="amount",
            code="post_exceeds_pending",
        )
    if state == TransferState.POSTING and pending.timeout_at is not None and pending.timeout_at <= now:
        raise PendingNotOpen(f"pending transfer {pending_id!r} timed out at {pending.timeout_at.isoformat()}")
    row = _finishing_row(pending, transfer_id, state, amount, hash_, now)
    with transaction.atomic(savepoint=savepoint):
        inserted = _insert(row)
        if inserted:
            apply(_release_deltas(pending, row))
    if not inserted:
        existing = Transfer.objects.filter(pk=transfer_id).first()
        if existing is not None:  # a concurrent repeat committed first
            return _repeat(existing, hash_)
        raise _already_finished(pending_id)
    return row


def _finishing_row(
    pending: Transfer, transfer_id: str, state: str, amount: int | None, hash_: str, now: datetime
) -> Transfer:
    return Transfer(
        id=transfer_id,
        debit_account_id=pending.debit_account_id,
        credit_account_id=pending.credit_account_id,
        debit_shard=pending.debit_shard,
        credit_shard=pending.credit_shard,
        amount=pending.amount if amount is None else amount,
        kind=pending.kind,
        state=state,
        pending=pending,
        created_at=now,
        request_hash=hash_,
    )


def _release_deltas(pending: Transfer, row: Transfer) -> list[ShardDelta]:
    posted = row.amount if row.state == TransferState.POSTING else 0
    # Codes only appear in messages; finishing rows never break a limit.
    return [
        ShardDelta(
            pending.debit_account_id,
            pending.debit_shard,
            str(pending.debit_account_id),
            debits_pending=-pending.amount,
            debits_posted=posted,
        ),
        ShardDelta(
            pending.credit_account_id,
            pending.credit_shard,
            str(pending.credit_account_id),
            credits_pending=-pending.amount,
            credits_posted=posted,
        ),
    ]


def _already_finished(pending_id: str) -> PendingNotOpen:
    done = Transfer.objects.filter(pending_id=pending_id).values_list("state", flat=True).first()
    return PendingNotOpen(f"pending transfer {pending_id!r} was already {done or 'finished'}")


def expire_pending(now: datetime, *, limit: int = 1000) -> int:
    """Release every pending transfer whose timeout is at or before `now` and that is not
    finished yet, each by an `expired` transfer (id "expired/<pending id>") in its own
    savepoint. Returns how many this call expired (0 on a repeat: idempotent; one that a
    concurrent post or void finished first is skipped). At most `limit` per call."""
    clean_now(now)
    due = list(
        Transfer.objects.filter(
            state=TransferState.PENDING, timeout_at__lte=now, finished_by__isnull=True
        ).order_by("timeout_at", "id")[:limit]
    )
    expired = 0
    for pending in due:
        hash_ = request_hash({"op": TransferState.EXPIRED, "pending_id": pending.pk, "amount": None})
        row = _finishing_row(pending, EXPIRY_PREFIX + pending.pk, TransferState.EXPIRED, None, hash_, now)
        with transaction.atomic():
            if _one_statement():
                done = _finish_in_one_statement(row.pk, pending.pk, TransferState.EXPIRED, None, hash_, now)
                expired += done is not None
            elif _insert(row):
                apply(_release_deltas(pending, row))
                expired += 1
    return expired
