"""Picking a shipment: the picker records each line as picked, short or substituted, the
customer answers substitution questions, and the shipment is packed.

Stock: an order line holds `quantity` reserved units from checkout. Picking takes the found
units out of on hand and reserved together (pick_for_order) and releases the rest
(release_for_order); a substitute was never reserved, so it is taken from what is available
(take_for_substitute, a conditional update: never below the units others hold).

Money: a line's charge is what the customer pays for it after picking. A short line costs
the units found. A substituted line costs the units found plus the substitute, but never
more than what was ordered (min of the two): the customer never pays more than they agreed
to at checkout. Whenever a charge drops, the payment's authorisation is lowered by the
difference at once: with a voucher part, the vouchers of the line's merchant in its shipment
first, then the card (tender.lower_for_line).

Vouchers: a voucher hold pays part of one merchant's goods in the shipment and credits that
merchant's receivable at delivery. While the line's merchant has such a hold, a substitute
must be that merchant's own product (Conflict "substitute_other_merchant" otherwise): another
merchant's goods would be paid to the wrong merchant, who may not take the vouchers at all.
The picker picks a same-merchant substitute or records the line short (which lowers the
merchant's voucher part); `substitute_choices` offers only what would be accepted.

A line can be picked only while its shipment is `picking`; the first pick on a `placed`
shipment starts picking (an event of its own, by the picker).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from hyperlocal.catalog.models import Product
from hyperlocal.errors import Conflict, InvalidInput, NotFound
from hyperlocal.hubs.services.permissions import AnyUser
from hyperlocal.inventory.services import (
    StockRequest,
    available_at,
    hub_stock,
    pick_for_order,
    release_for_order,
    take_for_substitute,
)
from hyperlocal.orders.errors import InvalidTransition
from hyperlocal.orders.models import LineStatus, Order, OrderLine, OrderStatus, Shipment, Substitution
from hyperlocal.orders.services.lifecycle import (
    apply_transition,
    check_allowed,
    event,
    lock_order,
    lock_shipment,
    refresh_order_status,
    require_operator,
    transition,
    user_of,
)
from hyperlocal.orders.services.tender import lower_for_line, voucher_merchants

__all__ = [
    "SubstituteChoices",
    "answer_substitution",
    "line_charge",
    "pack",
    "record_pick",
    "start_picking",
    "substitute_choices",
]

# More units than any shelf holds: refused as input before the database is asked.
MAX_UNITS = 10_000


def line_charge(
    line: OrderLine, *, picked: int, substitute_price_won: int = 0, substitute_quantity: int = 0
) -> int:
    """What the customer pays for a picked line: the units found plus any substitute, capped
    at the price of what was ordered."""
    ordered = line.quantity * int(line.unit_price_won)
    found = picked * int(line.unit_price_won) + substitute_price_won * substitute_quantity
    return min(ordered, found)


def start_picking(actor: AnyUser, shipment: Shipment, *, now: datetime | None = None) -> Shipment:
    """placed -> picking (a hub operator)."""
    return transition(actor, shipment, OrderStatus.PICKING, now=now)


def _actor_id(actor: AnyUser) -> int | None:
    user = user_of(actor)
    return user.pk if user is not None else None


def _settle(order: Order, line: OrderLine, charge: int, actor: AnyUser, now: datetime) -> dict[str, int]:
    """Set the line's charge; lower the authorisation when it dropped: with a voucher part,
    the vouchers of the line's merchant in its shipment first (tender.lower_for_line).
    Returns the drop (reduced_won), and with vouchers what each tender gave up."""
    drop = int(line.charged_won) - charge
    split: dict[str, int] = {}
    if drop > 0:
        split = lower_for_line(order, line, charge, drop, actor=user_of(actor), now=now)
    line.charged_won = charge
    return {"reduced_won": max(drop, 0), **split}


def _take_ordered(order: Order, shipment: Shipment, line: OrderLine, actor: AnyUser, reason: str) -> None:
    """Take the found units of the ordered product; release the reservation of the rest."""
    if line.picked_quantity > 0:
        pick_for_order(
            StockRequest(shipment.hub_id, line.product_id, line.picked_quantity),
            order_id=order.pk,
            actor_id=_actor_id(actor),
        )
    rest = line.quantity - line.picked_quantity
    if rest > 0:
        release_for_order(
            [StockRequest(shipment.hub_id, line.product_id, rest)],
            order_id=order.pk,
            actor_id=_actor_id(actor),
            reason=reason,
        )


def _short(
    order: Order, shipment: Shipment, line: OrderLine, actor: AnyUser, now: datetime
) -> dict[str, Any]:
    _take_ordered(order, shipment, line, actor, "short pick")
    line.status = LineStatus.SHORT
    line.substitute = None
    line.substitute_quantity = 0
    reduced = _settle(order, line, line_charge(line, picked=line.picked_quantity), actor, now)
    line.save(update_fields=["status", "substitute", "substitute_quantity", "charged_won"])
    return reduced


def _substitute(
    order: Order, shipment: Shipment, line: OrderLine, substitute: Product, actor: AnyUser, now: datetime
) -> dict[str, Any]:
    request = StockRequest(shipment.hub_id, substitute.pk, line.substitute_quantity)
    # Stock rows are changed in product order (as every stock change does): no deadlocks.
    if line.product_id < substitute.pk:
        _take_ordered(order, shipment, line, actor, "substituted")
    if not take_for_substitute(request, order_id=order.pk, actor_id=_actor_id(actor)):
        raise Conflict(
            f"not enough {substitute.name_ko} left at the hub for the substitute",
            field="substitute_id",
            code="substitute_out_of_stock",
        )
    if line.product_id > substitute.pk:
        _take_ordered(order, shipment, line, actor, "substituted")
    line.status = LineStatus.SUBSTITUTED
    charge = line_charge(
        line,
        picked=line.picked_quantity,
        substitute_price_won=int(substitute.price_won),
        substitute_quantity=line.substitute_quantity,
    )
    reduced = _settle(order, line, charge, actor, now)
    line.save(update_fields=["status", "picked_quantity", "substitute", "substitute_quantity", "charged_won"])
    return {**reduced, "substitute_price_won": int(substitute.price_won)}


def _check_merchant(line: OrderLine, shipment: Shipment, substitute: Product) -> None:
    """A line whose merchant's goods the vouchers pay for in part takes only a substitute of
    the same merchant (the hold credits that merchant)."""
    if substitute.merchant_id == line.merchant_id:
        return
    if line.merchant_id in voucher_merchants(shipment.order_id, shipment.pk):
        raise Conflict(
            "vouchers pay part of this line, and they pay its merchant: a substitute must be "
            "a product of the same merchant; otherwise record the line short",
            field="substitute_id",
            code="substitute_other_merchant",
        )


def _whole_number(value: object, field: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{field} must be a whole number", field=field)
    if not low <= value <= high:
        raise InvalidInput(f"{field} must be between {low} and {high}", field=field)
    return value


def _substitute_product(line: OrderLine, shipment: Shipment, substitute_id: object, quantity: int) -> Product:
    """The substitute, checked: allowed by the customer, an active other product, enough
    available at the same hub (a first check; the taking itself is conditional)."""
    if line.substitution == Substitution.NEVER:
        raise InvalidInput(
            "the customer asked never to substitute this line",
            field="substitute_id",
            code="substitution_not_allowed",
        )
    if isinstance(substitute_id, bool) or not isinstance(substitute_id, int):
        raise InvalidInput("substitute_id must be a product id", field="substitute_id")
    substitute = Product.objects.filter(pk=substitute_id, is_active=True).first()
    if substitute is None:
        raise InvalidInput(
            f"no active product {substitute_id}", field="substitute_id", code="unknown_product"
        )
    if substitute.pk == line.product_id:
        raise InvalidInput("a substitute must be another product", field="substitute_id")
    _check_merchant(line, shipment, substitute)
    available = available_at([shipment.hub_id], [substitute.pk]).get((shipment.hub_id, substitute.pk), 0)
    if available < quantity:
        raise Conflict(
            f"only {available} of {substitute.name_ko} available at the hub",
            field="substitute_quantity",
            code="substitute_out_of_stock",
        )
    return substitute


def _ensure_picking(actor: AnyUser, order: Order, shipment: Shipment, now: datetime) -> None:
    """Lines are picked while the shipment is picking; the first pick starts picking."""
    if shipment.status == OrderStatus.PLACED:
        apply_transition(actor, order, shipment, OrderStatus.PICKING, others=[], note="first pick", now=now)
        refresh_order_status(order)
    elif shipment.status != OrderStatus.PICKING:
        raise InvalidTransition(f"cannot pick lines of a shipment that is {shipment.status}", field="status")


def record_pick(
    actor: AnyUser,
    line: OrderLine,
    *,
    picked: int,
    substitute_id: int | None = None,
    substitute_quantity: int = 0,
    now: datetime | None = None,
) -> OrderLine:
    """Record what the picker found for a line (a hub operator of the line's hub).

    picked == quantity: PICKED. picked < quantity without a substitute: SHORT (found units
    taken, the rest released, the charge and authorisation lowered). With a substitute
    (`substitute_id`, `substitute_quantity` > 0): SUBSTITUTED when the customer allowed
    substitutes, PROPOSED (nothing taken yet, the customer answers) when they asked to be
    asked, refused (InvalidInput) when they said never. Checked before anything changes:
    permission, numbers, the line still to pick, the shipment placed or picking, the
    substitute active and available at the hub."""
    now = now or timezone.now()
    with transaction.atomic():
        order, shipment = lock_shipment(line.shipment_id)
        require_operator(actor, shipment)
        current = OrderLine.objects.select_for_update().get(pk=line.pk)
        picked = _whole_number(picked, "picked", low=0, high=current.quantity)
        if substitute_id is None:
            if substitute_quantity != 0:
                raise InvalidInput("substitute_quantity needs a substitute_id", field="substitute_quantity")
        else:
            substitute_quantity = _whole_number(
                substitute_quantity, "substitute_quantity", low=1, high=MAX_UNITS
            )
            if picked == current.quantity:
                raise InvalidInput("every unit was found: no substitute needed", field="substitute_id")
        if current.status != LineStatus.PENDING:
            raise Conflict(f"this line is already {current.status}", field="line", code="line_already_picked")
        if shipment.status not in (OrderStatus.PLACED, OrderStatus.PICKING):
            raise InvalidTransition(
                f"cannot pick lines of a shipment that is {shipment.status}", field="status"
            )
        substitute = (
            _substitute_product(current, shipment, substitute_id, substitute_quantity)
            if substitute_id is not None
            else None
        )
        _ensure_picking(actor, order, shipment, now)

        current.picked_quantity = picked
        data: dict[str, Any] = {
            "line_id": current.pk,
            "product_id": current.product_id,
            "quantity": current.quantity,
            "picked": picked,
        }
        if substitute is None and picked == current.quantity:
            pick_for_order(
                StockRequest(shipment.hub_id, current.product_id, picked),
                order_id=order.pk,
                actor_id=_actor_id(actor),
            )
            current.status = LineStatus.PICKED
            current.save(update_fields=["status", "picked_quantity"])
            kind = "line_picked"
        elif substitute is None:
            current.save(update_fields=["picked_quantity"])
            data |= _short(order, shipment, current, actor, now)
            kind = "line_short"
        else:
            current.substitute = substitute
            current.substitute_quantity = substitute_quantity
            data |= {"substitute_id": substitute.pk, "substitute_quantity": substitute_quantity}
            if current.substitution == Substitution.ASK:
                current.status = LineStatus.PROPOSED
                current.save(update_fields=["status", "picked_quantity", "substitute", "substitute_quantity"])
                kind = "substitute_proposed"
            else:
                data |= _substitute(order, shipment, current, substitute, actor, now)
                kind = "line_substituted"
        data["charged_won"] = int(current.charged_won)
        event(order, kind, actor=actor, now=now, shipment=shipment, data=data)
    return current


def answer_substitution(
    customer: AnyUser, line: OrderLine, *, accept: bool, now: datetime | None = None
) -> OrderLine:
    """The customer accepts or declines a proposed substitute on their own line. Accepting
    takes the substitute (if still available: else Conflict, and the line stays proposed);
    declining makes the line short. Another user's line is NotFound."""
    now = now or timezone.now()
    with transaction.atomic():
        order, shipment = lock_shipment(line.shipment_id)
        if not customer.is_authenticated or order.customer_id != customer.pk:
            raise NotFound("no such order line", field="line")
        current = (
            OrderLine.objects.select_for_update(of=("self",)).select_related("substitute").get(pk=line.pk)
        )
        if current.status != LineStatus.PROPOSED or current.substitute is None:
            raise Conflict(
                "no substitute is waiting for your answer", field="line", code="no_substitute_proposed"
            )
        if shipment.status != OrderStatus.PICKING:  # pragma: no cover - packing resolves proposals
            raise InvalidTransition(f"the shipment is already {shipment.status}", field="status")
        data: dict[str, Any] = {
            "line_id": current.pk,
            "product_id": current.product_id,
            "substitute_id": current.substitute_id,
            "substitute_quantity": current.substitute_quantity,
        }
        if accept:
            if not current.substitute.is_active:
                raise Conflict(
                    "the substitute is no longer sold", field="line", code="substitute_out_of_stock"
                )
            _check_merchant(current, shipment, current.substitute)
            data |= _substitute(order, shipment, current, current.substitute, customer, now)
            kind = "substitute_accepted"
        else:
            data |= _short(order, shipment, current, customer, now)
            kind = "substitute_declined"
        data["charged_won"] = int(current.charged_won)
        event(order, kind, actor=customer, now=now, shipment=shipment, data=data)
    return current


def pack(actor: AnyUser, shipment: Shipment, *, now: datetime | None = None) -> Shipment:
    """picking -> packed, once every line is decided. A substitute still waiting for the
    customer's answer counts as declined (the line becomes short). Refused while lines are
    still to pick (Conflict "lines_to_pick"), or when nothing at all was found (Conflict
    "nothing_to_pack": cancel the shipment instead)."""
    now = now or timezone.now()
    with transaction.atomic():
        order, locked = lock_order(shipment.order_id)
        current = next(s for s in locked if s.pk == shipment.pk)
        require_operator(actor, current)
        check_allowed(current, OrderStatus.PACKED)
        lines = list(OrderLine.objects.select_for_update().filter(shipment_id=current.pk).order_by("pk"))
        pending = [line for line in lines if line.status == LineStatus.PENDING]
        if pending:
            raise Conflict(f"{len(pending)} line(s) still to pick", field="lines", code="lines_to_pick")
        for line in lines:
            if line.status == LineStatus.PROPOSED:
                proposed = {
                    "substitute_id": line.substitute_id,
                    "substitute_quantity": line.substitute_quantity,
                }
                data = {"line_id": line.pk, "product_id": line.product_id, **proposed}
                data |= _short(order, current, line, actor, now)
                data["charged_won"] = int(line.charged_won)
                event(
                    order,
                    "substitute_declined",
                    actor=actor,
                    now=now,
                    shipment=current,
                    note="no answer before packing",
                    data=data,
                )
        if all(line.picked_quantity == 0 and line.status != LineStatus.SUBSTITUTED for line in lines):
            raise Conflict(
                "nothing was found for this shipment: cancel it instead",
                field="lines",
                code="nothing_to_pack",
            )
        others = [s for s in locked if s.pk != current.pk]
        apply_transition(actor, order, current, OrderStatus.PACKED, others=others, now=now)
        refresh_order_status(order)
    return current


@dataclass(frozen=True)
class SubstituteChoices:
    """What the picker may offer instead of a line's product: other active products of the
    same category available at the hub, only the same merchant's when the vouchers pay part
    of that merchant's goods in the shipment (`same_merchant_only`)."""

    rows: list[Any]  # inventory Stock rows (product, available)
    same_merchant_only: bool


def substitute_choices(shipment: Shipment, lines: list[OrderLine]) -> dict[int, SubstituteChoices]:
    """For each line (by pk; its product loaded) the substitutes record_pick would accept now
    (stock is checked again when the substitute is taken). Reads only."""
    by_category: dict[str, list[Any]] = defaultdict(list)
    for row in hub_stock(shipment.hub):
        if row.available > 0 and row.product.is_active:
            by_category[row.product.category].append(row)
    bound = voucher_merchants(shipment.order_id, shipment.pk) if lines else set()
    out: dict[int, SubstituteChoices] = {}
    for line in lines:
        only = line.merchant_id in bound
        rows = [
            row
            for row in by_category[line.product.category]
            if row.product_id != line.product_id and (not only or row.product.merchant_id == line.merchant_id)
        ]
        out[line.pk] = SubstituteChoices(rows, only)
    return out
