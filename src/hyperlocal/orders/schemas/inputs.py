"""Request bodies of the orders API, bounded so that absurd input is a 422 before any
service runs."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from ninja import Schema
from pydantic import AwareDatetime, Field, StrictBool, StrictInt, field_validator, model_validator

from hyperlocal.orders.schemas.fields import (
    MAX_LINES,
    MAX_QUANTITY,
    MAX_VOUCHER_WON,
    PAYMENT_TOKEN,
    PLAIN_TEXT,
    Id,
    OrderStatusName,
    PromiseKindName,
    Quantity,
    SubstitutionChoice,
)


class CartLineIn(Schema):
    quantity: Quantity = Field(description=f"units wanted, 1..{MAX_QUANTITY} (replaces the line)")
    substitution: SubstitutionChoice = Field(
        "allow", description="when short: the picker may substitute, must ask, or must not"
    )


class LineIn(Schema):
    product_id: Id
    quantity: Quantity
    substitution: SubstitutionChoice = "allow"


class QuoteIn(Schema):
    lines: list[LineIn] = Field(
        min_length=1,
        max_length=MAX_LINES,
        description="a product twice is merged when both lines give the same substitution choice",
    )


class DeliveryIn(Schema):
    kind: PromiseKindName
    slot_starts_at: AwareDatetime | None = Field(
        None, description="for kind 'slot': a start time from the quote's slot options"
    )

    @field_validator("slot_starts_at")
    @classmethod
    def plausible(cls, value: datetime | None) -> datetime | None:
        if value is not None and not 2000 <= value.year <= 2200:
            raise ValueError("not a plausible delivery time")
        return value

    @model_validator(mode="after")
    def slot_given_for_slots_only(self) -> Self:
        if self.kind == "slot" and self.slot_starts_at is None:
            raise ValueError("a slot delivery needs slot_starts_at")
        if self.kind == "instant" and self.slot_starts_at is not None:
            raise ValueError("an instant delivery takes no slot_starts_at")
        return self


class PlaceOrderIn(Schema):
    lines: list[LineIn] | None = Field(
        None, min_length=1, max_length=MAX_LINES, description="absent: check out the cart"
    )
    delivery: DeliveryIn
    payment_token: str = Field(
        "tok_test_ok",
        pattern=PAYMENT_TOKEN,
        description="from the payment provider; the test provider declines 'tok_test_decline'",
    )
    voucher_won: StrictInt = Field(
        0,
        ge=0,
        le=MAX_VOUCHER_WON,
        description="the part paid with my local-currency vouchers (0: card only). Vouchers pay "
        "only for goods of merchants that take them, never the delivery fee; the card pays the "
        "rest. The quote's `vouchers.max_won` says how much they can pay. 422 "
        "(voucher_not_eligible) when the lines they may pay are fewer; 409 (insufficient_funds) "
        "when the vouchers do not cover it",
    )


class CancelIn(Schema):
    reason: str = Field(min_length=1, max_length=300, pattern=PLAIN_TEXT)


class SubstitutionAnswerIn(Schema):
    accept: StrictBool


class PickIn(Schema):
    picked: StrictInt = Field(ge=0, le=MAX_QUANTITY, description="units of the ordered product found")
    substitute_id: Id | None = Field(None, description="a product given instead of the missing units")
    substitute_quantity: StrictInt = Field(0, ge=0, le=MAX_QUANTITY)

    @model_validator(mode="after")
    def substitute_with_quantity(self) -> Self:
        if self.substitute_id is None and self.substitute_quantity:
            raise ValueError("substitute_quantity needs a substitute_id")
        if self.substitute_id is not None and not self.substitute_quantity:
            raise ValueError("a substitute needs a substitute_quantity of at least 1")
        return self


class TransitionIn(Schema):
    to_status: OrderStatusName
    note: str = Field("", max_length=300, pattern=PLAIN_TEXT)
