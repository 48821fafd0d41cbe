"""Order and shipment states: which moves are allowed, who may make them, and what each
move does to stock, delivery slots and the payment.

A shipment moves through the states in ALLOWED; the order's own status follows from its
shipments (ORDER_STATUS_RULE below) and is written with one UPDATE after each move.

Locking: every change locks the order row first, then its shipments by id, then lines by
id (select_for_update; a no-op on SQLite, which serialises writers). Two requests on the
two shipments of one order therefore queue on the order row and never deadlock, and the
order's status is always computed from shipment states that nobody else is changing.

Services do not open the request's transaction: the edge wraps each call in
transaction.atomic(). A move that changes several rows runs inside its own savepoint so that
a failing side effect (say, a payment error) leaves nothing half-done.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.errors import InvalidInput, NotAllowed
from hyperlocal.hubs.services import can_operate
from hyperlocal.hubs.services.permissions import AnyUser
from hyperlocal.inventory.services import StockRequest, release_for_order, return_to_stock
from hyperlocal.orders.errors import InvalidTransition
from hyperlocal.orders.models import LineStatus, Order, OrderEvent, OrderLine, OrderStatus, Shipment
from hyperlocal.orders.services import tender
from hyperlocal.orders.services.events import record_event
from hyperlocal.orders.services.promise import release_slot

__all__ = [
    "ALLOWED",
    "CANCELLABLE_BY_OPERATOR",
    "ORDER_STATUS_RULE",
    "cancel_order",
    "lock_orders",
    "order_status_of",
    "set_estimates",
    "transition",
]

S = OrderStatus

ALLOWED: dict[str, frozenset[str]] = {
    S.PLACED: frozenset({S.PICKING, S.CANCELLED}),
    S.PICKING: frozenset({S.PACKED, S.CANCELLED}),
    S.PACKED: frozenset({S.OUT_FOR_DELIVERY, S.CANCELLED}),
    S.OUT_FOR_DELIVERY: frozenset({S.DELIVERED, S.DELIVERY_FAILED}),
    S.DELIVERY_FAILED: frozenset({S.OUT_FOR_DELIVERY, S.RETURNED}),
    S.DELIVERED: frozenset({S.RETURNED}),
    S.RETURNED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}

# Operators may cancel a shipment of their hub until it leaves with a courier.
CANCELLABLE_BY_OPERATOR = frozenset({S.PLACED, S.PICKING, S.PACKED})

# How far along a shipment is, for the order's status. A failed delivery ranks below "out
# for delivery": an order with one shipment failed and the other on its way shows
# "delivery failed", the state that needs someone's attention.
_PROGRESS: dict[str, int] = {
    S.PLACED: 0,
    S.PICKING: 1,
    S.PACKED: 2,
    S.DELIVERY_FAILED: 3,
    S.OUT_FOR_DELIVERY: 4,
    S.DELIVERED: 5,
    S.RETURNED: 6,
    S.REFUNDED: 7,
}

ORDER_STATUS_RULE = (
    "The order's status is the least advanced status among its shipments that are not "
    "cancelled (placed < picking < packed < delivery failed < out for delivery < delivered < "
    "returned < refunded); it is cancelled only when every shipment is cancelled."
)

# The timestamp a move stamps on the shipment (a failed delivery is kept in the event log).
_STAMP: dict[str, str] = {
    S.PICKING: "picking_started_at",
    S.PACKED: "packed_at",
    S.OUT_FOR_DELIVERY: "out_for_delivery_at",
    S.DELIVERED: "delivered_at",
    S.CANCELLED: "closed_at",
    S.RETURNED: "closed_at",
    S.REFUNDED: "closed_at",
}

_UNPICKED = (LineStatus.PENDING, LineStatus.PROPOSED)
_NOTE_MAX = 300


def order_status_of(statuses: Iterable[str]) -> str:
    """The order's status from its shipments' statuses (see ORDER_STATUS_RULE)."""
    live = [s for s in statuses if s != S.CANCELLED]
    if not live:
        return S.CANCELLED
    return min(live, key=lambda s: _PROGRESS[s])


# --- locking and permissions (shared with picking) -------------------------------------


def lock_order(order_id: int) -> tuple[Order, list[Shipment]]:
    """Lock the order row, then all its shipments by id; return them fresh."""
    order = Order.objects.select_for_update().get(pk=order_id)
    shipments = list(
        Shipment.objects.select_for_update(of=("self",))
        .select_related("hub")
        .filter(order_id=order_id)
        .order_by("pk")
    )
    return order, shipments


def lock_orders(order_ids: Iterable[int]) -> tuple[dict[int, Order], list[Shipment]]:
    """Lock several orders by id, then all their shipments by id (the order every change
    takes its locks in, so that two callers never deadlock); return them fresh, the orders
    by id and the shipments (with their order and hub) in id order."""
    ids = sorted(set(order_ids))
    orders = {o.pk: o for o in Order.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    shipments = list(
        Shipment.objects.select_for_update(of=("self",))
        .select_related("order", "hub")
        .filter(order_id__in=ids)
        .order_by("pk")
    )
    return orders, shipments


def lock_shipment(shipment_id: int) -> tuple[Order, Shipment]:
    """Lock the shipment's order, then the shipment; return both fresh."""
    order_id = Shipment.objects.filter(pk=shipment_id).values_list("order_id", flat=True).get()
    order = Order.objects.select_for_update().get(pk=order_id)
    shipment = Shipment.objects.select_for_update(of=("self",)).select_related("hub").get(pk=shipment_id)
    return order, shipment


def require_operator(actor: AnyUser, shipment: Shipment) -> None:
    if not can_operate(actor, shipment.hub):
        raise NotAllowed("only the hub's operators may change this shipment", code="not_hub_operator")


def check_allowed(shipment: Shipment, to_status: str) -> None:
    if to_status not in ALLOWED:
        raise InvalidInput(f"unknown status {to_status!r}", field="status", code="unknown_status")
    if to_status not in ALLOWED[shipment.status]:
        raise InvalidTransition(f"cannot go from {shipment.status} to {to_status}", field="status")


def event(
    order: Order,
    kind: str,
    *,
    actor: AnyUser | None,
    now: datetime,
    shipment: Shipment | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> OrderEvent:
    """Write one event (through the checkout's record_event), stamped with `now`."""
    return record_event(
        order,
        kind,
        shipment=shipment,
        from_status=from_status,
        to_status=to_status,
        actor=user_of(actor),
        note=note[:_NOTE_MAX],
        data=data,
        at=now,
    )


def user_of(actor: AnyUser | None) -> User | None:
    """The signed-in user behind `actor`, or None (anonymous, system)."""
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def refresh_order_status(order: Order) -> str:
    """Recompute the order's status from its shipments; one UPDATE when it changed."""
    statuses = Shipment.objects.filter(order_id=order.pk).values_list("status", flat=True)
    status = order_status_of(statuses)
    if status != order.status:
        Order.objects.filter(pk=order.pk).update(status=status)
        order.status = status
    return status


def set_estimates(estimates: Mapping[int, datetime | None]) -> int:
    """Tell customers a new estimate: each shipment's `estimated_at` (None: no estimate
    yet). The promise (`promised_from`, `promised_by`) never moves: on-time rates are measured
    against it. The caller holds the shipments' locks (lock_order / lock_orders, or its own
    select_for_update by id). One statement; returns the number of shipments updated."""
    if not estimates:
        return 0
    for when in estimates.values():
        if when is not None and timezone.is_naive(when):
            raise InvalidInput("an estimate needs a time zone", field="estimated_at", code="naive_datetime")
    rows = [Shipment(pk=pk, estimated_at=when) for pk, when in sorted(estimates.items())]
    return Shipment.objects.bulk_update(rows, ["estimated_at"])


# --- money ---------------------------------------------------------------------------


def shipment_charge(shipment: Shipment) -> int:
    """What the customer pays for the shipment's goods now (after picking decisions)."""
    total = (
        OrderLine.objects.filter(shipment_id=shipment.pk)
        .exclude(status=LineStatus.CANCELLED)
        .aggregate(total=Sum("charged_won"))["total"]
    )
    return int(total or 0)


def _still_payable(shipment: Shipment) -> bool:
    """True while a shipment will be (or was) paid for: not cancelled, and not returned
    after a failed delivery (nothing was ever delivered)."""
    if shipment.status == S.CANCELLED:
        return False
    return not (shipment.status in (S.RETURNED, S.REFUNDED) and shipment.delivered_at is None)


def _release_payment(
    order: Order,
    shipments: Sequence[Shipment],
    released: Sequence[Shipment],
    amount: int,
    actor: AnyUser | None,
    now: datetime,
) -> dict[str, int]:
    """Give back `amount` of the authorisation (the charge of the `released` shipments), or
    void it when nothing is left to pay for; each tender its own share (tender.py). Returns
    the amounts per tender when the order has a voucher part."""
    return tender.release_shipments(
        order,
        released,
        amount,
        nothing_left=not any(_still_payable(s) for s in shipments),
        actor=user_of(actor),
        now=now,
    )


def _delivered_capture(order: Order, shipment: Shipment, others: Sequence[Shipment]) -> int:
    """At delivery: the shipment's charge, plus the delivery fee with the first delivery."""
    fee_taken = any(s.delivered_at is not None for s in others)
    return shipment_charge(shipment) + (0 if fee_taken else int(order.delivery_fee_won))


def _delivered_data(shipment: Shipment) -> dict[str, Any]:
    """The data of the shipment's delivered event: what was captured, and per tender."""
    ev = (
        OrderEvent.objects.filter(shipment_id=shipment.pk, kind="transition", to_status=S.DELIVERED)
        .order_by("-at", "-pk")
        .first()
    )
    return dict(ev.data) if ev is not None and isinstance(ev.data, dict) else {}


# --- stock -----------------------------------------------------------------------------


def _lines(shipment: Shipment) -> list[OrderLine]:
    return list(OrderLine.objects.select_for_update().filter(shipment_id=shipment.pk).order_by("pk"))


def _on_shelf(shipment: Shipment, lines: Sequence[OrderLine]) -> list[StockRequest]:
    """The units that left the shelf for these lines: picked units and substitutes."""
    taken: list[StockRequest] = []
    for line in lines:
        if line.status in (LineStatus.PICKED, LineStatus.SHORT, LineStatus.SUBSTITUTED):
            if line.picked_quantity > 0:
                taken.append(StockRequest(shipment.hub_id, line.product_id, line.picked_quantity))
            if line.status == LineStatus.SUBSTITUTED and line.substitute_id and line.substitute_quantity > 0:
                taken.append(StockRequest(shipment.hub_id, line.substitute_id, line.substitute_quantity))
    return taken


def _restock(
    order: Order,
    *,
    release: Sequence[StockRequest] = (),
    back: Sequence[StockRequest] = (),
    actor_id: int | None,
    reason: str,
) -> None:
    """Release reservations and put units back, touching stock rows in (hub, product) order,
    the order every stock change takes its row locks in: two cancellations never deadlock."""
    steps = sorted(
        [(r.hub_id, r.product_id, 0, r) for r in release] + [(r.hub_id, r.product_id, 1, r) for r in back],
        key=lambda step: step[:3],
    )
    for _hub, _product, kind, request in steps:
        if kind == 0:
            release_for_order([request], order_id=order.pk, actor_id=actor_id, reason=reason)
        else:
            return_to_stock(request, order_id=order.pk, actor_id=actor_id, reason=reason)


def _goods_back(
    order: Order, shipment: Shipment, lines: Sequence[OrderLine], actor_id: int | None, reason: str
) -> None:
    """Put picked units (and substitutes) back on the shelf."""
    _restock(order, back=_on_shelf(shipment, lines), actor_id=actor_id, reason=reason)


def _cancel_goods(order: Order, shipment: Shipment, actor_id: int | None, reason: str) -> int:
    """Release what is still reserved, put back what was picked, mark the lines cancelled.
    Returns the shipment's charge before cancelling (what the payment no longer covers)."""
    lines = _lines(shipment)
    charge = sum(int(line.charged_won) for line in lines if line.status != LineStatus.CANCELLED)
    reserved = [
        StockRequest(shipment.hub_id, line.product_id, line.quantity)
        for line in lines
        if line.status in _UNPICKED
    ]
    _restock(order, release=reserved, back=_on_shelf(shipment, lines), actor_id=actor_id, reason=reason)
    OrderLine.objects.filter(shipment_id=shipment.pk).update(status=LineStatus.CANCELLED, charged_won=0)
    if shipment.slot_id is not None:
        release_slot(shipment.slot_id)
    return charge


# --- moves -----------------------------------------------------------------------------


def apply_transition(
    actor: AnyUser | None,
    order: Order,
    shipment: Shipment,
    to_status: str,
    *,
    others: Sequence[Shipment],
    note: str = "",
    now: datetime,
    data: dict[str, Any] | None = None,
    settle_payment: bool = True,
) -> dict[str, Any]:
    """Move a locked shipment (allowed move, permission already checked): stamp it, run the
    side effects, write the event. `others` are the order's other shipments (locked).
    Returns the event's data (amounts released, captured, refunded). The caller refreshes
    the order's status."""
    from_status = shipment.status
    user = user_of(actor)
    actor_id = user.pk if user is not None else None
    extra: dict[str, Any] = dict(data or {})
    shipment.status = to_status
    fields = ["status"]
    if to_status in _STAMP:
        setattr(shipment, _STAMP[to_status], now)
        fields.append(_STAMP[to_status])
    shipment.save(update_fields=fields)

    if to_status == S.CANCELLED:
        charge = _cancel_goods(order, shipment, actor_id, note or "order cancelled")
        extra["released_won"] = charge
        if settle_payment:
            extra |= _release_payment(order, [shipment, *others], [shipment], charge, actor, now)
    elif to_status == S.DELIVERED:
        amount = _delivered_capture(order, shipment, others)
        # captured_won, and with vouchers what each tender collected
        extra |= tender.capture_shipment(order, shipment, amount, actor=user_of(actor), now=now)
    elif to_status == S.RETURNED:
        lines = _lines(shipment)
        if from_status == S.DELIVERY_FAILED:
            _goods_back(order, shipment, lines, actor_id, note or "delivery failed, back to stock")
            charge = shipment_charge(shipment)
            extra["released_won"] = charge
            extra |= _release_payment(order, [shipment, *others], [shipment], charge, actor, now)
        else:
            _goods_back(order, shipment, lines, actor_id, note or "returned by the customer")
    elif to_status == S.REFUNDED:
        delivered = _delivered_data(shipment)
        amount = int(delivered.get("captured_won", 0))
        extra |= tender.refund_shipment(order, shipment, amount, delivered, actor=user_of(actor), now=now)
        extra["refunded_won"] = amount

    event(
        order,
        "transition",
        actor=actor,
        now=now,
        shipment=shipment,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=extra,
    )
    return extra


def transition(
    actor: AnyUser, shipment: Shipment, to_status: str, *, note: str = "", now: datetime | None = None
) -> Shipment:
    """Move one shipment to `to_status` as a hub operator (or platform admin).

    Checks, in this order, before anything is written: the actor operates the shipment's hub
    (NotAllowed 403; so that others learn nothing about its state), the status is known
    (InvalidInput), the move is allowed from the current state (InvalidTransition 409,
    e.g. "cannot go from packed to picking"), and a failed delivery says why (`note`).
    Side effects: cancelled releases reserved units, puts picked units back, frees the
    slot and voids the payment (whole order cancelled) or lowers the authorisation by the
    shipment's charge; delivered captures the shipment's charge (and the delivery fee with
    the order's first delivery); returned puts the goods back on the shelf and, after a failed
    delivery, releases the shipment's part of the payment; refunded refunds what was captured
    for the shipment. Moving to packed is `picking.pack` (every line decided first).
    Returns the shipment as it is now."""
    now = now or timezone.now()
    note = note.strip()
    if to_status == S.PACKED:
        # Packing settles the lines first (unanswered substitutes become short): one way in.
        from hyperlocal.orders.services.picking import pack

        return pack(actor, shipment, now=now)
    with transaction.atomic():
        order, locked = lock_order(shipment.order_id)
        current = next((s for s in locked if s.pk == shipment.pk), None)
        if current is None:  # pragma: no cover - the shipment belongs to its order
            raise InvalidInput("no such shipment", field="shipment")
        require_operator(actor, current)
        check_allowed(current, to_status)
        if to_status == S.DELIVERY_FAILED and not note:
            raise InvalidInput("say why the delivery failed", field="note", code="reason_required")
        others = [s for s in locked if s.pk != current.pk]
        apply_transition(actor, order, current, to_status, others=others, note=note, now=now)
        refresh_order_status(order)
    return current


def cancel_order(actor: AnyUser, order: Order, *, reason: str, now: datetime | None = None) -> Order:
    """Cancel an order, or the parts of it that `actor` may cancel.

    The customer may cancel their own order while every shipment is still `placed` (nothing
    picked yet): all shipments are cancelled. A hub operator (or platform admin) cancels the
    shipments of the hubs they run that have not left the hub (placed, picking, packed); the
    others go on. The payment is voided when no shipment is left to pay for, else lowered
    by the cancelled shipments' charges. Locks the order, then its shipments by id."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise InvalidInput("give a reason for cancelling", field="reason", code="reason_required")
    with transaction.atomic():
        locked_order, shipments = lock_order(order.pk)
        live = [s for s in shipments if s.status != S.CANCELLED]
        operated = [s for s in shipments if can_operate(actor, s.hub)]
        if operated:
            targets = [s for s in operated if s.status in CANCELLABLE_BY_OPERATOR]
            if not targets:
                raise InvalidTransition(f"cannot go from {operated[0].status} to cancelled", field="status")
        elif actor.is_authenticated and locked_order.customer_id == actor.pk:
            if not live:
                raise InvalidTransition("cannot go from cancelled to cancelled", field="status")
            started = [s for s in live if s.status != S.PLACED]
            if started:
                raise InvalidTransition(
                    f"the order can no longer be cancelled: it is {started[0].status}",
                    field="status",
                    code="too_late_to_cancel",
                )
            targets = live
        else:
            raise NotAllowed("you may not cancel this order", code="not_allowed")

        released = 0
        for shipment in targets:
            others = [s for s in shipments if s.pk != shipment.pk]
            data = apply_transition(
                actor,
                locked_order,
                shipment,
                S.CANCELLED,
                others=others,
                note=reason,
                now=now,
                settle_payment=False,
            )
            released += int(data.get("released_won", 0))
        _release_payment(locked_order, shipments, targets, released, actor, now)
        refresh_order_status(locked_order)
    return locked_order
