"""Read-side views of orders: the hub's pick list and live board, a customer's orders and
the tracking timeline. Each reads in a fixed, small number of queries (no N+1)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from hyperlocal.catalog.models import Product
from hyperlocal.errors import NotAllowed, NotFound
from hyperlocal.hubs.models import Hub
from hyperlocal.hubs.services import can_operate
from hyperlocal.hubs.services.permissions import AnyUser
from hyperlocal.inventory.models import Stock
from hyperlocal.orders.models import LineStatus, Order, OrderEvent, OrderLine, OrderStatus, Shipment

__all__ = [
    "BOARD_STATUSES",
    "RECENT_HOURS",
    "BoardCard",
    "BoardColumn",
    "HubBoard",
    "PickListEntry",
    "TimelineEntry",
    "customer_orders",
    "get_customer_order",
    "get_hub_shipment",
    "hub_board",
    "order_timeline",
    "pick_list",
    "status_paths",
]

S = OrderStatus

# The board's columns, left to right; delivered shows only the last RECENT_HOURS.
BOARD_STATUSES: tuple[str, ...] = (
    S.PLACED,
    S.PICKING,
    S.PACKED,
    S.OUT_FOR_DELIVERY,
    S.DELIVERY_FAILED,
    S.DELIVERED,
)
RECENT_HOURS = 6
_NO_ZONE = "\uffff"  # sorts lines without a known place after every zone name


@dataclass(frozen=True)
class PickListEntry:
    shipment: Shipment
    order_code: str
    line: OrderLine
    product_name: str
    quantity: int
    zone: str  # "" when the hub has no place recorded for the product
    bin: str
    promised_by: datetime
    substitution: str  # the customer's choice: allow / ask / never
    status: str  # pending, or proposed (waiting for the customer's answer)


def pick_list(hub: Hub) -> list[PickListEntry]:
    """The lines still to pick at `hub` (shipments placed or picking), in walking order:
    by zone name, bin, then the earliest promise. One query."""
    place = Stock.objects.filter(hub_id=OuterRef("shipment__hub_id"), product_id=OuterRef("product_id"))
    lines = (
        OrderLine.objects.filter(
            shipment__hub=hub,
            shipment__status__in=(S.PLACED, S.PICKING),
            status__in=(LineStatus.PENDING, LineStatus.PROPOSED),
        )
        .select_related("shipment", "shipment__order", "product")
        .annotate(
            zone_name=Subquery(place.values("zone__name")[:1]),
            bin_label=Coalesce(Subquery(place.values("bin")[:1]), Value("")),
        )
        .annotate(zone_key=Coalesce(F("zone_name"), Value(_NO_ZONE)))
        .order_by("zone_key", "bin_label", "shipment__promised_by", "shipment_id", "pk")
    )
    return [
        PickListEntry(
            shipment=line.shipment,
            order_code=line.shipment.order.code,
            line=line,
            product_name=line.product.name_ko,
            quantity=line.quantity,
            zone=line.zone_name or "",
            bin=line.bin_label,
            promised_by=line.shipment.promised_by,
            substitution=line.substitution,
            status=line.status,
        )
        for line in lines
    ]


@dataclass(frozen=True)
class BoardCard:
    shipment_id: int
    order_code: str
    status: str
    items: int  # units ordered
    promise_kind: str
    promised_by: datetime
    minutes_left: int  # until the promise; negative = late by that many minutes
    late: bool
    awaiting_answer: bool  # a substitute waits for the customer's answer


@dataclass(frozen=True)
class BoardColumn:
    status: str
    label: str
    cards: tuple[BoardCard, ...]


@dataclass(frozen=True)
class HubBoard:
    hub: Hub
    now: datetime
    columns: tuple[BoardColumn, ...]

    def column(self, status: str) -> BoardColumn:
        return next(c for c in self.columns if c.status == status)

    @property
    def late_count(self) -> int:
        return sum(1 for c in self.columns for card in c.cards if card.late)


def _minutes_left(promised_by: datetime, now: datetime) -> int:
    """Whole minutes until the promise, rounded towards "later": 90 s left is 1, 30 s late is -1."""
    return math.floor((promised_by - now).total_seconds() / 60)


def hub_board(hub: Hub, *, now: datetime | None = None) -> HubBoard:
    """The hub's shipments by status with the promise countdown; delivered ones of the last
    RECENT_HOURS only. A card is late when the promise has passed before delivery (or when
    it was delivered after its promise). One query."""
    now = now or timezone.now()
    proposed = OrderLine.objects.filter(shipment_id=OuterRef("pk"), status=LineStatus.PROPOSED)
    shipments = (
        Shipment.objects.filter(hub=hub, status__in=BOARD_STATUSES)
        .filter(~Q(status=S.DELIVERED) | Q(delivered_at__gte=now - timedelta(hours=RECENT_HOURS)))
        .select_related("order")
        .annotate(units=Coalesce(Sum("lines__quantity"), 0), awaiting=Exists(proposed))
        .order_by("promised_by", "pk")
    )
    cards: dict[str, list[BoardCard]] = {status: [] for status in BOARD_STATUSES}
    for s in shipments:
        done_at = s.delivered_at if s.status == S.DELIVERED else now
        cards[s.status].append(
            BoardCard(
                shipment_id=s.pk,
                order_code=s.order.code,
                status=s.status,
                items=int(s.units),
                promise_kind=s.promise_kind,
                promised_by=s.promised_by,
                minutes_left=_minutes_left(s.promised_by, now),
                late=done_at is not None and done_at > s.promised_by,
                awaiting_answer=bool(s.awaiting),
            )
        )
    columns = tuple(
        BoardColumn(status=st, label=str(S(st).label), cards=tuple(cards[st])) for st in BOARD_STATUSES
    )
    return HubBoard(hub=hub, now=now, columns=columns)


def customer_orders(user: AnyUser) -> QuerySet[Order]:
    """The user's own orders, newest first, with their shipments and hubs prefetched."""
    if not user.is_authenticated:
        return Order.objects.none()
    return (
        Order.objects.filter(customer_id=user.pk)
        .prefetch_related("shipments__hub")
        .order_by("-placed_at", "-pk")
    )


def _as_id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**63 else None
    if isinstance(value, str) and value.isdecimal() and len(value) < 19:
        return int(value) or None
    return None


def get_customer_order(user: AnyUser, order_id: int) -> Order:
    """The user's order; NotFound for an unknown id and for another user's order alike (the
    answer never tells whether someone else's order exists)."""
    pk = _as_id(order_id)
    order = customer_orders(user).filter(pk=pk).first() if pk is not None else None
    if order is None:
        raise NotFound("no such order", field="order_id", code="order_not_found")
    return order


def get_hub_shipment(actor: AnyUser, shipment_id: int) -> Shipment:
    """A shipment for the hub screens: NotFound when there is none, NotAllowed when the actor
    does not run its hub."""
    pk = _as_id(shipment_id)
    shipment = (
        Shipment.objects.select_related("hub", "order")
        .prefetch_related("lines__product")
        .filter(pk=pk)
        .first()
        if pk is not None
        else None
    )
    if shipment is None:
        raise NotFound("no such shipment", field="shipment_id", code="shipment_not_found")
    if not can_operate(actor, shipment.hub):
        raise NotAllowed("only the hub's operators may see this shipment", code="not_hub_operator")
    return shipment


@dataclass(frozen=True)
class TimelineEntry:
    label: str
    at: datetime
    actor: str  # the name of who did it; "" for the system


def _status_label(status: str) -> str:
    try:
        return str(S(status).label)
    except ValueError:
        return status


_PAYMENT_LABELS = {
    "payment_reduced": lambda: _("amount to pay lowered by {amount} won"),
    "payment_captured": lambda: _("paid {amount} won"),
    "payment_voided": lambda: _("payment of {amount} won released"),
    "payment_refunded": lambda: _("refunded {amount} won"),
}
# The voucher tender's steps (tender.py), and its own events.
_VOUCHER_LABELS = {
    "payment_reduced": lambda: _("voucher part lowered by {amount} won"),
    "payment_captured": lambda: _("paid {amount} won with vouchers"),
    "payment_voided": lambda: _("voucher hold of {amount} won released"),
    "payment_refunded": lambda: _("refunded {amount} won to your vouchers"),
    "voucher_held": lambda: _("{amount} won of your vouchers held"),
    "payment_uncollected": lambda: _("{amount} won of vouchers not collected (the hold lapsed)"),
}


def _label(ev: OrderEvent, split: bool, lines: dict[int, str], products: dict[int, str]) -> str:
    data = ev.data if isinstance(ev.data, dict) else {}
    product = lines.get(data.get("line_id", 0), "")
    substitute = products.get(data.get("substitute_id", 0), "")
    if ev.kind == "transition":
        text = _status_label(ev.to_status)
        if ev.note:
            text = f"{text} ({ev.note})"
    elif ev.kind == "line_picked":
        text = _("picked {quantity} x {product}").format(quantity=data.get("picked", ""), product=product)
    elif ev.kind == "line_short":
        text = _("found {picked} of {quantity} x {product}").format(
            picked=data.get("picked", ""), quantity=data.get("quantity", ""), product=product
        )
    elif ev.kind == "line_substituted":
        text = _("{product} replaced by {substitute}").format(product=product, substitute=substitute)
    elif ev.kind == "substitute_proposed":
        text = _("{product} is missing: {substitute} proposed instead, your answer is needed").format(
            product=product, substitute=substitute
        )
    elif ev.kind == "substitute_accepted":
        text = _("substitute {substitute} accepted").format(substitute=substitute)
    elif ev.kind == "substitute_declined":
        text = _("substitute for {product} declined").format(product=product)
    elif ev.kind == "placed":
        text = _("order placed")
    elif data.get("tender") == "voucher" and ev.kind in _VOUCHER_LABELS:
        text = _VOUCHER_LABELS[ev.kind]().format(amount=f"{int(data.get('amount_won', 0)):,}")
    elif ev.kind in _PAYMENT_LABELS:
        text = _PAYMENT_LABELS[ev.kind]().format(amount=f"{int(data.get('amount_won', 0)):,}")
    else:
        text = ev.kind.replace("_", " ")
    if split and ev.shipment is not None:
        text = f"{ev.shipment.hub.name}: {text}"
    return text


def order_timeline(order: Order) -> list[TimelineEntry]:
    """The order's events in time order as (label, time, actor name) for the tracking page.
    With two shipments, each label names its hub. Three queries."""
    events = list(
        OrderEvent.objects.filter(order_id=order.pk)
        .select_related("actor", "shipment__hub")
        .order_by("at", "pk")
    )
    lines: dict[int, str] = {}
    shipment_ids: set[int] = set()
    for pk, shipment_id, name in OrderLine.objects.filter(order_id=order.pk).values_list(
        "pk", "shipment_id", "product__name_ko"
    ):
        lines[pk] = name
        shipment_ids.add(shipment_id)
    substitute_ids = {
        ev.data["substitute_id"]
        for ev in events
        if isinstance(ev.data, dict) and isinstance(ev.data.get("substitute_id"), int)
    }
    products = (
        dict(Product.objects.filter(pk__in=substitute_ids).values_list("pk", "name_ko"))
        if substitute_ids
        else {}
    )
    split = len(shipment_ids) > 1
    return [
        TimelineEntry(
            label=_label(ev, split, lines, products),
            at=ev.at,
            actor=(ev.actor.get_full_name() or ev.actor.get_username()) if ev.actor is not None else "",
        )
        for ev in events
    ]


def status_paths(shipment_ids: Iterable[int]) -> dict[int, list[str]]:
    """The statuses each shipment went through, in time order (its transition events), by
    shipment id; a shipment with none is absent. One query."""
    paths: dict[int, list[str]] = {}
    events = (
        OrderEvent.objects.filter(shipment_id__in=list(shipment_ids))
        .exclude(to_status="")
        .order_by("at", "pk")
        .values_list("shipment_id", "to_status")
    )
    for shipment_id, to_status in events:
        paths.setdefault(shipment_id, []).append(to_status)
    return paths
