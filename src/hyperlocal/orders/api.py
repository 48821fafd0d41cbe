"""Orders API (/api/orders): the resident's cart, checkout and orders, and the hub's order
board, pick list and shipment operations.

Residents sign in (session or bearer token) and see only their own cart and orders: another
user's order id answers 404, as an unknown one does. Hub operations are for the hub's
operators and platform admins (403 for anyone else). Placing an order needs an
`Idempotency-Key` header: the first request answers 201, a repeat of the same request 200
with the same order, the same key with a different request 409.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from ninja import P, Router, Status
from ninja.params import HeaderEx, PathEx, QueryEx

from hyperlocal.accounts.auth import api_auth
from hyperlocal.accounts.auth import signed_in_user as _user
from hyperlocal.accounts.models import User
from hyperlocal.errors import NotAllowed, NotFound
from hyperlocal.hubs.models import Hub
from hyperlocal.hubs.services import can_operate, get_hub
from hyperlocal.orders import services
from hyperlocal.orders.models import Order, OrderLine, Shipment
from hyperlocal.orders.schemas import (
    BIGINT_MAX,
    IDEMPOTENCY_KEY,
    MAX_QUANTITY,
    CancelIn,
    CartLineIn,
    CartOut,
    HubBoardOut,
    OrderDetailOut,
    OrderOut,
    PickIn,
    PickListEntryOut,
    PlaceOrderIn,
    QuoteIn,
    QuoteOut,
    ShipmentOut,
    SlotOptionOut,
    SubstitutionAnswerIn,
    TransitionIn,
    board_out,
    cart_out,
    order_detail_out,
    order_out,
    pick_entry_out,
    placed_order_out,
    quote_out,
    shipment_out,
    slot_option_out,
)
from hyperlocal.orders.schemas import LineIn as LineInSchema
from hyperlocal.schemas import with_errors

router = Router(tags=["orders"])

MAX_LISTED = 200

OrderId = PathEx[int, P(ge=1, le=BIGINT_MAX, description="the order's id")]
ShipmentId = PathEx[int, P(ge=1, le=BIGINT_MAX, description="the shipment's id")]
LineId = PathEx[int, P(ge=1, le=BIGINT_MAX, description="the order line's id")]
ProductId = PathEx[int, P(ge=1, le=BIGINT_MAX, description="the product's id")]
IdempotencyKey = HeaderEx[
    str,
    P(
        alias="Idempotency-Key",
        pattern=IDEMPOTENCY_KEY,
        description="1-100 printable ASCII characters, new for every order (e.g. a UUID)",
    ),
]


def _lines(lines: list[LineInSchema]) -> list[services.LineRequest]:
    return [services.LineRequest(ln.product_id, ln.quantity, ln.substitution) for ln in lines]


def _operated_hub(user: User, slug: str) -> Hub:
    hub = get_hub(slug)
    if not can_operate(user, hub):
        raise NotAllowed(f"only the operators of {hub.name} may see its orders", code="not_hub_operator")
    return hub


def _shipment_line(shipment: Shipment, line_id: int) -> OrderLine:
    line = next((ln for ln in shipment.lines.all() if ln.pk == line_id), None)
    if line is None:
        raise NotFound("no such line in this shipment", field="line_id", code="line_not_found")
    return line


def _order_line(order: Order, line_id: int) -> OrderLine:
    line = OrderLine.objects.filter(order_id=order.pk, pk=line_id).first()
    if line is None:
        raise NotFound("no such line in this order", field="line_id", code="line_not_found")
    return line


def _shipment_detail(shipment_id: int) -> ShipmentOut:
    return shipment_out(
        Shipment.objects.select_related("hub", "slot")
        .prefetch_related("lines__product", "lines__substitute")
        .get(pk=shipment_id)
    )


# --- cart -------------------------------------------------------------------------------


@router.get(
    "/cart",
    auth=api_auth,
    tags=["cart"],
    response=with_errors({200: CartOut}, 401),
    summary="My cart: lines, held stock and how long it is held, the plan, delivery options",
)
def get_cart(request: HttpRequest) -> CartOut:
    user = _user(request)
    with transaction.atomic():  # expired holds are released on the way
        summary = services.cart_summary(user)
    return cart_out(summary)


@router.put(
    "/cart/lines/{product_id}",
    auth=api_auth,
    tags=["cart"],
    response=with_errors({200: CartOut}, 401, 404, 409, 422),
    summary="Put a product in my cart (or change its quantity); its stock is held for a while",
    description=f"quantity 1..{MAX_QUANTITY} replaces the line's quantity. An unknown product is 404.",
)
def put_cart_line(request: HttpRequest, product_id: ProductId, payload: CartLineIn) -> CartOut:
    user = _user(request)
    with transaction.atomic():
        summary = services.set_cart_line(user, product_id, payload.quantity, payload.substitution)
    return cart_out(summary)


@router.delete(
    "/cart/lines/{product_id}",
    auth=api_auth,
    tags=["cart"],
    response=with_errors({200: CartOut}, 401, 422),
    summary="Take a product out of my cart (its held stock is given back)",
)
def delete_cart_line(request: HttpRequest, product_id: ProductId) -> CartOut:
    user = _user(request)
    with transaction.atomic():
        summary = services.set_cart_line(user, product_id, 0)
    return cart_out(summary)


@router.delete(
    "/cart",
    auth=api_auth,
    tags=["cart"],
    response=with_errors({200: CartOut}, 401),
    summary="Empty my cart (its held stock is given back)",
)
def clear_cart(request: HttpRequest) -> CartOut:
    user = _user(request)
    with transaction.atomic():
        services.clear_cart(user)
        summary = services.cart_summary(user)
    return cart_out(summary)


# --- checkout ---------------------------------------------------------------------------


@router.post(
    "/checkout/quote",
    auth=api_auth,
    tags=["checkout"],
    response=with_errors({200: QuoteOut}, 401, 422),
    summary="Price a basket and say how it would be delivered (which hubs and why, ETA, slots) "
    "and how much my vouchers can pay",
    description="Nothing is reserved. A basket no hub can serve now still gets a quote: its plan "
    "says what is missing and, when inbound stock is expected, from when it can be served.",
)
def checkout_quote(request: HttpRequest, payload: QuoteIn) -> QuoteOut:
    user = _user(request)
    with transaction.atomic():  # the hubs' slots of the coming days are created on the way
        quote = services.quote(user, _lines(payload.lines))
    return quote_out(quote)


@router.post(
    "",
    auth=api_auth,
    tags=["checkout"],
    response=with_errors({200: OrderDetailOut, 201: OrderDetailOut}, 401, 402, 404, 409, 422),
    summary="Place an order (the given lines, or else my cart) and pay for it",
    description="One transaction: stock reserved at the chosen hub(s), the slot booked, the "
    "payment authorised (with `voucher_won`, that part held from my local-currency vouchers and "
    "the card authorised for the rest), the order written; or nothing at all. 201: placed. "
    "200: the same request was sent before with this Idempotency-Key (the same order). 409: the "
    "key was used for a different request, a product is out of stock, the slot filled up, no "
    "hub can deliver instantly now, or my vouchers do not cover `voucher_won`. 402: the payment "
    "was declined. 422: bad input, no home address, the home is outside every hub's service "
    "area, or `voucher_won` is more than the lines vouchers may pay (voucher_not_eligible).",
)
def place_order(
    request: HttpRequest, payload: PlaceOrderIn, idempotency_key: IdempotencyKey
) -> Status[OrderDetailOut]:
    user = _user(request)
    delivery = services.DeliveryChoice(payload.delivery.kind, payload.delivery.slot_starts_at)
    with transaction.atomic():
        if payload.lines is None:
            placed = services.checkout_cart(
                user,
                delivery,
                idempotency_key=idempotency_key,
                payment_token=payload.payment_token,
                voucher_won=payload.voucher_won,
            )
        else:
            placed = services.place_order(
                user,
                _lines(payload.lines),
                delivery,
                idempotency_key=idempotency_key,
                payment_token=payload.payment_token,
                voucher_won=payload.voucher_won,
            )
    # A new order is answered from what was just written (no read-back); a repeat is read.
    return Status(201 if placed.created else 200, placed_order_out(placed))


# --- my orders --------------------------------------------------------------------------


@router.get(
    "",
    auth=api_auth,
    response=with_errors({200: list[OrderOut]}, 401, 422),
    summary="My orders, newest first",
)
def list_orders(
    request: HttpRequest, limit: QueryEx[int, P(ge=1, le=MAX_LISTED, description="at most this many")] = 50
) -> list[OrderOut]:
    return [order_out(o) for o in services.customer_orders(_user(request))[:limit]]


@router.get(
    "/{order_id}",
    auth=api_auth,
    response=with_errors({200: OrderDetailOut}, 401, 404, 422),
    summary="One of my orders: shipments with their promise, payments, why these hubs, timeline",
)
def get_order(request: HttpRequest, order_id: OrderId) -> OrderDetailOut:
    return order_detail_out(services.get_customer_order(_user(request), order_id))


@router.post(
    "/{order_id}/cancel",
    auth=api_auth,
    response=with_errors({200: OrderDetailOut}, 401, 403, 404, 409, 422),
    summary="Cancel my order (while nothing of it is being picked yet)",
    description="Releases the stock and the slot, voids the payment. 409 once picking started.",
)
def cancel_order(request: HttpRequest, order_id: OrderId, payload: CancelIn) -> OrderDetailOut:
    user = _user(request)
    with transaction.atomic():
        order = services.cancel_order(
            user, services.get_customer_order(user, order_id), reason=payload.reason
        )
    return order_detail_out(order)


@router.post(
    "/{order_id}/lines/{line_id}/substitution",
    auth=api_auth,
    response=with_errors({200: OrderDetailOut}, 401, 404, 409, 422),
    summary="Accept or decline the substitute the picker proposes for one of my lines",
    description="409 when no substitute waits for an answer, or the substitute ran out meanwhile.",
)
def answer_substitution(
    request: HttpRequest, order_id: OrderId, line_id: LineId, payload: SubstitutionAnswerIn
) -> OrderDetailOut:
    user = _user(request)
    with transaction.atomic():
        order = services.get_customer_order(user, order_id)
        services.answer_substitution(user, _order_line(order, line_id), accept=payload.accept)
    return order_detail_out(services.get_customer_order(user, order_id))


# --- slots (public) ---------------------------------------------------------------------


@router.get(
    "/hubs/{slug}/slots",
    tags=["delivery slots"],
    response=with_errors({200: list[SlotOptionOut]}, 404),
    summary="A hub's bookable delivery slots, soonest first",
)
def hub_slots(request: HttpRequest, slug: str) -> list[SlotOptionOut]:
    hub = get_hub(slug)
    with transaction.atomic():  # the coming days' slots are created on the way
        options = services.slot_options([hub.pk])
    return [slot_option_out(o) for o in options]


# --- hub operations ---------------------------------------------------------------------


@router.get(
    "/hubs/{slug}/board",
    auth=api_auth,
    tags=["hub operations"],
    response=with_errors({200: HubBoardOut}, 401, 403, 404),
    summary="The hub's live order board: shipments by status with the promise countdown",
)
def hub_board(request: HttpRequest, slug: str) -> HubBoardOut:
    return board_out(services.hub_board(_operated_hub(_user(request), slug)))


@router.get(
    "/hubs/{slug}/pick-list",
    auth=api_auth,
    tags=["hub operations"],
    response=with_errors({200: list[PickListEntryOut]}, 401, 403, 404),
    summary="The lines to pick at the hub, in walking order (zone, bin, earliest promise)",
)
def hub_pick_list(request: HttpRequest, slug: str) -> list[PickListEntryOut]:
    return [pick_entry_out(e) for e in services.pick_list(_operated_hub(_user(request), slug))]


@router.get(
    "/shipments/{shipment_id}",
    auth=api_auth,
    tags=["hub operations"],
    response=with_errors({200: ShipmentOut}, 401, 403, 404, 422),
    summary="One shipment of the hub, with its lines",
)
def get_shipment(request: HttpRequest, shipment_id: ShipmentId) -> ShipmentOut:
    return _shipment_detail(services.get_hub_shipment(_user(request), shipment_id).pk)


@router.post(
    "/shipments/{shipment_id}/start-picking",
    auth=api_auth,
    tags=["hub operations"],
    response=with_errors({200: ShipmentOut}, 401, 403, 404, 409, 422),
    summary="Start picking a placed shipment",
)
def start_picking(request: HttpRequest, shipment_id: ShipmentId) -> ShipmentOut:
    user = _user(request)
    with transaction.atomic():
        shipment = services.start_picking(user, services.get_hub_shipment(user, shipment_id))
    return _shipment_detail(shipment.pk)


@router.post(
    "/shipments/{shipment_id}/lines/{line_id}/pick",
    auth=api_auth,
    tags=["hub operations"],
    response=with_errors({200: ShipmentOut}, 401, 403, 404, 409, 422),
    summary="Record what was found for a line: all of it, fewer (short), or a substitute",
    description="A short line releases the rest of its stock and lowers the payment. A substitute "
    "follows the customer's choice: taken (allow), proposed for an answer (ask), refused with "
    "422 (never). 409: the line was already picked, the substitute is not available, or "
    "(substitute_other_merchant) vouchers pay part of the line's merchant's goods in the shipment "
    "and the substitute is another merchant's: the vouchers pay that merchant, so pick a product "
    "of the same merchant or record the line short.",
)
def pick_line(request: HttpRequest, shipment_id: ShipmentId, line_id: LineId, payload: PickIn) -> ShipmentOut:
    user = _user(request)
    with transaction.atomic():
        shipment = services.get_hub_shipment(user, shipment_id)
        services.record_pick(
            user,
            _shipment_line(shipment, line_id),
            picked=payload.picked,
            substitute_id=payload.substitute_id,
            substitute_quantity=payload.substitute_quantity,
        )
    return _shipment_detail(shipment.pk)


@router.post(
    "/shipments/{shipment_id}/pack",
    auth=api_auth,
    tags=["hub operations"],
    response=with_errors({200: ShipmentOut}, 401, 403, 404, 409, 422),
    summary="Pack a picked shipment (unanswered substitutes count as declined)",
    description="409 while lines are still to pick, or when nothing at all was found.",
)
def pack(request: HttpRequest, shipment_id: ShipmentId) -> ShipmentOut:
    user = _user(request)
    with transaction.atomic():
        shipment = services.pack(user, services.get_hub_shipment(user, shipment_id))
    return _shipment_detail(shipment.pk)


@router.post(
    "/shipments/{shipment_id}/transition",
    auth=api_auth,
    tags=["hub operations"],
    response=with_errors({200: ShipmentOut}, 401, 402, 403, 404, 409, 422),
    summary="Move a shipment to another status (out for delivery, delivered, failed, ...)",
    description="Only valid moves are accepted (409 otherwise). A failed delivery needs a note. "
    "Delivered captures the payment, cancelled releases stock and voids or lowers it.",
)
def transition(request: HttpRequest, shipment_id: ShipmentId, payload: TransitionIn) -> ShipmentOut:
    user = _user(request)
    with transaction.atomic():
        shipment = services.transition(
            user, services.get_hub_shipment(user, shipment_id), payload.to_status, note=payload.note
        )
    return _shipment_detail(shipment.pk)
