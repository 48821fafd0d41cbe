"""Idempotency keys for placing orders.

The claim is the first write of a placement: INSERT ... ON CONFLICT DO NOTHING of
(user, key, request hash, order code). It is written in the same transaction as the order,
so a placement that fails leaves no record and the key can be used again. A concurrent
repeat waits on the first one's uncommitted row (PostgreSQL) or on the write lock (SQLite)
and then finds the committed record: the same request gets the same order back, a
different request with the same key gets IdempotencyConflict (409).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import connection

from hyperlocal.accounts.models import User
from hyperlocal.errors import Conflict, InvalidInput
from hyperlocal.orders.errors import IdempotencyConflict
from hyperlocal.orders.models import IdempotencyRecord, Order

KEY_MAX_LENGTH = 100


def clean_key(key: object) -> str:
    """The Idempotency-Key as given: 1-100 printable characters, not only spaces."""
    if (
        not isinstance(key, str)
        or not 1 <= len(key) <= KEY_MAX_LENGTH
        or not key.isprintable()
        or not key.strip()
    ):
        raise InvalidInput(
            f"The Idempotency-Key must be 1 to {KEY_MAX_LENGTH} printable characters.",
            field="idempotency_key",
            code="invalid_idempotency_key",
        )
    return key


def request_hash(payload: Mapping[str, Any]) -> str:
    """sha256 of the request as canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _claim_sql() -> str:
    qn = connection.ops.quote_name
    table = qn(IdempotencyRecord._meta.db_table)
    cols = ", ".join(qn(c) for c in ("user_id", "key", "request_hash", "order_code", "created_at"))
    return (
        f"INSERT INTO {table} ({cols}) VALUES (%s, %s, %s, %s, %s) "
        f"ON CONFLICT ({qn('user_id')}, {qn('key')}) DO NOTHING RETURNING {qn('id')}"
    )


def claim(user: User, key: str, hash_: str, *, order_code: str, now: datetime) -> Order | None:
    """Claim `key` for the order that is about to be written under `order_code`.

    None: the claim is ours, go on and write the order in this transaction. An Order: the
    same request was placed before, return that order and write nothing.
    """
    created_at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(), [user.pk, key, hash_, order_code, created_at])
        if cursor.fetchone() is not None:
            return None
    record = IdempotencyRecord.objects.select_related("order").filter(user=user, key=key).first()
    if record is None or record.order is None:  # pragma: no cover - only between two statements
        raise Conflict(
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            code="idempotency_key_in_use",
        )
    if record.request_hash != hash_:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used for a different request; use a new key.",
            field="idempotency_key",
        )
    return record.order
