"""The stock counters: reserve, release, pick, substitute, return, and what is available.

These are the hot path of checkout. Every change is a conditional UPDATE (the database
refuses to oversell; Python never checks first), and reserve/release are one set-based
statement on PostgreSQL whatever the basket size. Rows are always locked in (hub, product)
order, so that two baskets touching the same rows queue instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import F
from django.utils import timezone

from hyperlocal.errors import Conflict, InvalidInput
from hyperlocal.inventory.models import InboundLine, InboundShipment, MovementKind, Stock, StockMovement

# The most units one request may move: far above any basket or delivery, far below int32.
MAX_UNITS = 1_000_000

STOCK = Stock._meta.db_table
MOVEMENT = StockMovement._meta.db_table
INBOUND = InboundShipment._meta.db_table
INBOUND_LINE = InboundLine._meta.db_table


@dataclass(frozen=True)
class StockRequest:
    """So many units of a product at a hub."""

    hub_id: int
    product_id: int
    quantity: int  # > 0


def clean_quantity(quantity: object, *, field: str = "quantity") -> int:
    """A whole number of units from 1 to MAX_UNITS, else InvalidInput."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= MAX_UNITS:
        raise InvalidInput(
            f"{field} must be a whole number from 1 to {MAX_UNITS}, got {quantity!r}", field=field
        )
    return quantity


def merge_requests(requests: Sequence[StockRequest]) -> list[StockRequest]:
    """Duplicates added up, sorted by (hub, product): the order rows are locked in."""
    totals: dict[tuple[int, int], int] = {}
    for r in requests:
        clean_quantity(r.quantity)
        key = (r.hub_id, r.product_id)
        totals[key] = totals.get(key, 0) + r.quantity
    for quantity in totals.values():
        clean_quantity(quantity)
    return [StockRequest(h, p, q) for (h, p), q in sorted(totals.items())]


def _arrays(requests: Sequence[StockRequest]) -> list[list[int]]:
    return [[r.hub_id for r in requests], [r.product_id for r in requests], [r.quantity for r in requests]]


def _pg_sql(change: str, condition: str) -> str:
    """One set-based UPDATE over unnest()ed requests. The rows are locked in (hub, product)
    order first (the sort sits under the row locks), then changed where `condition` still
    holds: PostgreSQL re-checks it on the newest version of a row another transaction changed."""
    return f"""
WITH r AS (
    SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::int[]) AS r(hub, product, q)
), locked AS MATERIALIZED (
    SELECT s.id FROM {STOCK} s JOIN r ON s.hub_id = r.hub AND s.product_id = r.product
    ORDER BY s.hub_id, s.product_id FOR UPDATE OF s
)
UPDATE {STOCK} AS s SET {change}, updated_at = %s
FROM r, locked
WHERE s.id = locked.id AND s.hub_id = r.hub AND s.product_id = r.product AND {condition}
RETURNING s.hub_id, s.product_id
"""


_PG_RESERVE = _pg_sql("reserved = s.reserved + r.q", "s.on_hand - s.reserved >= r.q")

# reserve_units and the RESERVE movements in one statement (checkout's last statements hold
# the hottest locks: one round trip less while they are held). The movements are written for
# the rows that were reserved; when some are short the caller rolls back, movements included.
_PG_RESERVE_WITH_MOVEMENTS = f"""
WITH r AS (
    SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::int[]) AS r(hub, product, q)
), locked AS MATERIALIZED (
    SELECT s.id FROM {STOCK} s JOIN r ON s.hub_id = r.hub AND s.product_id = r.product
    ORDER BY s.hub_id, s.product_id FOR UPDATE OF s
), done AS (
    UPDATE {STOCK} AS s SET reserved = s.reserved + r.q, updated_at = %s
    FROM r, locked
    WHERE s.id = locked.id AND s.hub_id = r.hub AND s.product_id = r.product
        AND s.on_hand - s.reserved >= r.q
    RETURNING s.hub_id, s.product_id, r.q
), moved AS (
    INSERT INTO {MOVEMENT} (hub_id, product_id, kind, on_hand_delta, reserved_delta, reason,
        actor_id, order_id, inbound_id, created_at)
    SELECT hub_id, product_id, %s::varchar, 0, q, '', %s::bigint, %s::bigint, NULL, %s::timestamptz
    FROM done
)
SELECT hub_id, product_id FROM done
"""
_PG_RELEASE = _pg_sql("reserved = s.reserved - r.q", "s.reserved >= r.q")
_PG_ADD_ON_HAND = _pg_sql("on_hand = s.on_hand + r.q", "TRUE")


def _run_pg(sql: str, requests: list[StockRequest], now: datetime) -> set[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_arrays(requests), now])
        return {(int(h), int(p)) for h, p in cursor.fetchall()}


def reserve_units(requests: Sequence[StockRequest]) -> list[StockRequest]:
    """reserved += q wherever on_hand - reserved >= q. Returns the (merged) requests that
    could not be reserved; [] means all were. Successful ones stay applied on a partial
    failure: the caller rolls back (raises inside its atomic block). Writes no movement."""
    merged = merge_requests(requests)
    if not merged:
        return []
    now = timezone.now()
    if connection.vendor == "postgresql":
        done = _run_pg(_PG_RESERVE, merged, now)
        return [r for r in merged if (r.hub_id, r.product_id) not in done]
    short = []
    for r in merged:
        changed = Stock.objects.filter(
            hub_id=r.hub_id, product_id=r.product_id, on_hand__gte=F("reserved") + r.quantity
        ).update(reserved=F("reserved") + r.quantity, updated_at=now)
        if not changed:
            short.append(r)
    return short


def release_units(requests: Sequence[StockRequest]) -> None:
    """reserved -= q, set-based. Releasing more than is reserved is a bookkeeping error:
    Conflict (code "release_exceeds_reserved"); the caller's transaction rolls back."""
    merged = merge_requests(requests)
    if not merged:
        return
    now = timezone.now()
    if connection.vendor == "postgresql":
        done = _run_pg(_PG_RELEASE, merged, now)
        failed = [r for r in merged if (r.hub_id, r.product_id) not in done]
    else:
        failed = [
            r
            for r in merged
            if not Stock.objects.filter(
                hub_id=r.hub_id, product_id=r.product_id, reserved__gte=r.quantity
            ).update(reserved=F("reserved") - r.quantity, updated_at=now)
        ]
    if failed:
        names = ", ".join(f"{r.quantity} x product {r.product_id} at hub {r.hub_id}" for r in failed)
        raise Conflict(f"cannot release more than is reserved: {names}", code="release_exceeds_reserved")


def write_movements(
    requests: Sequence[StockRequest],
    kind: str,
    *,
    on_hand_sign: int,
    reserved_sign: int,
    order_id: int | None = None,
    inbound_id: int | None = None,
    actor_id: int | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> None:
    """One bulk insert for all of them."""
    at = now or timezone.now()
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                hub_id=r.hub_id,
                product_id=r.product_id,
                kind=kind,
                on_hand_delta=on_hand_sign * r.quantity,
                reserved_delta=reserved_sign * r.quantity,
                reason=reason[:200],
                actor_id=actor_id,
                order_id=order_id,
                inbound_id=inbound_id,
                created_at=at,
            )
            for r in requests
        ]
    )


def reserve_for_order(
    requests: Sequence[StockRequest], *, order_id: int, actor_id: int | None = None
) -> list[StockRequest]:
    """reserve_units, then (when nothing is short) one bulk insert of RESERVE movements:
    two statements on PostgreSQL. Same return as reserve_units."""
    merged = merge_requests(requests)
    short = reserve_units(merged)
    if not short:
        write_movements(
            merged,
            MovementKind.RESERVE,
            on_hand_sign=0,
            reserved_sign=1,
            order_id=order_id,
            actor_id=actor_id,
        )
    return short


def reserve_for_checkout(
    requests: Sequence[StockRequest], *, order_id: int, actor_id: int | None = None
) -> list[StockRequest]:
    """reserve_for_order as the checkout's last statements need it: on PostgreSQL the
    reservation and its RESERVE movements are one statement (one round trip less while the
    hot rows are locked). Same return; on a shortfall the caller must roll back (movements
    of the rows that were reserved are written too). SQLite: one UPDATE and one INSERT."""
    merged = merge_requests(requests)
    if not merged:
        return []
    now = timezone.now()
    if connection.vendor != "postgresql":
        return _reserve_sqlite(merged, order_id=order_id, actor_id=actor_id, now=now)
    with connection.cursor() as cursor:
        cursor.execute(
            _PG_RESERVE_WITH_MOVEMENTS,
            [*_arrays(merged), now, MovementKind.RESERVE.value, actor_id, order_id, now],
        )
        done = {(int(h), int(p)) for h, p in cursor.fetchall()}
    return [r for r in merged if (r.hub_id, r.product_id) not in done]


def _reserve_sqlite(
    merged: list[StockRequest], *, order_id: int, actor_id: int | None, now: datetime
) -> list[StockRequest]:
    """SQLite (writers are serialised, no locks to order): one UPDATE ... FROM (VALUES ...)
    for the basket, then the movements when nothing is short."""
    values = ", ".join(["(%s, %s, %s)"] * len(merged))
    sql = (
        f"WITH r(hub, product, q) AS (VALUES {values}) "
        f"UPDATE {STOCK} SET reserved = {STOCK}.reserved + r.q, updated_at = %s FROM r "
        f"WHERE {STOCK}.hub_id = r.hub AND {STOCK}.product_id = r.product "
        f"AND {STOCK}.on_hand - {STOCK}.reserved >= r.q "
        f"RETURNING {STOCK}.hub_id, {STOCK}.product_id"
    )
    params: list[Any] = [x for r in merged for x in (r.hub_id, r.product_id, r.quantity)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, connection.ops.adapt_datetimefield_value(now)])
        done = {(int(h), int(p)) for h, p in cursor.fetchall()}
    short = [r for r in merged if (r.hub_id, r.product_id) not in done]
    if not short:
        write_movements(
            merged,
            MovementKind.RESERVE,
            on_hand_sign=0,
            reserved_sign=1,
            order_id=order_id,
            actor_id=actor_id,
            now=now,
        )
    return short


def release_for_order(
    requests: Sequence[StockRequest], *, order_id: int, actor_id: int | None, reason: str
) -> None:
    """reserved -= q with RELEASE movements (a cancellation, a short pick)."""
    merged = merge_requests(requests)
    release_units(merged)
    write_movements(
        merged,
        MovementKind.RELEASE,
        on_hand_sign=0,
        reserved_sign=-1,
        order_id=order_id,
        actor_id=actor_id,
        reason=reason,
    )


def pick_for_order(request: StockRequest, *, order_id: int, actor_id: int | None) -> None:
    """The reserved units leave with the order: on_hand -= q and reserved -= q, PICK movement.
    Conflict (code "pick_exceeds_reserved") when fewer units are reserved."""
    q = clean_quantity(request.quantity)
    changed = Stock.objects.filter(
        hub_id=request.hub_id, product_id=request.product_id, reserved__gte=q
    ).update(on_hand=F("on_hand") - q, reserved=F("reserved") - q, updated_at=timezone.now())
    if not changed:
        raise Conflict(
            f"cannot pick {q} x product {request.product_id}: fewer are reserved at hub {request.hub_id}",
            code="pick_exceeds_reserved",
        )
    write_movements(
        [request], MovementKind.PICK, on_hand_sign=-1, reserved_sign=-1, order_id=order_id, actor_id=actor_id
    )


def take_for_substitute(request: StockRequest, *, order_id: int, actor_id: int | None) -> bool:
    """A substitute that was not reserved: on_hand -= q where that many are available, with a
    PICK movement (reserved unchanged). False, and nothing written, when there are not."""
    q = clean_quantity(request.quantity)
    changed = Stock.objects.filter(
        hub_id=request.hub_id, product_id=request.product_id, on_hand__gte=F("reserved") + q
    ).update(on_hand=F("on_hand") - q, updated_at=timezone.now())
    if changed:
        write_movements(
            [request],
            MovementKind.PICK,
            on_hand_sign=-1,
            reserved_sign=0,
            order_id=order_id,
            actor_id=actor_id,
        )
    return bool(changed)


def ensure_rows(pairs: Collection[tuple[int, int]]) -> None:
    """Stock rows for these (hub, product) pairs, created empty where missing (one INSERT
    ... ON CONFLICT DO NOTHING, safe against a concurrent creation)."""
    Stock.objects.bulk_create(
        [Stock(hub_id=h, product_id=p) for h, p in sorted(set(pairs))], ignore_conflicts=True
    )


def add_on_hand(
    requests: Sequence[StockRequest],
    kind: str,
    *,
    reason: str,
    actor_id: int | None,
    order_id: int | None = None,
    inbound_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """on_hand += q (rows created where missing) with one movement of `kind` each."""
    merged = merge_requests(requests)
    ensure_rows([(r.hub_id, r.product_id) for r in merged])
    at = now or timezone.now()
    if connection.vendor == "postgresql":
        _run_pg(_PG_ADD_ON_HAND, merged, at)
    else:
        for r in merged:
            Stock.objects.filter(hub_id=r.hub_id, product_id=r.product_id).update(
                on_hand=F("on_hand") + r.quantity, updated_at=at
            )
    write_movements(
        merged,
        kind,
        on_hand_sign=1,
        reserved_sign=0,
        order_id=order_id,
        inbound_id=inbound_id,
        actor_id=actor_id,
        reason=reason,
        now=at,
    )


def return_to_stock(
    request: StockRequest, *, order_id: int | None, actor_id: int | None, reason: str
) -> None:
    """Units back on the shelf (a cancellation after picking, a failed delivery, a customer
    return): on_hand += q with a RETURN movement."""
    add_on_hand([request], MovementKind.RETURN, reason=reason, actor_id=actor_id, order_id=order_id)


def available_at(hub_ids: Collection[int], product_ids: Collection[int]) -> dict[tuple[int, int], int]:
    """(hub_id, product_id) -> on_hand - reserved; pairs without a stock row are absent. One query."""
    if not hub_ids or not product_ids:
        return {}
    rows = Stock.objects.filter(hub_id__in=list(hub_ids), product_id__in=list(product_ids)).values_list(
        "hub_id", "product_id", "on_hand", "reserved"
    )
    return {(h, p): on_hand - reserved for h, p, on_hand, reserved in rows}


def incoming_for(
    hub_ids: Collection[int], product_ids: Collection[int], *, now: datetime
) -> list[tuple[datetime, int, int, int]]:
    """Expected inbound stock: (expected_at, hub_id, product_id, quantity_sent) per line of
    the EXPECTED shipments, soonest first. A shipment already overdue is expected any minute:
    its time is given as `now`. One query."""
    if not hub_ids or not product_ids:
        return []
    hubs, products = list(hub_ids), list(product_ids)
    # Raw SQL: checkout reads this for every basket it cannot serve (the refusal's message
    # says from when it can be delivered), so it skips the ORM's query building.
    sql = (
        f"SELECT sh.expected_at, sh.hub_id, ln.product_id, ln.quantity_sent "
        f"FROM {INBOUND_LINE} ln JOIN {INBOUND} sh ON sh.id = ln.shipment_id "
        f"WHERE sh.status = %s AND sh.hub_id IN ({', '.join(['%s'] * len(hubs))}) "
        f"AND ln.product_id IN ({', '.join(['%s'] * len(products))}) "
        f"ORDER BY sh.expected_at, sh.hub_id, ln.product_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [InboundShipment.Status.EXPECTED.value, *hubs, *products])
        rows = cursor.fetchall()
    return [(max(_aware(at), now), h, p, q) for at, h, p, q in rows]


def _aware(value: datetime) -> datetime:
    """A datetime read with a raw cursor: SQLite gives naive UTC, PostgreSQL aware UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
