"""Errors particular to carts, checkout, allocation and orders.

Each carries its own stable `code` (what API clients match on) unless the raiser gives one.
"""

from __future__ import annotations

from hyperlocal.errors import Conflict, DomainError, InvalidInput


class _Coded(DomainError):
    """Base mixin: a default `code` for the error class."""

    default_code = ""

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message, field=field, code=code or self.default_code)


class OutsideServiceArea(_Coded, InvalidInput):
    """No open hub delivers to the address."""

    default_code = "outside_service_area"


class OutOfStock(_Coded, Conflict):
    """Not enough units of one or more products (the message names them)."""

    default_code = "out_of_stock"


class SlotFull(_Coded, Conflict):
    """The delivery slot filled up meanwhile."""

    default_code = "slot_full"


class IdempotencyConflict(_Coded, Conflict):
    """The Idempotency-Key was used before with a different request."""

    default_code = "idempotency_key_reused"


class PaymentDeclined(_Coded, DomainError):
    """The payment provider declined the authorisation."""

    status_code = 402
    default_code = "payment_declined"


class InvalidTransition(_Coded, Conflict):
    """The order or shipment cannot move to that state from its current one."""

    default_code = "invalid_transition"
