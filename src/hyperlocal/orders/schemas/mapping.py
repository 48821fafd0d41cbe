"""From domain objects (models, service results) to the orders API's response bodies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal, cast

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Prefetch

from hyperlocal.orders.allocation import Plan
from hyperlocal.orders.models import LineStatus, Order, OrderEvent, OrderLine, Payment, Shipment
from hyperlocal.orders.payments import provider_named
from hyperlocal.orders.schemas.fields import (
    LineStatusName,
    OrderStatusName,
    PaymentStatusName,
    PromiseKindName,
    SubstitutionChoice,
    TenderName,
)
from hyperlocal.orders.schemas.outputs import (
    BoardCardOut,
    BoardColumnOut,
    CartLineOut,
    CartOut,
    EventOut,
    HubBoardOut,
    HubRef,
    OrderDetailOut,
    OrderLineOut,
    OrderOut,
    PaymentOut,
    PickListEntryOut,
    PlanLineOut,
    PlannedShipmentOut,
    PlanOut,
    PricedLineOut,
    PromiseOptionsOut,
    QuoteOut,
    ShipmentOut,
    SlotOptionOut,
    SlotRef,
    VerdictOut,
    VoucherOptionsOut,
    VoucherReasonOut,
)
from hyperlocal.orders.services.cart import CartSummary
from hyperlocal.orders.services.checkout import PlacedOrder, Quote, WrittenEvent, WrittenOrder
from hyperlocal.orders.services.promise import SlotOption
from hyperlocal.orders.services.selectors import HubBoard, PickListEntry
from hyperlocal.orders.services.tender import VoucherQuote


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
        tender=cast(TenderName, payment.tender),
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


def _order_fields(order: Order) -> dict[str, Any]:
    """The order's own fields, as both the read-back and the just-written detail show them."""
    return {
        "id": order.pk,
        "code": order.code,
        "status": cast(OrderStatusName, order.status),
        "placed_at": order.placed_at,
        "delivery_address": order.delivery_address,
        "delivery_cell": order.delivery_cell,
        "items_won": order.items_won,
        "delivery_fee_won": order.delivery_fee_won,
        "total_won": order.total_won,
        "currency": order.currency,
        "allocation": order.allocation if isinstance(order.allocation, dict) else {},
    }


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
        **_order_fields(order),
        payments=[payment_out(p) for p in Payment.objects.filter(order_id=order.pk).order_by("pk")],
        shipments=[shipment_out(s) for s in shipments],
        timeline=[
            event_out(e)
            for e in OrderEvent.objects.filter(order_id=order.pk).select_related("actor").order_by("at", "pk")
        ],
    )


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)  # as the database gives datetimes back


def written_order_out(written: WrittenOrder) -> OrderDetailOut:
    """The body order_detail_out gives for an order just placed, from what the placement
    wrote (no query): its payments (the card's, and the vouchers' with a voucher part), the
    shipments with their pending lines, its events ('placed', and 'voucher_held')."""
    order = written.order
    shipments = sorted(written.shipments, key=lambda s: (s.promised_by, s.id))
    return OrderDetailOut(
        **_order_fields(order),
        payments=[
            PaymentOut(
                id=payment.id,
                tender=cast(TenderName, payment.tender),
                provider=payment.provider,
                is_test=_is_test_provider(payment.provider),
                status=cast(PaymentStatusName, payment.status),
                authorised_won=payment.authorised_won,
                captured_won=0,
                refunded_won=0,
            )
            for payment in written.payments
        ],
        shipments=[
            ShipmentOut(
                id=s.id,
                hub=HubRef(slug=s.hub_slug, name=s.hub_name),
                status=cast(OrderStatusName, order.status),
                promise_kind=cast(PromiseKindName, s.promise_kind),
                slot=(
                    SlotRef(starts_at=_utc(s.slot_starts_at), ends_at=_utc(s.slot_ends_at))
                    if s.slot_starts_at is not None and s.slot_ends_at is not None
                    else None
                ),
                promised_from=_utc(s.promised_from),
                promised_by=_utc(s.promised_by),
                estimated_at=None,
                travel_minutes=s.travel_minutes,
                items_won=s.items_won,
                placed_at=_utc(s.placed_at),
                picking_started_at=None,
                packed_at=None,
                out_for_delivery_at=None,
                delivered_at=None,
                closed_at=None,
                lines=[
                    OrderLineOut(
                        id=ln.id,
                        product_id=ln.product_id,
                        product_name=ln.product_name,
                        quantity=ln.quantity,
                        unit_price_won=ln.unit_price_won,
                        substitution=cast(SubstitutionChoice, ln.substitution),
                        status=cast(LineStatusName, LineStatus.PENDING.value),
                        picked_quantity=0,
                        substitute_id=None,
                        substitute_name=None,
                        substitute_quantity=0,
                        charged_won=ln.charged_won,
                    )
                    for ln in sorted(s.lines, key=lambda ln: ln.id)
                ],
            )
            for s in shipments
        ],
        timeline=[_written_event_out(event) for event in written.events],
    )


def _written_event_out(event: WrittenEvent) -> EventOut:
    return EventOut(
        at=_utc(event.at),
        kind=event.kind,
        shipment_id=None,
        from_status="",
        to_status=event.to_status,
        actor=event.actor.get_username() if event.actor is not None else None,
        note="",
        data=event.data,
    )


def placed_order_out(placed: PlacedOrder) -> OrderDetailOut:
    """A new order from what was written; a repeat (or one written elsewhere) read back."""
    if placed.written is not None:
        return written_order_out(placed.written)
    return order_detail_out(placed.order)


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


def vouchers_out(vouchers: VoucherQuote | None) -> VoucherOptionsOut:
    if vouchers is None:
        return VoucherOptionsOut(max_won=0, eligible_won=0, balance_won=0, reasons=[])
    return VoucherOptionsOut(
        max_won=vouchers.max_won,
        eligible_won=vouchers.eligible_won,
        balance_won=vouchers.balance_won,
        reasons=[
            VoucherReasonOut(merchant_id=r.merchant_id, reason=r.reason, product_ids=list(r.product_ids))
            for r in vouchers.reasons
        ],
    )


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
        vouchers=vouchers_out(quote.vouchers),
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
