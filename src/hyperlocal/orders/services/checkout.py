"""Quote and place an order: the hot path of the platform.

`place_order` checks the request in Python first (nothing touches the database for a
malformed request), then in one transaction: claims the Idempotency-Key, reads what the order
needs (the home with the hubs serving it, their policy, queue, hours and the chosen slot; the
products with their stock: two raw SQL reads, see `placement_sql`), plans the hubs,
authorises the payment, inserts order, shipments, lines, payment and the 'placed' event (one
statement on PostgreSQL), and only then makes the contended conditional UPDATEs: the stock
reservation with its movements (one set-based statement; a shortfall raises OutOfStock) and
the slot booking (one statement for all hubs; SlotFull), so that the hot rows stay locked
only until the commit that follows. On PostgreSQL 5 statements for an instant order whatever
the basket or split, 6 for a slot order (SQLite: 5 more).

Split tender (`voucher_won` > 0, see tender.py): the card is authorised for the total minus
the voucher part, and right after the insert the vouchers are held, the voucher Payment row
and a 'voucher_held' event written; with voucher_won == 0 none of that runs. When the
vouchers pay the whole total (free delivery, every line at merchants that take them) the card
is not asked at all and the order has only the voucher Payment row.

The transaction is opened with savepoint=False: called inside the edge's `atomic()` block it
adds no statements, and an error rolls back the edge's whole transaction (edges let the
exception leave their atomic block, as they always do).

Duplicate products in a request are merged (quantities added) when they carry the same
substitution choice, and refused (422) when they do not.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from hyperlocal.accounts.models import Household, User
from hyperlocal.catalog.models import Product
from hyperlocal.errors import Conflict, InvalidInput
from hyperlocal.inventory.services import StockRequest
from hyperlocal.inventory.services.counters import reserve_for_checkout
from hyperlocal.orders.allocation import Plan
from hyperlocal.orders.errors import OutOfStock, OutsideServiceArea, SlotFull
from hyperlocal.orders.models import LineStatus, Order, OrderStatus, Payment, PromiseKind, Substitution
from hyperlocal.orders.payments import PaymentProvider, get_provider
from hyperlocal.orders.services import placement_sql as q
from hyperlocal.orders.services.candidates import (
    ProductRow,
    ServingHub,
    SlotRow,
    basket_rows,
    candidates_from,
    home_and_serving_hubs,
    plan_for,
    plan_from,
)
from hyperlocal.orders.services.events import record_event
from hyperlocal.orders.services.idempotency import claim, clean_key, request_hash
from hyperlocal.orders.services.payment import VOUCHER, authorise
from hyperlocal.orders.services.promise import SlotOption, slot_options, unbookable_reason
from hyperlocal.orders.services.tender import (
    VOUCHER_PROVIDER,
    VoucherQuote,
    check_voucher_part,
    clean_voucher_won,
    hold_vouchers,
    voucher_quote,
    voucher_reference,
)

MAX_LINES = 30
MAX_QUANTITY = 99
INSTANT = PromiseKind.INSTANT.value
SLOT = PromiseKind.SLOT.value
# Order codes: no 0/O, 1/I/L, so that they can be read out over the phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
TENDER = "card"
_SUBSTITUTIONS: tuple[str, ...] = tuple(Substitution.values)


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
class WrittenLine:
    id: int
    product_id: int
    product_name: str
    quantity: int
    unit_price_won: int
    substitution: str
    charged_won: int


@dataclass(frozen=True)
class WrittenShipment:
    id: int
    hub_id: int
    hub_slug: str
    hub_name: str
    promise_kind: str
    slot_starts_at: datetime | None
    slot_ends_at: datetime | None
    promised_from: datetime
    promised_by: datetime
    travel_minutes: float
    items_won: int
    placed_at: datetime
    lines: tuple[WrittenLine, ...]


@dataclass(frozen=True)
class WrittenPayment:
    id: int
    tender: str
    provider: str
    status: str
    authorised_won: int


@dataclass(frozen=True)
class WrittenEvent:
    at: datetime
    kind: str
    to_status: str
    actor: User | None
    data: dict[str, object]


@dataclass(frozen=True)
class WrittenOrder:
    """What a placement has just written, so that the caller can answer without reading it
    back. The order is an Order instance built in memory (with its id), not re-read."""

    order: Order
    shipments: tuple[WrittenShipment, ...]
    payment: WrittenPayment  # the first Payment row (the card's, or the vouchers' alone)
    event: WrittenEvent  # 'placed'
    # With a voucher part: the voucher Payment row beside the card's, the 'voucher_held' event.
    more_payments: tuple[WrittenPayment, ...] = ()
    more_events: tuple[WrittenEvent, ...] = ()

    @property
    def payments(self) -> tuple[WrittenPayment, ...]:
        return (self.payment, *self.more_payments)

    @property
    def events(self) -> tuple[WrittenEvent, ...]:
        return (self.event, *self.more_events)


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    created: bool  # False: an idempotent repeat returned the order placed before
    # What was written, when created (None for a repeat): the API answers from it.
    written: WrittenOrder | None = None


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
    vouchers: VoucherQuote | None = None  # what the resident's vouchers can pay of it


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
        if line.substitution not in _SUBSTITUTIONS:
            raise InvalidInput(
                f"substitution must be one of {', '.join(_SUBSTITUTIONS)}.",
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


def placement_hash(
    lines: Sequence[LineRequest], delivery: DeliveryChoice, token: str, voucher_won: int = 0
) -> str:
    """The voucher part counts only when there is one: a card-only request hashes as it did
    before split tender, so that keys claimed then still match their repeats."""
    starts = delivery.slot_starts_at
    payload: dict[str, Any] = {
        "lines": sorted([ln.product_id, ln.quantity, ln.substitution] for ln in lines),
        "delivery": {
            "kind": delivery.kind,
            "slot_starts_at": starts.astimezone(UTC).isoformat() if starts else None,
        },
        "payment_token": token,
    }
    if voucher_won:
        payload["voucher_won"] = voucher_won
    return request_hash(payload)


def delivery_fee(items_won: int) -> int:
    return 0 if items_won >= settings.FREE_DELIVERY_FROM_WON else int(settings.DELIVERY_FEE_WON)


def new_order_code() -> str:
    # One draw, written in base 31: uniform like ten secrets.choice calls, at a tenth of the cost.
    number, digits = secrets.randbelow(len(CODE_ALPHABET) ** CODE_LENGTH), []
    for _ in range(CODE_LENGTH):
        number, digit = divmod(number, len(CODE_ALPHABET))
        digits.append(CODE_ALPHABET[digit])
    return "".join(digits)


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


def shortage_message(short: Mapping[int, int], names: Mapping[int, str], *, prefix: str = "") -> str:
    """`names`: product id -> name (name_ko)."""
    listed = ", ".join(f"{names.get(p, f'product {p}')} (short {q})" for p, q in sorted(short.items()))
    return f"{prefix}Not enough stock for: {listed}."


def _out_of_stock(plan: Plan, names: Mapping[int, str]) -> OutOfStock:
    message = shortage_message(plan.missing, names)
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
    vouchers = voucher_quote(
        user, [(p.product_id, products[p.product_id].merchant_id, p.total_won) for p in priced], now=moment
    )
    return Quote(
        plan, tuple(priced), items, fee, items + fee, instant_eta(plan), options, slot_plan, vouchers
    )


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
    voucher_won: int = 0,
) -> PlacedOrder:
    """Place an order, all or nothing. A repeat of the same request with the same key returns
    the order placed before (created=False). `voucher_won`: the part paid with the resident's
    local-currency vouchers (0: card only; see tender.py)."""
    moment = now or timezone.now()
    key = clean_key(idempotency_key)
    clean = clean_lines(lines)
    choice = clean_delivery(delivery)
    token = clean_token(payment_token)
    vouchers = clean_voucher_won(voucher_won)
    hash_ = placement_hash(clean, choice, token, vouchers)
    # savepoint=False: inside the edge's transaction this costs no SAVEPOINT/RELEASE round
    # trips; a failure makes the enclosing transaction roll back as a whole.
    with transaction.atomic(savepoint=False):
        code = new_order_code()
        existing = claim(user, key, hash_, order_code=code, now=moment)
        if existing is not None:
            return PlacedOrder(existing, created=False)
        written = write_order(
            user, clean, choice, code=code, token=token, now=moment, provider=provider, voucher_won=vouchers
        )
    return PlacedOrder(written.order, created=True, written=written)


@dataclass(frozen=True)
class _Home:
    region_id: int
    address: str
    lat: float
    lng: float
    cell: str


def _home_and_hubs(
    user: User, now: datetime, slot_starts_at: datetime | None
) -> tuple[_Home, list[ServingHub]]:
    """The delivery point and the open hubs serving it (with the slot at `slot_starts_at`),
    in one query; the "no home" error as home_of gives it."""
    row, hubs = (
        (None, [])
        if user.household_id is None
        else home_and_serving_hubs(user.household_id, now, slot_starts_at=slot_starts_at)
    )
    if row is None:
        home_of(user)  # raises the "no home" error
        raise AssertionError("unreachable")  # pragma: no cover
    return _Home(*row), hubs


def _check_on_sale(lines: Sequence[LineRequest], products: Mapping[int, ProductRow]) -> None:
    for i, ln in enumerate(lines):
        row = products.get(ln.product_id)
        if row is None or not row.on_sale:
            raise InvalidInput(
                f"Product {ln.product_id} does not exist or is not on sale.",
                field=f"lines[{i}].product_id",
                code="unknown_product",
            )


def _slots_to_book(
    plan: Plan, hubs: Mapping[int, ServingHub], starts_at: datetime, now: datetime
) -> dict[int, SlotRow]:
    """The slot at `starts_at` of every hub of the plan, checked bookable now (as
    promise.book_slots checks it); InvalidInput(code="slot_unavailable") otherwise."""
    when = f"{timezone.localtime(starts_at):%Y-%m-%d %H:%M}"
    slots = {}
    for hub_id in sorted(plan.hub_ids):
        hub = hubs[hub_id]
        if hub.slot is None:
            raise InvalidInput(f"there is no delivery slot at {when}", field="slot", code="slot_unavailable")
        why = unbookable_reason(hub.slot_lead_minutes, hub.same_day_cutoff, starts_at, now)
        if why:
            raise InvalidInput(
                f"the {when} slot cannot be booked now: {why}", field="slot", code="slot_unavailable"
            )
        slots[hub_id] = hub.slot
    return slots


def write_order(
    user: User,
    lines: Sequence[LineRequest],
    choice: DeliveryChoice,
    *,
    code: str,
    token: str,
    now: datetime,
    provider: PaymentProvider | None = None,
    voucher_won: int = 0,
) -> WrittenOrder:
    """The writes of a placement, for callers that claimed the key inside their own
    transaction (place_order, checkout_cart). Raises before or while writing; the caller's
    transaction then rolls everything back. `voucher_won` was checked by clean_voucher_won.

    Everything is read and decided first (the home with the hubs serving it, their queue,
    hours and the slot at the chosen start; the products with their stock: two reads), the
    payment is authorised, the order's rows are inserted, and only then come the contended
    conditional UPDATEs: the stock reservation (with its movements) and the slot booking,
    right before the commit, so that the hottest rows stay locked as briefly as possible. A
    reservation or booking that fails (sold out or full meanwhile) voids the authorisation
    and rolls everything back; so does a voucher hold that the wallet refuses.
    """
    basket = {ln.product_id: ln.quantity for ln in lines}
    slot_start = choice.slot_starts_at if choice.kind == SLOT else None
    local_now = timezone.localtime(now)
    home, hubs = _home_and_hubs(user, local_now, slot_start)
    products, stock = basket_rows([h.hub_id for h in hubs], list(basket))
    _check_on_sale(lines, products)
    if not hubs:
        raise OutsideServiceArea("no hub delivers to this address yet", field="address")
    names = {p: row.name for p, row in products.items()}
    candidates = candidates_from(hubs, stock, basket, now=local_now)
    plan = plan_from(candidates, names, basket, now=local_now, instant=choice.kind == INSTANT)
    if not plan.can_serve:
        raise _out_of_stock(plan, names)
    if choice.kind == INSTANT and instant_eta(plan) is None:
        raise Conflict(
            "No hub can deliver this basket instantly right now; choose a delivery slot.",
            field="delivery.kind",
            code="instant_unavailable",
        )
    by_hub = {h.hub_id: h for h in hubs}
    slots = _slots_to_book(plan, by_hub, slot_start, now) if slot_start is not None else {}
    price = {p: row.price_won for p, row in products.items()}
    items_won = sum(price[p] * n for s in plan.shipments for p, n in s.lines.items())
    fee = delivery_fee(items_won)
    order = _order(user, home, code, plan, items_won, fee, now)
    payer = provider or get_provider()
    if not voucher_won:
        result = authorise(payer, order.total_won, token=token, reference_hint=code)
        first = _PaymentValues(TENDER, payer.name, result.reference, result.amount_won)
        try:
            return _insert(user, order, plan, by_hub, slots, products, lines, first, None, now)
        except BaseException:
            payer.void(result.reference)  # never leave an authorisation behind a failed order
            raise
    check_voucher_part(voucher_won, items_won)
    card_won = order.total_won - voucher_won
    vouchers = _PaymentValues(VOUCHER, VOUCHER_PROVIDER, voucher_reference(code), voucher_won)
    if card_won == 0:  # the vouchers pay it all: no card is asked, the voucher row is the only one
        only = _Split(vouchers, separate_row=False)
        return _insert(user, order, plan, by_hub, slots, products, lines, vouchers, only, now)
    result = authorise(payer, card_won, token=token, reference_hint=code)
    card = _PaymentValues(TENDER, payer.name, result.reference, result.amount_won)
    beside = _Split(vouchers, separate_row=True)
    try:
        return _insert(user, order, plan, by_hub, slots, products, lines, card, beside, now)
    except BaseException:
        payer.void(result.reference)  # a refused voucher hold, too, leaves no card authorisation
        raise


def _order(user: User, home: _Home, code: str, plan: Plan, items_won: int, fee: int, now: datetime) -> Order:
    """The order as it will be inserted (an unsaved instance; _insert gives it its id)."""
    return Order(
        code=code,
        customer=user,
        region_id=home.region_id,
        status=OrderStatus.PLACED.value,
        delivery_address=home.address,
        delivery_lat=home.lat,
        delivery_lng=home.lng,
        delivery_cell=home.cell,
        items_won=items_won,
        delivery_fee_won=fee,
        total_won=items_won + fee,
        allocation=plan.as_dict(),
        placed_at=now,
    )


@dataclass(frozen=True)
class _PaymentValues:
    """A Payment row to insert (authorised)."""

    tender: str
    provider: str
    reference: str
    amount_won: int


@dataclass(frozen=True)
class _Split:
    """The voucher part of a placement: its row, and whether that row is inserted beside the
    card's (False: it is the order's only payment, inserted with the order)."""

    vouchers: _PaymentValues
    separate_row: bool


@dataclass(frozen=True)
class _Ids:
    """The ids the database gave the rows of a placement."""

    order: int
    shipments: dict[int, int]  # hub id -> shipment id
    lines: dict[tuple[int, int], int]  # (shipment id, product id) -> line id
    payment: int


# (hub_id, promise_kind, slot_id, promised_from, promised_by, travel_minutes, items_won)
_ShipmentValues = tuple[int, str, int | None, datetime, datetime, float, int]
# (hub_id, product_id, merchant_id, quantity, unit_price_won, substitution, charged_won)
_LineValues = tuple[int, int, int, int, int, str, int]


def _insert(
    user: User,
    order: Order,
    plan: Plan,
    hubs: Mapping[int, ServingHub],
    slots: Mapping[int, SlotRow],
    products: Mapping[int, ProductRow],
    lines: Sequence[LineRequest],
    first: _PaymentValues,
    split: _Split | None,
    now: datetime,
) -> WrittenOrder:
    """Insert order, shipments, lines, payment and the 'placed' event (one statement on
    PostgreSQL, five on SQLite), then hold the vouchers when there is a voucher part, then
    reserve the stock and book the slots (the contended statements, last)."""
    subs = {ln.product_id: ln.substitution for ln in lines}
    shipment_values: list[_ShipmentValues] = []
    for s in plan.shipments:
        slot = slots.get(s.hub_id)
        if slot is not None:
            starts, ends = slot.starts_at, slot.ends_at
        else:
            starts, ends = now, now + timedelta(minutes=max(s.eta_minutes or 0, 1))
        items = sum(products[p].price_won * n for p, n in s.lines.items())
        kind = SLOT if slot is not None else INSTANT
        shipment_values.append(
            (s.hub_id, kind, slot.id if slot else None, starts, ends, s.travel_minutes, items)
        )
    line_values: list[_LineValues] = [
        (s.hub_id, p, products[p].merchant_id, n, products[p].price_won, subs[p], products[p].price_won * n)
        for s in plan.shipments
        for p, n in sorted(s.lines.items())
    ]
    actor_id = user.pk if user.is_authenticated else None
    insert = _insert_at_once if connection.vendor == "postgresql" else _insert_one_by_one
    ids = insert(order, shipment_values, line_values, first, actor_id, now)
    order.pk = ids.order
    order._state.adding = False
    order._state.db = connection.alias
    held: tuple[tuple[WrittenPayment, ...], tuple[WrittenEvent, ...]] = ((), ())
    if split is not None:
        # The vouchers are held here: after the insert, because their holds name the
        # shipments, which got their ids just now; before the stock reservation, because
        # holding takes a dozen statements (the wallet's balance and expiry, the merchants'
        # receivables, one pending transfer per merchant and wallet) that would otherwise run
        # while this placement keeps the hottest rows of the platform, the stock, locked until
        # its commit. The rows the holds lock are the resident's own wallets and the
        # receivables of the basket's merchants, which only voucher payments touch.
        held = _hold_vouchers(user, order, split, ids, shipment_values, line_values, actor_id, now)

    # The contended statements, last: the hot stock rows, then the slots (always in this
    # order, so that placements queue on them instead of deadlocking).
    requests = [StockRequest(s.hub_id, p, n) for s in plan.shipments for p, n in s.lines.items()]
    short = reserve_for_checkout(requests, order_id=order.pk, actor_id=user.pk)
    if short:
        missing: dict[int, int] = {}
        for r in short:
            missing[r.product_id] = missing.get(r.product_id, 0) + r.quantity
        names = {p: row.name for p, row in products.items()}
        raise OutOfStock(shortage_message(missing, names, prefix="Sold out meanwhile. "), field="lines")
    if slots:
        _book(slots, hubs)

    shipments = tuple(
        WrittenShipment(
            id=ids.shipments[hub_id],
            hub_id=hub_id,
            hub_slug=hubs[hub_id].slug,
            hub_name=hubs[hub_id].name,
            promise_kind=kind,
            slot_starts_at=slots[hub_id].starts_at if slot_id is not None else None,
            slot_ends_at=slots[hub_id].ends_at if slot_id is not None else None,
            promised_from=starts,
            promised_by=ends,
            travel_minutes=travel,
            items_won=items,
            placed_at=now,
            lines=tuple(
                WrittenLine(
                    id=ids.lines[(ids.shipments[hub_id], p)],
                    product_id=p,
                    product_name=products[p].name,
                    quantity=n,
                    unit_price_won=price,
                    substitution=sub,
                    charged_won=charged,
                )
                for line_hub, p, _merchant, n, price, sub, charged in line_values
                if line_hub == hub_id
            ),
        )
        for hub_id, kind, slot_id, starts, ends, travel, items in shipment_values
    )
    authorised = Payment.Status.AUTHORISED.value
    payment = WrittenPayment(ids.payment, first.tender, first.provider, authorised, first.amount_won)
    data = _placed_data([(s.id, s.hub_id, s.promise_kind, s.promised_by) for s in shipments], payment)
    placed = OrderStatus.PLACED.value
    event = WrittenEvent(at=now, kind="placed", to_status=placed, actor=user if actor_id else None, data=data)
    return WrittenOrder(order, shipments, payment, event, *held)


def _hold_vouchers(
    user: User,
    order: Order,
    split: _Split,
    ids: _Ids,
    shipments: Sequence[_ShipmentValues],
    lines: Sequence[_LineValues],
    actor_id: int | None,
    now: datetime,
) -> tuple[tuple[WrittenPayment, ...], tuple[WrittenEvent, ...]]:
    """Hold the voucher part (tender.hold_vouchers; the wallet's refusals leave from here),
    insert the voucher Payment row when it goes beside the card's, record 'voucher_held'."""
    part = split.vouchers
    by_line = [(ids.shipments[hub], merchant, charged) for hub, _p, merchant, _n, _u, _s, charged in lines]
    promised = {ids.shipments[hub]: ends for hub, _k, _slot, _from, ends, _t, _i in shipments}
    held = hold_vouchers(user, order.pk, by_line, part.amount_won, timeout_at=promised, now=now)
    authorised = Payment.Status.AUTHORISED.value
    more: tuple[WrittenPayment, ...] = ()
    payment_id = ids.payment
    if split.separate_row:
        row = Payment.objects.create(
            order=order,
            tender=part.tender,
            provider=part.provider,
            reference=part.reference,
            status=authorised,
            authorised_won=part.amount_won,
            created_at=now,
            updated_at=now,
        )
        payment_id = row.pk
        more = (WrittenPayment(row.pk, part.tender, part.provider, authorised, part.amount_won),)
    data: dict[str, object] = {
        "payment_id": payment_id,
        "tender": part.tender,
        "provider": part.provider,
        "amount_won": part.amount_won,
        "holds": [
            {"shipment_id": h.shipment_id, "merchant_id": h.merchant_id, "amount_won": h.amount_won}
            for h in held
        ],
    }
    actor = user if actor_id else None
    record_event(order, "voucher_held", actor=actor, data=data, at=now)
    return more, (WrittenEvent(at=now, kind="voucher_held", to_status="", actor=actor, data=data),)


def _order_values(order: Order, at: object) -> list[Any]:
    return [
        order.code, order.customer_id, order.region_id, order.status, order.delivery_address,
        order.delivery_lat, order.delivery_lng, order.delivery_cell, order.items_won,
        order.delivery_fee_won, order.total_won, order.currency, json.dumps(order.allocation), at,
    ]  # fmt: skip


def _code_clash(error: IntegrityError) -> bool:
    """Whether the INSERT failed on the order code's uniqueness (10 random characters)."""
    constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) or ""
    return "code" in constraint or "orders_order.code" in str(error)


def _insert_at_once(
    order: Order,
    shipments: Sequence[_ShipmentValues],
    lines: Sequence[_LineValues],
    payment: _PaymentValues,
    actor_id: int | None,
    now: datetime,
) -> _Ids:
    """PostgreSQL: all five inserts in one statement (see placement_sql.insert_all_sql)."""
    params: list[Any] = _order_values(order, now)
    # One array per column (placement_sql.insert_all_sql): the same statement for any basket.
    # The shipment rows: (n, *values, promised_by as ISO 8601 text for the event's data).
    rows = [(n, *values, values[4].isoformat()) for n, values in enumerate(shipments)]
    params += [list(column) for column in zip(*rows, strict=True)]
    params += [list(column) for column in zip(*lines, strict=True)]
    params += [OrderStatus.PLACED.value, now, LineStatus.PENDING.value]
    params += [
        payment.tender,
        payment.provider,
        payment.reference,
        Payment.Status.AUTHORISED.value,
        payment.amount_won,
        now,
        now,
    ]
    params += [OrderStatus.PLACED.value, actor_id, now]
    with connection.cursor() as cursor:
        try:
            cursor.execute(q.insert_all_sql(), params)
        except IntegrityError as error:
            if _code_clash(error):  # pragma: no cover
                raise Conflict("Please try again.", code="order_code_clash") from None
            raise
        rows = cursor.fetchall()
    by_kind: dict[str, list[tuple[int, int | None, int | None]]] = {}
    for what, id_, ref, product_id in rows:
        by_kind.setdefault(what, []).append((id_, ref, product_id))
    return _Ids(
        order=by_kind["order"][0][0],
        shipments={hub_id: id_ for id_, hub_id, _ in by_kind["shipment"] if hub_id is not None},
        lines={(sid, pid): id_ for id_, sid, pid in by_kind["line"] if sid is not None and pid is not None},
        payment=by_kind["payment"][0][0],
    )


def _insert_one_by_one(
    order: Order,
    shipments: Sequence[_ShipmentValues],
    lines: Sequence[_LineValues],
    first: _PaymentValues,
    actor_id: int | None,
    now: datetime,
) -> _Ids:
    """SQLite (no data-modifying CTEs): order, shipments, lines, payment, event: five INSERTs."""
    at = connection.ops.adapt_datetimefield_value(now)
    placed = OrderStatus.PLACED.value
    with connection.cursor() as cursor:
        try:
            cursor.execute(q.order_sql(), _order_values(order, at))
        except IntegrityError:  # pragma: no cover - a clash of 10 random characters
            raise Conflict("Please try again.", code="order_code_clash") from None
        order_id = cursor.fetchone()[0]
        adapt = connection.ops.adapt_datetimefield_value
        params: list[Any] = []
        for hub_id, kind, slot_id, starts, ends, travel, items in shipments:
            params += [order_id, hub_id, placed, kind, slot_id, adapt(starts), adapt(ends), travel, items, at]
        cursor.execute(q.shipments_sql(len(shipments)), params)
        shipment_ids = {hub_id: sid for sid, hub_id in cursor.fetchall()}
        params = []
        for hub_id, product_id, merchant_id, n, price, sub, charged in lines:
            params += [
                order_id, shipment_ids[hub_id], product_id, merchant_id, n, price, sub,
                LineStatus.PENDING.value, 0, 0, charged,
            ]  # fmt: skip
        cursor.execute(q.lines_sql(len(lines)), params)
        line_ids = {(sid, pid): lid for lid, sid, pid in cursor.fetchall()}
        authorised = Payment.Status.AUTHORISED.value
        cursor.execute(
            q.PAYMENT_INSERT,
            [
                order_id,
                first.tender,
                first.provider,
                first.reference,
                authorised,
                first.amount_won,
                0,
                0,
                at,
                at,
            ],
        )
        payment_id = cursor.fetchone()[0]
        refs = [
            (shipment_ids[hub_id], hub_id, kind, ends) for hub_id, kind, _s, _f, ends, _t, _i in shipments
        ]
        payment = WrittenPayment(payment_id, first.tender, first.provider, authorised, first.amount_won)
        data = _placed_data(refs, payment)
        cursor.execute(
            q.event_sql(), [order_id, None, "placed", "", placed, actor_id, "", json.dumps(data), at]
        )
    return _Ids(order_id, shipment_ids, line_ids, payment_id)


def _book(slots: Mapping[int, SlotRow], hubs: Mapping[int, ServingHub]) -> None:
    """booked + 1 in every slot, one conditional UPDATE; SlotFull when one has no room left
    (the caller's transaction rolls back the others)."""
    ids = sorted(slot.id for slot in slots.values())
    with connection.cursor() as cursor:
        cursor.execute(q.book_slots_sql(len(ids)), ids)
        booked = {row[0] for row in cursor.fetchall()}
    for hub_id, slot in sorted(slots.items()):
        if slot.id not in booked:
            when = f"{timezone.localtime(slot.starts_at):%Y-%m-%d %H:%M}"
            raise SlotFull(
                f"the {when} slot of {hubs[hub_id].name} is full; please choose another", field="slot"
            )


def _placed_data(
    shipments: Sequence[tuple[int, int, str, datetime]], payment: WrittenPayment
) -> dict[str, object]:
    """The 'placed' event's data; `shipments`: (id, hub_id, promise_kind, promised_by). On
    PostgreSQL placement_sql.insert_all_sql builds the same in SQL."""
    return {
        "shipments": [
            {"id": id_, "hub_id": hub_id, "promise_kind": kind, "promised_by": promised_by.isoformat()}
            for id_, hub_id, kind, promised_by in shipments
        ],
        "payment": {
            "id": payment.id,
            "provider": payment.provider,
            "tender": payment.tender,
            "authorised_won": payment.authorised_won,
        },
    }
