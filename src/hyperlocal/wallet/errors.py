"""Errors particular to the ledger. Each carries a stable `code` that API clients match on.

A refused transfer is a 409 (Conflict) when the request is well-formed but clashes with the
ledger's state (not enough funds, an id reused with another body, a pending transfer already
finished or timed out), and a 422 (InvalidInput) when it could never succeed (amount <= 0,
the same account on both sides, posting more than was held, posting a transfer that is not
pending). Unknown accounts and transfers are 404 (NotFound).
"""

from __future__ import annotations

from hyperlocal.errors import Conflict, DomainError


class _Coded(DomainError):
    default_code = ""

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message, field=field, code=code or self.default_code)


class InsufficientFunds(_Coded, Conflict):
    """The debit would take an account with debits_must_not_exceed_credits below zero."""

    default_code = "insufficient_funds"


class CreditLimitExceeded(_Coded, Conflict):
    """The credit would break an account's credits_must_not_exceed_debits limit."""

    default_code = "credit_limit_exceeded"


class TransferIdReused(_Coded, Conflict):
    """The transfer id (or account code) was used before for a different request."""

    default_code = "transfer_id_reused"


class PendingNotOpen(_Coded, Conflict):
    """The pending transfer was already posted, voided or expired, or its timeout passed."""

    default_code = "pending_not_open"
