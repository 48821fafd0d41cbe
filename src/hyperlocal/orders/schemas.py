"""Request and response bodies of the orders API: cart, checkout, orders, hub operations.

Money is an integer number of won; datetimes are ISO 8601 with their offset. Inputs are
bounded here (quantities 1..99, ids within a bigint, texts without control characters), so
that absurd input is a 422 before any service runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self, cast

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Prefetch
from ninja import Schema
from pydantic import AwareDatetime, Field, StrictBool, StrictInt, field_validator, model_validator

from hyperlocal.orders.allocation import Plan
from hyperlocal.orders.models import Order, OrderEvent, OrderLine, Payment, Shipment
from hyperlocal.orders.payments import provider_named
from hyperlocal.orders.services.cart import CartSummary
from hyperlocal.orders.services.checkout import MAX_LINES, MAX_QUANTITY, Quote
from hyperlocal.orders.services.promise import SlotOption
from hyperlocal.orders.services.selectors import HubBoard, PickListEntry

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

Id = Annotated[StrictInt, Field(ge=1, le=BIGINT_MAX)]
Quantity = Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)]
# One line of plain text: PostgreSQL refuses NUL, and a note is shown on one line.
PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"
# What clients send as Idempotency-Key: visible ASCII (a UUID, a ULID, a counter...).
IDEMPOTENCY_KEY = r"^[\x20-\x7e]{1,100}$"
PAYMENT_TOKEN = r"^[\x21-\x7e]{1,200}$"


# --- requests -----------------------------------------------------------------------------


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
    tender: str
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


class QuoteOut(Schema):
    lines: list[PricedLineOut]
    items_won: int
    delivery_fee_won: int
    total_won: int
    currency: Literal["KRW"] = "KRW"
    plan: PlanOut = Field(description="the hubs for instant delivery, with why")
    slot_plan: PlanOut | None = Field(description="the hubs a slot delivery would come from")
    promise: PromiseOptionsOut


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


# --- mapping ------------------------------------------------------------------------------


def _is_test_provider(name: str) -> bool:
    try:
        return provider_named(name).is_test
    except ImproperlyConfigured:  # a provider no longer configured: it is not ours to test
        return False


def order_out(order: Order) -> OrderOut:
    return OrderOut(
        id=order.pk,
        code=order.code,
        status=cast(OrderStatusName, order.status),
        placed_at=order.placed_at,
        items_won=order.items_won,
        delivery_fee_won=order.delivery_fee_won,
        total_won=order.total_won,
        currency=order.currency,
        shipments=len(order.shipments.all()),
    )


def line_out(line: OrderLine) -> OrderLineOut:
    return OrderLineOut(
        id=line.pk,
        product_id=line.product_id,
        product_name=line.product.name_ko,
        quantity=line.quantity,
        unit_price_won=line.unit_price_won,
        substitution=cast(SubstitutionChoice, line.substitution),
        status=cast(LineStatusName, line.status),
        picked_quantity=line.picked_quantity,
        substitute_id=line.substitute_id,
        substitute_name=line.substitute.name_ko if line.substitute is not None else None,
        substitute_quantity=line.substitute_quantity,
        charged_won=line.charged_won,
    )


def shipment_out(shipment: Shipment) -> ShipmentOut:
    slot = shipment.slot
    return ShipmentOut(
        id=shipment.pk,
        hub=HubRef(slug=shipment.hub.slug, name=shipment.hub.name),
        status=cast(OrderStatusName, shipment.status),
        promise_kind=cast(PromiseKindName, shipment.promise_kind),
        slot=SlotRef(starts_at=slot.starts_at, ends_at=slot.ends_at) if slot is not None else None,
        promised_from=shipment.promised_from,
        promised_by=shipment.promised_by,
        estimated_at=shipment.estimated_at,
        travel_minutes=shipment.travel_minutes,
        items_won=shipment.items_won,
        placed_at=shipment.placed_at,
        picking_started_at=shipment.picking_started_at,
        packed_at=shipment.packed_at,
        out_for_delivery_at=shipment.out_for_delivery_at,
        delivered_at=shipment.delivered_at,
        closed_at=shipment.closed_at,
        lines=[line_out(line) for line in shipment.lines.all()],
    )


def payment_out(payment: Payment) -> PaymentOut:
    return PaymentOut(
        id=payment.pk,
        tender=payment.tender,
        provider=payment.provider,
        is_test=_is_test_provider(payment.provider),
        status=cast(PaymentStatusName, payment.status),
        authorised_won=payment.authorised_won,
        captured_won=payment.captured_won,
        refunded_won=payment.refunded_won,
    )


def event_out(event: OrderEvent) -> EventOut:
    return EventOut(
        at=event.at,
        kind=event.kind,
        shipment_id=event.shipment_id,
        from_status=event.from_status,
        to_status=event.to_status,
        actor=event.actor.get_username() if event.actor is not None else None,
        note=event.note,
        data=event.data if isinstance(event.data, dict) else {"value": event.data},
    )


def order_detail_out(order: Order) -> OrderDetailOut:
    """The whole order in five queries (shipments with hubs and slots, lines with products,
    payments, events with actors)."""
    shipments = (
        Shipment.objects.filter(order_id=order.pk)
        .select_related("hub", "slot")
        .prefetch_related(
            Prefetch("lines", OrderLine.objects.select_related("product", "substitute").order_by("pk"))
        )
        .order_by("promised_by", "pk")
    )
    return OrderDetailOut(
        id=order.pk,
        code=order.code,
        status=cast(OrderStatusName, order.status),
        placed_at=order.placed_at,
        delivery_address=order.delivery_address,
        delivery_cell=order.delivery_cell,
        items_won=order.items_won,
        delivery_fee_won=order.delivery_fee_won,
        total_won=order.total_won,
        currency=order.currency,
        payments=[payment_out(p) for p in Payment.objects.filter(order_id=order.pk).order_by("pk")],
        shipments=[shipment_out(s) for s in shipments],
        allocation=order.allocation if isinstance(order.allocation, dict) else {},
        timeline=[
            event_out(e)
            for e in OrderEvent.objects.filter(order_id=order.pk).select_related("actor").order_by("at", "pk")
        ],
    )


def plan_out(plan: Plan) -> PlanOut:
    return PlanOut(
        strategy=plan.strategy,
        can_serve=plan.can_serve,
        is_split=plan.is_split,
        summary=plan.summary,
        shipments=[
            PlannedShipmentOut(
                hub_id=s.hub_id,
                hub_name=s.hub_name,
                lines=[PlanLineOut(product_id=p, quantity=q) for p, q in sorted(s.lines.items())],
                eta_minutes=s.eta_minutes,
                travel_minutes=round(s.travel_minutes, 1),
            )
            for s in plan.shipments
        ],
        verdicts=[
            VerdictOut(
                hub_id=v.hub_id,
                hub_name=v.hub_name,
                outcome=cast(Literal["chosen", "rejected"], v.outcome),
                reason=v.reason,
            )
            for v in plan.verdicts
        ],
        missing=[PlanLineOut(product_id=p, quantity=q) for p, q in sorted(plan.missing.items())],
        earliest_at=plan.earliest_at,
    )


def slot_option_out(option: SlotOption) -> SlotOptionOut:
    return SlotOptionOut(starts_at=option.starts_at, ends_at=option.ends_at, remaining=option.remaining)


def quote_out(quote: Quote) -> QuoteOut:
    return QuoteOut(
        lines=[
            PricedLineOut(
                product_id=ln.product_id,
                name=ln.name,
                unit=ln.unit,
                quantity=ln.quantity,
                unit_price_won=ln.unit_price_won,
                total_won=ln.total_won,
            )
            for ln in quote.lines
        ],
        items_won=quote.items_won,
        delivery_fee_won=quote.delivery_fee_won,
        total_won=quote.total_won,
        plan=plan_out(quote.plan),
        slot_plan=plan_out(quote.slot_plan) if quote.slot_plan is not None else None,
        promise=PromiseOptionsOut(
            instant_eta_minutes=quote.instant_eta_minutes,
            slots=[slot_option_out(o) for o in quote.slot_options],
        ),
    )


def cart_out(cart: CartSummary) -> CartOut:
    return CartOut(
        lines=[
            CartLineOut(
                product_id=ln.product_id,
                name=ln.name,
                unit=ln.unit,
                quantity=ln.quantity,
                unit_price_won=ln.unit_price_won,
                total_won=ln.total_won,
                substitution=cast(SubstitutionChoice, ln.substitution),
                held=ln.held,
                available=ln.available,
            )
            for ln in cart.lines
        ],
        items_won=cart.items_won,
        delivery_fee_won=cart.delivery_fee_won,
        total_won=cart.total_won,
        holds_expire_at=cart.holds_expire_at,
        minutes_left=cart.minutes_left,
        holds_expired=cart.holds_expired,
        plan=plan_out(cart.plan) if cart.plan is not None else None,
        plan_summary=cart.plan_summary,
        promise=PromiseOptionsOut(
            instant_eta_minutes=cart.instant_eta_minutes,
            slots=[slot_option_out(o) for o in cart.slot_options],
        ),
        unavailable=list(cart.unavailable),
        notice=cart.notice,
    )


def board_out(board: HubBoard) -> HubBoardOut:
    return HubBoardOut(
        hub=HubRef(slug=board.hub.slug, name=board.hub.name),
        now=board.now,
        late=board.late_count,
        columns=[
            BoardColumnOut(
                status=cast(OrderStatusName, column.status),
                label=column.label,
                cards=[
                    BoardCardOut(
                        shipment_id=c.shipment_id,
                        order_code=c.order_code,
                        status=cast(OrderStatusName, c.status),
                        items=c.items,
                        promise_kind=cast(PromiseKindName, c.promise_kind),
                        promised_by=c.promised_by,
                        minutes_left=c.minutes_left,
                        late=c.late,
                        awaiting_answer=c.awaiting_answer,
                    )
                    for c in column.cards
                ],
            )
            for column in board.columns
        ],
    )


def pick_entry_out(entry: PickListEntry) -> PickListEntryOut:
    return PickListEntryOut(
        shipment_id=entry.shipment.pk,
        order_code=entry.order_code,
        line_id=entry.line.pk,
        product_id=entry.line.product_id,
        product_name=entry.product_name,
        quantity=entry.quantity,
        zone=entry.zone,
        bin=entry.bin,
        promised_by=entry.promised_by,
        substitution=cast(SubstitutionChoice, entry.substitution),
        status=cast(LineStatusName, entry.status),
    )
