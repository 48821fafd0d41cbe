"""Names and bounds shared by the orders API's request and response bodies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt

from hyperlocal.orders.services.checkout import MAX_LINES, MAX_QUANTITY
from hyperlocal.wallet.services.clean import MAX_AMOUNT

BIGINT_MAX = 2**63 - 1

# Spelled out (and checked against the models in the tests): enums named "Status" in several
# apps would share one OpenAPI component and contradict each other.
SubstitutionChoice = Literal["allow", "ask", "never"]
OrderStatusName = Literal[
    "placed",
    "picking",
    "packed",
    "out_for_delivery",
    "delivered",
    "cancelled",
    "delivery_failed",
    "returned",
    "refunded",
]
LineStatusName = Literal["pending", "picked", "short", "proposed", "substituted", "cancelled"]
PromiseKindName = Literal["instant", "slot"]
PaymentStatusName = Literal["authorised", "captured", "voided", "refunded", "failed"]
TenderName = Literal["card", "voucher"]  # orders.services.payment.CARD, VOUCHER

Id = Annotated[StrictInt, Field(ge=1, le=BIGINT_MAX)]
Quantity = Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)]
# One line of plain text: PostgreSQL refuses NUL, and a note is shown on one line.
PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"
# What clients send as Idempotency-Key: visible ASCII (a UUID, a ULID, a counter...).
IDEMPOTENCY_KEY = r"^[\x20-\x7e]{1,100}$"
PAYMENT_TOKEN = r"^[\x21-\x7e]{1,200}$"
# The most won a voucher part may name (the ledger's largest transfer).
MAX_VOUCHER_WON = MAX_AMOUNT

__all__ = [
    "BIGINT_MAX",
    "IDEMPOTENCY_KEY",
    "MAX_LINES",
    "MAX_QUANTITY",
    "MAX_VOUCHER_WON",
    "PAYMENT_TOKEN",
    "PLAIN_TEXT",
    "Id",
    "LineStatusName",
    "OrderStatusName",
    "PaymentStatusName",
    "PromiseKindName",
    "Quantity",
    "SubstitutionChoice",
    "TenderName",
]
