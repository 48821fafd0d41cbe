"""Inbound shipments: a merchant's staff announce stock on its way to a hub; the hub's
operators receive it once (in full, in part, some damaged) or it is cancelled.

Only the good units received enter stock, each product with a RECEIPT movement that names
the shipment. Status changes are conditional updates, so a shipment is received only once
even when two operators press the button at the same moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from hyperlocal.catalog.models import Merchant, Product
from hyperlocal.catalog.services import can_edit_merchant
from hyperlocal.catalog.services.permissions import AnyUser
from hyperlocal.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hyperlocal.hubs.models import Hub
from hyperlocal.hubs.services import can_operate
from hyperlocal.inventory.models import InboundLine, InboundShipment, MovementKind
from hyperlocal.inventory.services.counters import StockRequest, add_on_hand, clean_quantity
from hyperlocal.inventory.services.permissions import require_merchant_staff, require_operator

MAX_LINES = 200
MAX_NOTE = 300
# How far from now an expected arrival may be announced.
MAX_PAST = timedelta(days=1)
MAX_AHEAD = timedelta(days=90)

EXPECTED = InboundShipment.Status.EXPECTED


@dataclass(frozen=True)
class ReceivedLine:
    """What arrived of one line: good units and damaged ones (received + damaged <= sent)."""

    product_id: int
    received: int
    damaged: int = 0


def _shipments() -> QuerySet[InboundShipment]:
    return InboundShipment.objects.select_related("merchant", "hub").prefetch_related("lines__product")


def create_inbound(
    user: AnyUser,
    *,
    merchant: Merchant,
    hub: Hub,
    expected_at: datetime,
    lines: Sequence[tuple[int, int]],
    note: str = "",
    now: datetime | None = None,
) -> InboundShipment:
    """Announce (product_id, quantity) lines of the merchant's products on their way to the hub."""
    require_merchant_staff(user, merchant)
    now = now or timezone.now()
    if hub.status == Hub.Status.CLOSED:
        raise InvalidInput(f"{hub.name} is closed", field="hub")
    if not isinstance(expected_at, datetime) or timezone.is_naive(expected_at):
        raise InvalidInput("expected_at must be a date and time with its time zone", field="expected_at")
    if not now - MAX_PAST <= expected_at <= now + MAX_AHEAD:
        raise InvalidInput("expected_at must lie between a day ago and 90 days ahead", field="expected_at")
    if not isinstance(note, str) or len(note) > MAX_NOTE or "\x00" in note:
        raise InvalidInput(f"the note must be at most {MAX_NOTE} characters", field="note")
    if not lines or len(lines) > MAX_LINES:
        raise InvalidInput(f"send 1 to {MAX_LINES} lines", field="lines")
    quantities: dict[int, int] = {}
    for i, (product_id, quantity) in enumerate(lines):
        clean_quantity(quantity, field=f"lines.{i}.quantity")
        if product_id in quantities:
            raise InvalidInput(f"product {product_id} is listed twice", field=f"lines.{i}.product_id")
        quantities[product_id] = quantity
    ids = [p for p in quantities if isinstance(p, int) and 0 < p < 2**63]
    own = set(
        Product.objects.filter(pk__in=ids, merchant=merchant, is_active=True).values_list("pk", flat=True)
    )
    for i, (product_id, _) in enumerate(lines):
        if product_id not in own:
            raise InvalidInput(
                f"product {product_id} is not an active product of {merchant.name}",
                field=f"lines.{i}.product_id",
            )
    shipment = InboundShipment.objects.create(
        merchant=merchant,
        hub=hub,
        expected_at=expected_at,
        note=note.strip(),
        created_by_id=user.pk,
        created_at=now,
    )
    InboundLine.objects.bulk_create(
        [InboundLine(shipment=shipment, product_id=p, quantity_sent=q) for p, q in quantities.items()]
    )
    return _shipments().get(pk=shipment.pk)


def can_see_inbound(user: AnyUser, shipment: InboundShipment) -> bool:
    return can_edit_merchant(user, shipment.merchant) or can_operate(user, shipment.hub)


def get_inbound(user: AnyUser, inbound_id: int) -> InboundShipment:
    """The shipment with its lines, for the sender's staff and the hub's operators."""
    shipment = _shipments().filter(pk=inbound_id).first() if 0 < inbound_id < 2**63 else None
    if shipment is None:
        raise NotFound(f"no inbound shipment {inbound_id}", field="inbound_id")
    if not can_see_inbound(user, shipment):
        raise NotAllowed("only the sender's staff and the hub's operators may see this shipment")
    return shipment


def _close(shipment: InboundShipment, status: str, **fields: object) -> None:
    """EXPECTED -> status, once: a conditional update, Conflict if it was no longer expected."""
    if not InboundShipment.objects.filter(pk=shipment.pk, status=EXPECTED).update(status=status, **fields):
        current = InboundShipment.objects.filter(pk=shipment.pk).values_list("status", flat=True).first()
        raise Conflict(
            f"inbound shipment {shipment.pk} is {current}, no longer expected", code="inbound_not_expected"
        )


def _received_counts(
    shipment: InboundShipment, lines: Sequence[ReceivedLine] | None
) -> dict[int, tuple[int, int]]:
    sent = {line.product_id: line.quantity_sent for line in shipment.lines.all()}
    if lines is None:
        return {p: (q, 0) for p, q in sent.items()}
    counts: dict[int, tuple[int, int]] = {}
    for i, line in enumerate(lines):
        if line.product_id not in sent:
            raise InvalidInput(
                f"product {line.product_id} is not in this shipment", field=f"lines.{i}.product_id"
            )
        if line.product_id in counts:
            raise InvalidInput(f"product {line.product_id} is listed twice", field=f"lines.{i}.product_id")
        for name, value in (("received", line.received), ("damaged", line.damaged)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidInput(f"{name} must be a whole number >= 0", field=f"lines.{i}.{name}")
        if line.received + line.damaged > sent[line.product_id]:
            raise InvalidInput(
                f"{line.received} received + {line.damaged} damaged is more than the "
                f"{sent[line.product_id]} sent of product {line.product_id}",
                field=f"lines.{i}.received",
            )
        counts[line.product_id] = (line.received, line.damaged)
    missing = set(sent) - set(counts)
    if missing:
        raise InvalidInput(
            f"give what arrived of every line (missing: products {', '.join(map(str, sorted(missing)))})",
            field="lines",
        )
    return counts


def receive_inbound(
    user: AnyUser,
    shipment: InboundShipment,
    *,
    lines: Sequence[ReceivedLine] | None = None,
    now: datetime | None = None,
) -> InboundShipment:
    """The hub receives the shipment, once. Without `lines` everything sent arrived in good
    order; with them, every line says how many good and damaged units arrived (the rest
    never came). Good units enter stock with RECEIPT movements; the status becomes received."""
    require_operator(user, shipment.hub)
    counts = _received_counts(shipment, lines)
    now = now or timezone.now()
    _close(shipment, InboundShipment.Status.RECEIVED, received_by_id=user.pk, received_at=now)
    rows = list(shipment.lines.all())
    for row in rows:
        row.quantity_received, row.quantity_damaged = counts[row.product_id]
    InboundLine.objects.bulk_update(rows, ["quantity_received", "quantity_damaged"])
    good = [StockRequest(shipment.hub_id, p, r) for p, (r, _) in sorted(counts.items()) if r > 0]
    if good:
        add_on_hand(
            good,
            MovementKind.RECEIPT,
            reason=f"inbound #{shipment.pk} from {shipment.merchant.name}"[:200],
            actor_id=user.pk,
            inbound_id=shipment.pk,
            now=now,
        )
    return _shipments().get(pk=shipment.pk)


def cancel_inbound(user: AnyUser, shipment: InboundShipment) -> InboundShipment:
    """An expected shipment that will not come: its sender's staff or the hub's operators."""
    if not can_see_inbound(user, shipment):
        raise NotAllowed("only the sender's staff and the hub's operators may cancel this shipment")
    _close(shipment, InboundShipment.Status.CANCELLED)
    return _shipments().get(pk=shipment.pk)
