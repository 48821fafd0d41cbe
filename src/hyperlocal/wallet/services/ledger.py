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
CONFLICT DO NOTHING, then the two conditional shard UPDATEs only when the INSERT happened,
in lock order (shards.APPLY_TO_BOTH_SIDES); a post or void also reads and checks the pending
transfer in it. Its answer tells apart: written; the id (or the pending transfer's finish)
existed, nothing written (then the repeat is read and compared, or the slow path finds the
exact error); a limit refused after the INSERT (then the error is raised inside the savepoint,
which undoes the INSERT). SQLite takes the statement by statement path.

`savepoint=False` leaves out SAVEPOINT and RELEASE (one round trip instead of three). A
refusal that wrote nothing (a bad input, a repeat, a post that is not open, a refused
transfer on PostgreSQL is not one of these) leaves the caller's transaction usable; an error
after something was written marks the caller's transaction for rollback (Django's
atomic(savepoint=False)), which suits a checkout that gives up on any error.
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
from hyperlocal.wallet.services.shards import ShardDelta, apply, shard_for

MAX_TIMEOUT = timedelta(days=366)
KIND_MAX_LENGTH = 40
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


def _insert(row: Transfer) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING: True when the row is ours, False when its id (or,
    for a finishing row, its pending transfer) is taken already."""
    qn = connection.ops.quote_name
    table = qn(Transfer._meta.db_table)
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
) -> Transfer:
    """Move `amount` won from `debit` to `credit`: posted at once, or held pending (until
    post_pending / void_pending, or until `timeout` after `now` when expire_pending releases
    it; no timeout means it waits for a post or a void). Returns the transfer (the original
    one on an idempotent repeat). InsufficientFunds / CreditLimitExceeded (409) when a limit
    would break; nothing is written then."""
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
    with transaction.atomic():
        if not _insert(row):
            return _repeat(Transfer.objects.get(pk=transfer_id), hash_)
        apply(
            [
                ShardDelta(d.pk, row.debit_shard, d.code, **{f"debits_{column}": amount}),
                ShardDelta(c.pk, row.credit_shard, c.code, **{f"credits_{column}": amount}),
            ]
        )
    return row


def post_pending(transfer_id: str, pending_id: str, amount: int | None = None, *, now: datetime) -> Transfer:
    """Post a pending transfer: `amount` (default: all of it, at most the pending amount) moves
    for good and the rest of the hold is released. PendingNotOpen (409) when it was finished
    already or its timeout has passed."""
    if amount is not None:
        amount = clean_amount(amount)
    return _finish(transfer_id, pending_id, TransferState.POSTING, amount, now=now)


def void_pending(transfer_id: str, pending_id: str, *, now: datetime) -> Transfer:
    """Release a pending transfer in full. PendingNotOpen (409) when it was finished already
    (a void after the timeout is allowed: the hold is released either way)."""
    return _finish(transfer_id, pending_id, TransferState.VOIDED, None, now=now)


def _finish(transfer_id: str, pending_id: str, state: str, amount: int | None, *, now: datetime) -> Transfer:
    transfer_id = clean_id(transfer_id)
    pending_id = clean_id(pending_id, field="pending_id")
    clean_now(now)
    if transfer_id == pending_id:
        raise InvalidInput("the post or void needs an id of its own", field="id", code="same_id")
    hash_ = request_hash({"op": state, "pending_id": pending_id, "amount": amount})
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
    with transaction.atomic():
        if not _insert(row):
            existing = Transfer.objects.filter(pk=transfer_id).first()
            if existing is not None:  # a concurrent repeat committed first
                return _repeat(existing, hash_)
            raise _already_finished(pending_id)
        _release(pending, row)
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


def _release(pending: Transfer, row: Transfer) -> None:
    posted = row.amount if row.state == TransferState.POSTING else 0
    # Codes only appear in messages; finishing rows never break a limit.
    apply(
        [
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
    )


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
            if _insert(row):
                _release(pending, row)
                expired += 1
    return expired
