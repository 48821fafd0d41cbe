"""Quote and place an order: the hot path of the platform.

`place_order` checks the request in Python first (nothing touches the database for a
malformed request), then in one transaction: claims the Idempotency-Key, loads the products
(one query), plans the hubs, writes the order row, reserves the stock of every shipment in
one set-based statement (a shortfall raises OutOfStock and everything rolls back), books the
slot(s) or computes the instant promise, authorises the payment, and inserts shipments,
lines, payment and one 'placed' event in bulk: 13 statements on PostgreSQL for an instant
order whatever the basket, 15 for a slot at one hub (16 at two).

The transaction is opened with savepoint=False: called inside the edge's `atomic()` block it
adds no statements, and an error rolls back the edge's whole transaction (edges let the
exception leave their atomic block, as they always do).

Duplicate products in a request are merged (quantities added) when they carry the same
substitution choice, and refused (422) when they do not.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hyperlocal.accounts.models import Household, User
from hyperlocal.catalog.models import Product
from hyperlocal.errors import Conflict, InvalidInput
from hyperlocal.inventory.services import StockRequest, reserve_for_order
from hyperlocal.orders.allocation import Plan
from hyperlocal.orders.errors import OutOfStock
from hyperlocal.orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PromiseKind,
    Shipment,
    Substitution,
)
from hyperlocal.orders.payments import PaymentProvider, get_provider
from hyperlocal.orders.services.candidates import plan_for
from hyperlocal.orders.services.events import record_event
from hyperlocal.orders.services.idempotency import claim, clean_key, request_hash
from hyperlocal.orders.services.payment import authorise, payment_row
from hyperlocal.orders.services.promise import SlotOption, book_slots, slot_options

MAX_LINES = 30
MAX_QUANTITY = 99
INSTANT = PromiseKind.INSTANT.value
SLOT = PromiseKind.SLOT.value
# Order codes: no 0/O, 1/I/L, so that they can be read out over the phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


@dataclass(frozen=True)
class LineRequest:
    product_id: int
    quantity: int
    substitution: str = Substitution.ALLOW.value


@dataclass(frozen=True)
class DeliveryChoice:
    kind: str  # "instant" | "slot"
    slot_starts_at: datetime | None = None


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    created: bool  # False: an idempotent repeat returned the order placed before


@dataclass(frozen=True)
class PricedLine:
    product_id: int
    name: str
    unit: str
    quantity: int
    unit_price_won: int
    total_won: int


@dataclass(frozen=True)
class Quote:
    plan: Plan  # the plan for instant delivery (explains which hubs and why)
    lines: tuple[PricedLine, ...]
    items_won: int
    delivery_fee_won: int
    total_won: int
    instant_eta_minutes: int | None  # None: instant delivery is not possible now
    slot_options: list[SlotOption] = field(default_factory=list)
    slot_plan: Plan | None = None  # the hubs a slot delivery would come from


# -- checking the request (pure) -------------------------------------------------------------


def _whole(value: object, low: int, high: int, *, field: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{what} must be a whole number from {low} to {high}, got {value!r}.", field=field)
    return value


def clean_lines(lines: Sequence[LineRequest]) -> list[LineRequest]:
    """1-30 lines, quantities 1-99, known substitution choices; duplicates merged."""
    if not lines:
        raise InvalidInput("The order has no lines.", field="lines", code="no_lines")
    if len(lines) > MAX_LINES:
        raise InvalidInput(f"An order has at most {MAX_LINES} lines.", field="lines", code="too_many_lines")
    merged: dict[int, LineRequest] = {}
    for i, line in enumerate(lines):
        pid = _whole(line.product_id, 1, 2**62, field=f"lines[{i}].product_id", what="product_id")
        qty = _whole(line.quantity, 1, MAX_QUANTITY, field=f"lines[{i}].quantity", what="quantity")
        if line.substitution not in Substitution.values:
            raise InvalidInput(
                f"substitution must be one of {', '.join(Substitution.values)}.",
                field=f"lines[{i}].substitution",
            )
        before = merged.get(pid)
        if before is None:
            merged[pid] = LineRequest(pid, qty, line.substitution)
            continue
        if before.substitution != line.substitution:
            raise InvalidInput(
                "The same product appears twice with different substitution choices.",
                field=f"lines[{i}].product_id",
                code="duplicate_product",
            )
        qty = _whole(before.quantity + qty, 1, MAX_QUANTITY, field=f"lines[{i}].quantity", what="quantity")
        merged[pid] = LineRequest(pid, qty, line.substitution)
    return list(merged.values())


def clean_delivery(delivery: DeliveryChoice) -> DeliveryChoice:
    if delivery.kind == INSTANT:
        return DeliveryChoice(INSTANT)
    if delivery.kind != SLOT:
        raise InvalidInput("delivery must be 'instant' or 'slot'.", field="delivery.kind")
    starts = delivery.slot_starts_at
    if not isinstance(starts, datetime) or timezone.is_naive(starts):
        raise InvalidInput(
            "A slot delivery needs the slot's start time, with its time zone.",
            field="delivery.slot_starts_at",
        )
    return DeliveryChoice(SLOT, starts)


def clean_token(token: object) -> str:
    if not isinstance(token, str) or not 1 <= len(token) <= 200 or not token.isprintable():
        raise InvalidInput("The payment token is missing or malformed.", field="payment_token")
    return token


def placement_hash(lines: Sequence[LineRequest], delivery: DeliveryChoice, token: str) -> str:
    starts = delivery.slot_starts_at
    return request_hash(
        {
            "lines": sorted([ln.product_id, ln.quantity, ln.substitution] for ln in lines),
            "delivery": {
                "kind": delivery.kind,
                "slot_starts_at": starts.astimezone(UTC).isoformat() if starts else None,
            },
            "payment_token": token,
        }
    )


def delivery_fee(items_won: int) -> int:
    return 0 if items_won >= settings.FREE_DELIVERY_FROM_WON else int(settings.DELIVERY_FEE_WON)


def new_order_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


# -- reading what the order needs --------------------------------------------------------------


def home_of(user: User) -> Household:
    """The delivery point: the user's household home."""
    home = user.household if user.household_id else None
    if home is None:
        raise InvalidInput(
            "Set your home address first: deliveries go to your household's home.",
            field="household",
            code="no_home",
        )
    return home


def load_products(lines: Sequence[LineRequest]) -> dict[int, Product]:
    """The products of the lines, in one query; InvalidInput naming the first unknown or
    inactive one."""
    ids = [ln.product_id for ln in lines]
    found = {
        p.pk: p
        for p in Product.objects.filter(pk__in=ids, is_active=True, merchant__is_active=True).only(
            "id", "merchant_id", "sku", "name_ko", "name_en", "unit", "price_won"
        )
    }
    for i, pid in enumerate(ids):
        if pid not in found:
            raise InvalidInput(
                f"Product {pid} does not exist or is not on sale.",
                field=f"lines[{i}].product_id",
                code="unknown_product",
            )
    return found


def shortage_message(short: Mapping[int, int], products: Mapping[int, Product], *, prefix: str = "") -> str:
    names = ", ".join(
        f"{products[p].name_ko if p in products else f'product {p}'} (short {q})"
        for p, q in sorted(short.items())
    )
    return f"{prefix}Not enough stock for: {names}."


def _out_of_stock(plan: Plan, products: Mapping[int, Product]) -> OutOfStock:
    message = shortage_message(plan.missing, products)
    if plan.earliest_at is not None:
        message += f" It can be delivered from {timezone.localtime(plan.earliest_at):%Y-%m-%d %H:%M}."
    return OutOfStock(message, field="lines")


def _priced(lines: Sequence[LineRequest], products: Mapping[int, Product]) -> list[PricedLine]:
    out = []
    for ln in lines:
        p = products[ln.product_id]
        out.append(PricedLine(p.pk, p.name_ko, p.unit, ln.quantity, p.price_won, p.price_won * ln.quantity))
    return out


def instant_eta(plan: Plan) -> int | None:
    """The order's instant ETA (its slowest shipment), None when one cannot go instantly."""
    etas = [s.eta_minutes for s in plan.shipments]
    if not etas or any(e is None for e in etas):
        return None
    return max(e for e in etas if e is not None)


def quote(user: User, lines: Sequence[LineRequest], *, now: datetime | None = None) -> Quote:
    """Prices, the plan (which hubs, and why), the instant ETA and the bookable slots."""
    moment = now or timezone.now()
    clean = clean_lines(lines)
    home = home_of(user)
    products = load_products(clean)
    basket = {ln.product_id: ln.quantity for ln in clean}
    plan = plan_for(home.home_cell, basket, now=moment, instant=True)
    slot_plan = plan_for(home.home_cell, basket, now=moment, instant=False) if plan.can_serve else plan
    options = slot_options(list(slot_plan.hub_ids), now=moment) if slot_plan.can_serve else []
    priced = _priced(clean, products)
    items = sum(p.total_won for p in priced)
    fee = delivery_fee(items)
    return Quote(plan, tuple(priced), items, fee, items + fee, instant_eta(plan), options, slot_plan)


# -- placing -----------------------------------------------------------------------------------


def place_order(
    user: User,
    lines: Sequence[LineRequest],
    delivery: DeliveryChoice,
    *,
    idempotency_key: str,
    payment_token: str = "tok_test_ok",
    now: datetime | None = None,
    provider: PaymentProvider | None = None,
) -> PlacedOrder:
    """Place an order, all or nothing. A repeat of the same request with the same key returns
    the order placed before (created=False)."""
    moment = now or timezone.now()
    key = clean_key(idempotency_key)
    clean = clean_lines(lines)
    choice = clean_delivery(delivery)
    token = clean_token(payment_token)
    hash_ = placement_hash(clean, choice, token)
    # savepoint=False: inside the edge's transaction this costs no SAVEPOINT/RELEASE round
    # trips; a failure makes the enclosing transaction roll back as a whole.
    with transaction.atomic(savepoint=False):
        code = new_order_code()
        existing = claim(user, key, hash_, order_code=code, now=moment)
        if existing is not None:
            return PlacedOrder(existing, created=False)
        order = write_order(user, clean, choice, code=code, token=token, now=moment, provider=provider)
    return PlacedOrder(order, created=True)


def write_order(
    user: User,
    lines: Sequence[LineRequest],
    choice: DeliveryChoice,
    *,
    code: str,
    token: str,
    now: datetime,
    provider: PaymentProvider | None = None,
) -> Order:
    """The writes of a placement, for callers that claimed the key inside their own
    transaction (place_order, checkout_cart). Raises before or while writing; the caller's
    transaction then rolls everything back."""
    home = home_of(user)
    products = load_products(lines)
    basket = {ln.product_id: ln.quantity for ln in lines}
    plan = plan_for(home.home_cell, basket, now=now, instant=choice.kind == INSTANT)
    if not plan.can_serve:
        raise _out_of_stock(plan, products)
    if choice.kind == INSTANT and instant_eta(plan) is None:
        raise Conflict(
            "No hub can deliver this basket instantly right now; choose a delivery slot.",
            field="delivery.kind",
            code="instant_unavailable",
        )
    price = {p.pk: p.price_won for p in products.values()}
    items_won = sum(price[p] * q for s in plan.shipments for p, q in s.lines.items())
    fee = delivery_fee(items_won)
    order = Order(
        code=code,
        customer=user,
        region_id=home.region_id,
        status=OrderStatus.PLACED,
        delivery_address=home.address,
        delivery_lat=home.lat,
        delivery_lng=home.lng,
        delivery_cell=home.home_cell,
        items_won=items_won,
        delivery_fee_won=fee,
        total_won=items_won + fee,
        allocation=plan.as_dict(),
        placed_at=now,
    )
    try:
        order.save(force_insert=True)
    except IntegrityError:  # pragma: no cover - a clash of 10 random characters
        raise Conflict("Please try again.", code="order_code_clash") from None

    requests = [StockRequest(s.hub_id, p, q) for s in plan.shipments for p, q in s.lines.items()]
    short = reserve_for_order(requests, order_id=order.pk, actor_id=user.pk)
    if short:
        missing: dict[int, int] = {}
        for r in short:
            missing[r.product_id] = missing.get(r.product_id, 0) + r.quantity
        raise OutOfStock(shortage_message(missing, products, prefix="Sold out meanwhile. "), field="lines")

    shipments = _shipments(order, plan, choice, price, now)
    payer = provider or get_provider()
    result = authorise(payer, order.total_won, token=token, reference_hint=code)
    try:
        Shipment.objects.bulk_create(shipments)
        by_hub = {s.hub_id: s for s in shipments}
        subs = {ln.product_id: ln.substitution for ln in lines}
        OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=order,
                    shipment=by_hub[s.hub_id],
                    product_id=p,
                    merchant_id=products[p].merchant_id,
                    quantity=q,
                    unit_price_won=price[p],
                    substitution=subs[p],
                    charged_won=price[p] * q,
                )
                for s in plan.shipments
                for p, q in sorted(s.lines.items())
            ]
        )
        payment = payment_row(order, payer, result, now=now)
        payment.save(force_insert=True)
        record_event(
            order,
            "placed",
            to_status=OrderStatus.PLACED,
            actor=user,
            at=now,
            data=_placed_data(shipments, payment),
        )
    except BaseException:
        payer.void(result.reference)  # never leave an authorisation behind a failed order
        raise
    return order


def _shipments(
    order: Order, plan: Plan, choice: DeliveryChoice, price: Mapping[int, int], now: datetime
) -> list[Shipment]:
    slots = {}
    if choice.kind == SLOT:
        assert choice.slot_starts_at is not None
        slots = book_slots(list(plan.hub_ids), choice.slot_starts_at, now=now)
    out = []
    for s in plan.shipments:
        slot = slots.get(s.hub_id)
        if slot is not None:
            starts, ends = slot.starts_at, slot.ends_at
        else:
            starts, ends = now, now + timedelta(minutes=max(s.eta_minutes or 0, 1))
        out.append(
            Shipment(
                order=order,
                hub_id=s.hub_id,
                promise_kind=SLOT if slot is not None else INSTANT,
                slot=slot,
                promised_from=starts,
                promised_by=ends,
                travel_minutes=s.travel_minutes,
                items_won=sum(price[p] * q for p, q in s.lines.items()),
                placed_at=now,
            )
        )
    return out


def _placed_data(shipments: Sequence[Shipment], payment: Payment) -> dict[str, object]:
    return {
        "shipments": [
            {
                "id": s.pk,
                "hub_id": s.hub_id,
                "promise_kind": s.promise_kind,
                "promised_by": s.promised_by.isoformat(),
            }
            for s in shipments
        ],
        "payment": {
            "id": payment.pk,
            "provider": payment.provider,
            "tender": payment.tender,
            "authorised_won": payment.authorised_won,
        },
    }
