"""The SQL of the checkout's hot path, built once per shape and kept as plain strings.

Placing an order is the platform's busiest write. Through the ORM it spent most of its time
in Python (query compilation, model instances) while the transaction held its locks, so the
statements here are written out once: raw `connection.cursor()` calls with %s parameters,
table names from the models' `_meta`, no model instances. They run on PostgreSQL and SQLite
(>= 3.35, for RETURNING); the few places that differ say so and pick by `connection.vendor`.
Statements whose shape depends on a count (IN lists, multi-row VALUES) are built per count
and cached.

Nothing here decides anything: checkout.py, candidates.py and inventory's counters.py say
what is written and in which order (the contended conditional UPDATEs come last, so that the
hot rows stay locked for as short a time as possible).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db import connection, models

from hyperlocal.accounts.models import Household
from hyperlocal.catalog.models import Merchant, Product
from hyperlocal.hubs.models import Hub, OpeningHours, ServiceAreaCell
from hyperlocal.inventory.models import Stock
from hyperlocal.orders.models import (
    DeliverySlot,
    FulfilmentPolicy,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Shipment,
)

HOUSEHOLD = Household._meta.db_table
PRODUCT = Product._meta.db_table
MERCHANT = Merchant._meta.db_table
HUB = Hub._meta.db_table
HOURS = OpeningHours._meta.db_table
SERVICE_CELL = ServiceAreaCell._meta.db_table
STOCK = Stock._meta.db_table
SLOT = DeliverySlot._meta.db_table
POLICY = FulfilmentPolicy._meta.db_table
ORDER = Order._meta.db_table
SHIPMENT = Shipment._meta.db_table
LINE = OrderLine._meta.db_table
PAYMENT = Payment._meta.db_table
EVENT = OrderEvent._meta.db_table


def _policy_default(name: str) -> Any:
    field = FulfilmentPolicy._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.get_default()


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _placeholders(n: int) -> str:
    """%s, %s, ... for an IN list; NULL for an empty one (matches nothing)."""
    return ", ".join(["%s"] * n) if n else "NULL"


# -- reads -------------------------------------------------------------------------------------


def queue_cap_sql() -> str:
    """The smallest picking queue with which the instant ETA (promise.instant_eta_minutes)
    exceeds the hub's promise even with no ride at all: ceil(q * pick / pickers) + prep >
    promise  <=>  q > (promise - prep) * pickers / pick, so q = floor(that) + 1. Any queue
    shorter than this is counted exactly; a longer one is counted as this many, which still
    breaks the promise (so the ETA shown for a late hub can be lower than the true one). The
    policy's columns, or the model's defaults for a hub without a policy; 0 without a hub."""
    budget = "(h.promise_minutes - h.prep_minutes)"
    pickers = f"COALESCE(p.pickers, {int(_policy_default('pickers'))})"
    pick = f"COALESCE(p.pick_minutes_per_order, {int(_policy_default('pick_minutes_per_order'))})"
    return (
        f"COALESCE(CASE WHEN {budget} < 0 OR {pick} <= 0 THEN 0 "
        f"ELSE {budget} * {pickers} / {pick} + 1 END, 0)"
    )


def _queue_column(postgres: bool, live_queue: bool) -> str:
    """The picking queue's length, counted in the statement (live_queue), or NULL when the
    caller takes it from the per-process cache (picking_queue.queue_lengths)."""
    if not live_queue:
        return "NULL"
    waiting = f"""SELECT 1 FROM {SHIPMENT} q
        WHERE q.hub_id = sac.hub_id AND q.status IN (%s, %s)
        AND (q.promise_kind = %s OR q.promised_from <= %s)"""
    if postgres:
        # Counted only up to queue_cap: beyond it the instant ETA breaks the promise whatever
        # the ride, so the exact length changes nothing and the count stays bounded however
        # long the queue grows. (SQLite refuses an outer column in LIMIT: it counts them all.)
        return f"(SELECT COUNT(*) FROM ({waiting} LIMIT {queue_cap_sql()}) waiting)"
    return f"(SELECT COUNT(*) FROM ({waiting}) waiting)"


def _hub_columns(postgres: bool, live_queue: bool) -> str:
    # The opening windows come along as one text ("weekday opens closes,...") so that the hubs,
    # their policy, picking queue, hours and the requested slot are a single round trip.
    aggregate = "string_agg" if postgres else "group_concat"
    return f"""sac.hub_id, h.name, h.slug, h.promise_minutes, h.prep_minutes, sac.travel_minutes,
    p.pickers, p.pick_minutes_per_order, p.instant_enabled, p.slot_lead_minutes, p.same_day_cutoff,
    {_queue_column(postgres, live_queue)} AS queue,
    (SELECT {aggregate}(CAST(w.weekday AS TEXT) || ' ' || CAST(w.opens_at AS TEXT) || ' '
        || CAST(w.closes_at AS TEXT), ',') FROM {HOURS} w WHERE w.hub_id = sac.hub_id) AS hours,
    ds.id, ds.starts_at, ds.ends_at, ds.capacity, ds.booked"""


def queue_lengths_sql() -> str:
    """Every hub's picking queue (what the live column counts, uncapped), for the cache.
    Parameters: the two queued statuses, the instant kind, the queue horizon."""
    return f"""SELECT q.hub_id, COUNT(*) FROM {SHIPMENT} q
WHERE q.status IN (%s, %s) AND (q.promise_kind = %s OR q.promised_from <= %s)
GROUP BY q.hub_id"""


HUB_COLUMNS = 18


@lru_cache(maxsize=4)
def _serving_hubs_sql(postgres: bool, live_queue: bool) -> str:
    return f"""
SELECT {_hub_columns(postgres, live_queue)}
FROM {SERVICE_CELL} sac
JOIN {HUB} h ON h.id = sac.hub_id
LEFT JOIN {POLICY} p ON p.hub_id = sac.hub_id
LEFT JOIN {SLOT} ds ON ds.hub_id = sac.hub_id AND ds.starts_at = %s
WHERE sac.cell = %s AND h.status = %s
ORDER BY sac.hub_id
"""


def serving_hubs_sql(*, live_queue: bool) -> str:
    """Parameters: (live_queue only: the two queued statuses, the instant kind, the queue
    horizon), the slot start (or None), the cell, the open status. Columns: HUB_COLUMNS."""
    return _serving_hubs_sql(_postgres(), live_queue)


@lru_cache(maxsize=4)
def _home_and_hubs_sql(postgres: bool, live_queue: bool) -> str:
    # The household's home and, joined on its cell, the open hubs serving it: one row with
    # NULL hub columns when none does (so the home is read either way).
    return f"""
SELECT hh.region_id, hh.address, hh.lat, hh.lng, hh.home_cell, {_hub_columns(postgres, live_queue)}
FROM {HOUSEHOLD} hh
LEFT JOIN ({SERVICE_CELL} sac JOIN {HUB} h ON h.id = sac.hub_id AND h.status = %s)
    ON sac.cell = hh.home_cell
LEFT JOIN {POLICY} p ON p.hub_id = sac.hub_id
LEFT JOIN {SLOT} ds ON ds.hub_id = sac.hub_id AND ds.starts_at = %s
WHERE hh.id = %s
ORDER BY sac.hub_id
"""


def home_and_hubs_sql(*, live_queue: bool) -> str:
    """Parameters: (live_queue only: the two queued statuses, the instant kind, the queue
    horizon), the open status, the slot start (or None), the household id. Columns: the
    home's region_id, address, lat, lng, home_cell, then HUB_COLUMNS (NULL when no hub serves
    the home)."""
    return _home_and_hubs_sql(_postgres(), live_queue)


@lru_cache(maxsize=256)
def basket_sql(hubs: int, products: int) -> str:
    """The products (existing ones, with whether they are on sale) and their stock rows at the
    hubs. Parameters: the hub ids, then the product ids."""
    return f"""
SELECT p.id, p.merchant_id, p.name_ko, p.unit, p.price_won, p.is_active AND m.is_active,
    s.hub_id, s.on_hand, s.reserved
FROM {PRODUCT} p
JOIN {MERCHANT} m ON m.id = p.merchant_id
LEFT JOIN {STOCK} s ON s.product_id = p.id AND s.hub_id IN ({_placeholders(hubs)})
WHERE p.id IN ({_placeholders(products)})
"""


# -- the rows of an order ------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _order_sql(postgres: bool) -> str:
    cast = "%s::jsonb" if postgres else "%s"
    return f"""
INSERT INTO {ORDER} (code, customer_id, region_id, status, delivery_address, delivery_lat,
    delivery_lng, delivery_cell, items_won, delivery_fee_won, total_won, currency, allocation,
    placed_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, {cast}, %s)
RETURNING id
"""


def order_sql() -> str:
    return _order_sql(_postgres())


def _values(rows: int, columns: int) -> str:
    row = "(" + ", ".join(["%s"] * columns) + ")"
    return ", ".join([row] * rows)


SHIPMENT_COLUMNS = 10


@lru_cache(maxsize=8)
def shipments_sql(rows: int) -> str:
    """RETURNING (id, hub_id): a shipment is known by its hub (one per order and hub), so
    nothing depends on the order of the returned rows."""
    return f"""
INSERT INTO {SHIPMENT} (order_id, hub_id, status, promise_kind, slot_id, promised_from, promised_by,
    travel_minutes, items_won, placed_at)
VALUES {_values(rows, SHIPMENT_COLUMNS)}
RETURNING id, hub_id
"""


LINE_COLUMNS = 11


@lru_cache(maxsize=64)
def lines_sql(rows: int) -> str:
    """RETURNING (id, shipment_id, product_id): a line is known by its shipment and product."""
    return f"""
INSERT INTO {LINE} (order_id, shipment_id, product_id, merchant_id, quantity, unit_price_won,
    substitution, status, picked_quantity, substitute_quantity, charged_won)
VALUES {_values(rows, LINE_COLUMNS)}
RETURNING id, shipment_id, product_id
"""


PAYMENT_INSERT = f"""
INSERT INTO {PAYMENT} (order_id, tender, provider, reference, status, authorised_won, captured_won,
    refunded_won, created_at, updated_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
RETURNING id
"""


@lru_cache(maxsize=4)
def _event_sql(postgres: bool) -> str:
    cast = "%s::jsonb" if postgres else "%s"
    return f"""
INSERT INTO {EVENT} (order_id, shipment_id, kind, from_status, to_status, actor_id, note, data, at)
VALUES (%s, %s, %s, %s, %s, %s, %s, {cast}, %s)
"""


def event_sql() -> str:
    return _event_sql(_postgres())


def insert_all_sql() -> str:
    """PostgreSQL: order, shipments, lines, payment and the 'placed' event in one statement
    (data-modifying CTEs; each later insert takes the ids the earlier ones RETURN), one round
    trip instead of five. The event's data is built here as _placed_data builds it in Python.
    Shipments and lines arrive as one array per column (unnest), so that every order has the
    same statement: prepared once per connection, its parameters converted from psycopg's
    cache (which skips statements with more than 50 parameters).

    Parameters, in order: the 14 order values; the shipment columns as arrays (n, hub_id,
    promise_kind, slot_id, promised_from, promised_by, travel_minutes, items_won, promised_by
    as ISO 8601 text); the line columns as arrays (hub_id, product_id, merchant_id, quantity,
    unit_price_won, substitution, charged_won); shipment status, placed_at; line status;
    payment (tender, provider, reference, status, authorised_won, created_at, updated_at);
    event (to_status, actor_id, at). Returns rows (what, id, shipment or hub id, product id)."""
    return INSERT_ALL


INSERT_ALL = f"""
WITH o AS (
    INSERT INTO {ORDER} (code, customer_id, region_id, status, delivery_address, delivery_lat,
        delivery_lng, delivery_cell, items_won, delivery_fee_won, total_won, currency, allocation,
        placed_at)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s)
    RETURNING id
), sv AS (
    SELECT * FROM unnest(%s::int[], %s::bigint[], %s::varchar[], %s::bigint[], %s::timestamptz[],
        %s::timestamptz[], %s::float8[], %s::bigint[], %s::text[])
        AS sv (n, hub_id, kind, slot_id, promised_from, promised_by, travel, items, by_iso)
), lv AS (
    SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::int[], %s::bigint[],
        %s::varchar[], %s::bigint[])
        AS lv (hub_id, product_id, merchant_id, quantity, price, substitution, charged)
), s AS (
    INSERT INTO {SHIPMENT} (order_id, hub_id, status, promise_kind, slot_id, promised_from,
        promised_by, travel_minutes, items_won, placed_at)
    SELECT o.id, sv.hub_id, %s, sv.kind, sv.slot_id, sv.promised_from, sv.promised_by, sv.travel,
        sv.items, %s::timestamptz
    FROM o, sv ORDER BY sv.n
    RETURNING id, hub_id
), l AS (
    INSERT INTO {LINE} (order_id, shipment_id, product_id, merchant_id, quantity, unit_price_won,
        substitution, status, picked_quantity, substitute_quantity, charged_won)
    SELECT o.id, s.id, lv.product_id, lv.merchant_id, lv.quantity, lv.price, lv.substitution, %s,
        0, 0, lv.charged
    FROM o, lv JOIN s ON s.hub_id = lv.hub_id
    RETURNING id, shipment_id, product_id
), p AS (
    INSERT INTO {PAYMENT} (order_id, tender, provider, reference, status, authorised_won,
        captured_won, refunded_won, created_at, updated_at)
    SELECT o.id, %s, %s, %s, %s, %s, 0, 0, %s, %s FROM o
    RETURNING id, tender, provider, authorised_won
), e AS (
    INSERT INTO {EVENT} (order_id, shipment_id, kind, from_status, to_status, actor_id, note,
        data, at)
    SELECT o.id, NULL, 'placed', '', %s, %s, '', jsonb_build_object(
        'shipments', (
            SELECT jsonb_agg(jsonb_build_object('id', s.id, 'hub_id', s.hub_id,
                'promise_kind', sv.kind, 'promised_by', sv.by_iso) ORDER BY sv.n)
            FROM s JOIN sv ON sv.hub_id = s.hub_id
        ),
        'payment', jsonb_build_object('id', p.id, 'provider', p.provider, 'tender', p.tender,
            'authorised_won', p.authorised_won)
    ), %s
    FROM o, p
)
SELECT 'order', id, NULL::bigint, NULL::bigint FROM o
UNION ALL SELECT 'shipment', id, hub_id, NULL FROM s
UNION ALL SELECT 'line', id, shipment_id, product_id FROM l
UNION ALL SELECT 'payment', id, NULL, NULL FROM p
"""


# -- the contended update, last ----------------------------------------------------------------


@lru_cache(maxsize=16)
def _book_slots_sql(postgres: bool, slots: int) -> str:
    # booked + 1 where there is still room: the database refuses to overbook, Python never
    # checks first. On PostgreSQL the rows are locked in id order first, so that two orders
    # booking the same two slots queue instead of deadlocking (SQLite serialises writers).
    ids = _placeholders(slots)
    if not postgres:
        return f"UPDATE {SLOT} SET booked = booked + 1 WHERE id IN ({ids}) AND booked < capacity RETURNING id"
    return f"""
WITH locked AS MATERIALIZED (SELECT id FROM {SLOT} WHERE id IN ({ids}) ORDER BY id FOR UPDATE)
UPDATE {SLOT} AS ds SET booked = ds.booked + 1
FROM locked WHERE ds.id = locked.id AND ds.booked < ds.capacity
RETURNING ds.id
"""


def book_slots_sql(slots: int) -> str:
    """Parameters: the slot ids. Returns the ids booked; a missing one was full."""
    return _book_slots_sql(_postgres(), slots)
