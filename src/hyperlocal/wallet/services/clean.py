"""Input checks shared by the ledger services, and the request hash of idempotency."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hyperlocal.errors import InvalidInput

ID_MAX_LENGTH = 100
# A client's request id for a purchase or a refund: the ledger ids made from it add at most
# 30 characters ("refund/<wallet>/<id>/clawback").
REQUEST_ID_MAX_LENGTH = 60
# The most one transfer may move: far above any voucher, far below int64 (sums stay exact).
MAX_AMOUNT = 10**12
# Ids the ledger writes itself (expiries); clients may not use them.
EXPIRY_PREFIX = "expired/"


def clean_id(value: object, *, field: str = "id") -> str:
    """A client-chosen id: 1-100 printable characters, not only spaces, not the ledger's own."""
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= ID_MAX_LENGTH
        or not value.isprintable()
        or not value.strip()
        or value.startswith(EXPIRY_PREFIX)
    ):
        raise InvalidInput(
            f"{field} must be 1 to {ID_MAX_LENGTH} printable characters "
            f"(not starting with {EXPIRY_PREFIX!r}), got {value!r}",
            field=field,
            code="invalid_id",
        )
    return value


def clean_amount(value: object, *, field: str = "amount") -> int:
    """A whole number of won from 1 to MAX_AMOUNT."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_AMOUNT:
        raise InvalidInput(
            f"{field} must be a whole number of won from 1 to {MAX_AMOUNT}, got {value!r}",
            field=field,
            code="invalid_amount",
        )
    return value


def clean_now(now: object) -> datetime:
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise InvalidInput(f"now must be a timezone-aware datetime, got {now!r}", field="now")
    return now


def request_hash(payload: Mapping[str, Any]) -> str:
    """sha256 of the request as canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
