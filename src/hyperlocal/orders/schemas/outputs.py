"""Response bodies of the orders API: integer won, ISO 8601 datetimes with their offset."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from hyperlocal.orders.schemas.fields import (
    LineStatusName,
    OrderStatusName,
    PaymentStatusName,
    PromiseKindName,
    SubstitutionChoice,
    TenderName,
)

# --- orders -------------------------------------------------------------------------------


class HubRef(Schema):
    slug: str
    name: str


class OrderLineOut(Schema):
    id: int
    product_id: int
    product_name: str
    quantity: int
    unit_price_won: int
    substitution: SubstitutionChoice
    status: LineStatusName
    picked_quantity: int
    substitute_id: int | None
    substitute_name: str | None
    substitute_quantity: int
    charged_won: int = Field(description="what the customer pays for this line after picking")


class SlotRef(Schema):
    starts_at: datetime
    ends_at: datetime


class ShipmentOut(Schema):
    id: int
    hub: HubRef
    status: OrderStatusName
    promise_kind: PromiseKindName
    slot: SlotRef | None
    promised_from: datetime
    promised_by: datetime = Field(description="the promise given at checkout; it never changes")
    estimated_at: datetime | None = Field(description="a later estimate, when there is one")
    travel_minutes: float
    items_won: int
    placed_at: datetime
    picking_started_at: datetime | None
    packed_at: datetime | None
    out_for_delivery_at: datetime | None
    delivered_at: datetime | None
    closed_at: datetime | None
    lines: list[OrderLineOut]


class PaymentOut(Schema):
    id: int
    tender: TenderName = Field(description="card, or local-currency vouchers (provider 'wallet')")
    provider: str
    is_test: bool = Field(description="a test provider: no money moves")
    status: PaymentStatusName
    authorised_won: int
    captured_won: int
    refunded_won: int


class EventOut(Schema):
    at: datetime
    kind: str
    shipment_id: int | None
    from_status: str
    to_status: str
    actor: str | None = Field(description="username of who did it; null for the platform")
    note: str
    data: dict[str, Any]


class OrderOut(Schema):
    id: int
    code: str
    status: OrderStatusName
    placed_at: datetime
    items_won: int
    delivery_fee_won: int
    total_won: int
    currency: str
    shipments: int


class OrderDetailOut(Schema):
    id: int
    code: str
    status: OrderStatusName
    placed_at: datetime
    delivery_address: str
    delivery_cell: str
    items_won: int
    delivery_fee_won: int
    total_won: int
    currency: str
    payments: list[PaymentOut]
    shipments: list[ShipmentOut]
    allocation: dict[str, Any] = Field(description="which hubs were considered and why these won")
    timeline: list[EventOut]


# --- checkout -----------------------------------------------------------------------------


class PlanLineOut(Schema):
    product_id: int
    quantity: int


class PlannedShipmentOut(Schema):
    hub_id: int
    hub_name: str
    lines: list[PlanLineOut]
    eta_minutes: int | None = Field(description="instant ETA from this hub now; null: no instant now")
    travel_minutes: float


class VerdictOut(Schema):
    hub_id: int
    hub_name: str
    outcome: Literal["chosen", "rejected"]
    reason: str


class PlanOut(Schema):
    strategy: str
    can_serve: bool
    is_split: bool
    summary: str = Field(description="one sentence: why this plan")
    shipments: list[PlannedShipmentOut]
    verdicts: list[VerdictOut] = Field(description="every hub considered, and why it won or lost")
    missing: list[PlanLineOut] = Field(description="units no hub can serve now")
    earliest_at: datetime | None = Field(description="when the basket can be served, if not now")


class SlotOptionOut(Schema):
    starts_at: datetime
    ends_at: datetime
    remaining: int = Field(description="orders the slot still takes (the least over the hubs)")


class PricedLineOut(Schema):
    product_id: int
    name: str
    unit: str
    quantity: int
    unit_price_won: int
    total_won: int


class PromiseOptionsOut(Schema):
    instant_eta_minutes: int | None = Field(description="null: instant delivery is not possible now")
    slots: list[SlotOptionOut]


class VoucherReasonOut(Schema):
    merchant_id: int
    reason: str = Field(description="why this merchant's lines cannot be paid with my vouchers")
    product_ids: list[int] = Field(description="the basket's products of this merchant")


class VoucherOptionsOut(Schema):
    max_won: int = Field(description="the most my local-currency vouchers can pay of this basket now")
    eligible_won: int = Field(description="the basket's goods at merchants that take my vouchers")
    balance_won: int = Field(description="all my vouchers that can be spent now")
    reasons: list[VoucherReasonOut] = Field(description="lines the vouchers cannot pay, by merchant")


class QuoteOut(Schema):
    lines: list[PricedLineOut]
    items_won: int
    delivery_fee_won: int
    total_won: int
    currency: Literal["KRW"] = "KRW"
    plan: PlanOut = Field(description="the hubs for instant delivery, with why")
    slot_plan: PlanOut | None = Field(description="the hubs a slot delivery would come from")
    promise: PromiseOptionsOut
    vouchers: VoucherOptionsOut = Field(
        description="what my vouchers can pay (place the order with voucher_won up to max_won)"
    )


# --- cart ---------------------------------------------------------------------------------


class CartLineOut(Schema):
    product_id: int
    name: str
    unit: str
    quantity: int
    unit_price_won: int
    total_won: int = Field(description="line total")
    substitution: SubstitutionChoice
    held: int = Field(description="units held for this line now")
    available: bool = Field(description="false: no hub can serve this line now (it stays in the cart)")


class CartOut(Schema):
    lines: list[CartLineOut]
    items_won: int
    delivery_fee_won: int
    total_won: int
    currency: Literal["KRW"] = "KRW"
    holds_expire_at: datetime | None = Field(description="held stock counts until then")
    minutes_left: int = Field(description="whole minutes until the holds expire (0: nothing held)")
    holds_expired: bool = Field(description="the cart held stock and the hold ran out")
    plan: PlanOut | None = Field(description="the hubs for instant delivery, with why")
    plan_summary: str
    promise: PromiseOptionsOut = Field(description="delivery options for the cart as it is")
    unavailable: list[int] = Field(description="product ids that cannot be served now")
    notice: str = Field(description="why nothing can be planned (no home, outside every service area)")


# --- hub operations -----------------------------------------------------------------------


class BoardCardOut(Schema):
    shipment_id: int
    order_code: str
    status: OrderStatusName
    items: int = Field(description="units ordered")
    promise_kind: PromiseKindName
    promised_by: datetime
    minutes_left: int = Field(description="until the promise; negative: late by that many minutes")
    late: bool
    awaiting_answer: bool = Field(description="a proposed substitute waits for the customer")


class BoardColumnOut(Schema):
    status: OrderStatusName
    label: str
    cards: list[BoardCardOut]


class HubBoardOut(Schema):
    hub: HubRef
    now: datetime
    late: int
    columns: list[BoardColumnOut]


class PickListEntryOut(Schema):
    shipment_id: int
    order_code: str
    line_id: int
    product_id: int
    product_name: str
    quantity: int
    zone: str = Field(description="empty when the hub has no place recorded for the product")
    bin: str
    promised_by: datetime
    substitution: SubstitutionChoice
    status: LineStatusName
