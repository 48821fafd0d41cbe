"""Checkout throughput on PostgreSQL: the service layer, the HTTP API and a raw-SQL baseline.

Run from the repository root with the project's virtualenv:

    .venv/bin/python bench/checkout.py                  # full run (16 clients)
    .venv/bin/python bench/checkout.py --quick          # a small smoke run (< 60 s)

The script creates its own database (default `hyperlocal_bench` on the server of
--database-url), builds a small world in it (Mapo-gu, hubs with service areas, slots,
products with opening stock, customers with homes and API tokens), then places the same
planned orders three times from the same starting stock:

1. service layer: `place_order` inside `transaction.atomic()`, as the API edge calls it;
2. HTTP: `POST /api/orders` against gunicorn with as many workers as cores;
3. baseline: plain psycopg writing the same rows to the same tables, one statement per row.

It prints orders/s, p50/p99 latency, failures by code, the ratio to the baseline, SQL
queries per placed order (service layer) and an oversell check after each phase. The
database is dropped at the end unless --keep is given. See bench/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import multiprocessing as mp
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as dtime
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_DB_NAME = "hyperlocal_bench"
# Written on the database we create; an existing database is dropped only if it carries it.
DB_MARKER = "scratch database of hyperlocal bench/checkout.py; safe to drop"
SEED = 20240601

TARGET_SERVICE_RATIO = 0.5
TARGET_HTTP_RATIO = 0.25
TARGET_QUERIES = 15

Kind = Literal["instant", "slot"]


# --- sizes and plans ------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    clients: int
    orders_per_client: int
    customers: int
    products: int
    hot_products: int
    hubs: int
    count_orders: int  # orders of the single-process query-count pass
    hot_share: float = 0.5  # share of lines that go to the hot products
    hot_stock_ratio: float = 0.7  # hot stock = this share of the planned hot demand at the hub


FULL = Scale(
    clients=16, orders_per_client=250, customers=1000, products=200, hot_products=8, hubs=3, count_orders=300
)
QUICK = Scale(
    clients=4, orders_per_client=15, customers=80, products=40, hot_products=4, hubs=2, count_orders=25
)


@dataclass(frozen=True)
class Customer:
    user_id: int
    region_id: int
    lat: float
    lng: float
    cell: str
    address: str
    hub_id: int  # the nearest hub that serves the home (the baseline's fixed choice)
    travel_minutes: float
    token: str = ""


@dataclass(frozen=True)
class PlannedOrder:
    customer: int  # index into World.customers
    lines: tuple[tuple[int, int], ...]  # (product_id, quantity), distinct products
    kind: Kind
    slot_starts_at: datetime | None


@dataclass
class World:
    hub_ids: list[int]
    hub_promise: dict[int, tuple[int, int]]  # hub -> (promise_minutes, prep_minutes)
    products: dict[int, tuple[int, int]]  # product -> (price_won, merchant_id)
    hot: list[int]
    cold: list[int]
    customers: list[Customer]
    slot_starts: list[datetime]
    slot_minutes: int
    initial_stock: dict[tuple[int, int], int] = field(default_factory=dict)
    delivery_fee_won: int = 3000
    free_delivery_from_won: int = 30000


@dataclass
class ClientResult:
    started: float
    finished: float
    latencies_ok: list[float]
    latencies_failed: list[float]
    failures: Counter[str]
    errors: list[str]


@dataclass
class Oversell:
    bad_rows: int  # stock rows with reserved > on_hand, on_hand < 0 or reserved < 0
    oversold_rows: int  # (hub, product) whose live order lines exceed on hand
    reserved_total: int
    live_lines_total: int
    reserved_mismatch_rows: int  # rows whose reserved differs from their live order lines
    slot_mismatch: int  # slots whose booked differs from their live shipments, or above capacity
    incomplete_orders: int  # orders without a shipment, a line or a payment

    @property
    def count(self) -> int:
        return self.bad_rows + self.oversold_rows

    @property
    def clean(self) -> bool:
        return (
            self.count == 0
            and self.reserved_total == self.live_lines_total
            and self.reserved_mismatch_rows == 0
            and self.slot_mismatch == 0
            and self.incomplete_orders == 0
        )


@dataclass
class PhaseResult:
    name: str
    wall_s: float
    ok: int
    failed: int
    failures: Counter[str]
    p50_ms: float | None
    p99_ms: float | None
    oversell: Oversell | None = None
    errors: list[str] = field(default_factory=list)
    waits: dict[str, float] = field(default_factory=dict)  # server process states, shares
    client_cpu_s: float = 0.0  # CPU time of the client processes (not of gunicorn or PostgreSQL)

    @property
    def orders_per_s(self) -> float:
        return self.ok / self.wall_s if self.wall_s > 0 else 0.0


# --- databases ------------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise SystemExit(f"--database-url must name a database: {url}")
    return name


def admin_url_for(url: str) -> str:
    """The maintenance database on the same server (to create and drop the bench database)."""
    return with_database(url, "postgres")


def create_database(url: str) -> None:
    """A fresh database; an old one of ours (marked) is dropped first, anyone else's is refused."""
    name = database_name(url)
    with psycopg.connect(admin_url_for(url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if row is not None:
            if row[0] != DB_MARKER:
                raise SystemExit(
                    f"database {name!r} exists and was not made by this script: refusing to touch it "
                    "(choose another name with --database-url)"
                )
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(DB_MARKER))
        )


def drop_database(url: str) -> None:
    name = database_name(url)
    with psycopg.connect(admin_url_for(url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if row is not None and row[0] == DB_MARKER:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def server_version(url: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def bench_environment(url: str) -> dict[str, str]:
    """What the project's settings read: the bench database, DEBUG off (no query log)."""
    return {
        "DJANGO_SETTINGS_MODULE": "hyperlocal.settings",
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "ERROR",
    }


def setup_django(url: str) -> None:
    os.environ.update(bench_environment(url))
    import django

    django.setup()


# --- the world ------------------------------------------------------------------------------


def build_world(scale: Scale, rng_seed: int, *, say: Callable[[str], None]) -> World:
    """Mapo-gu, hubs with service areas and slots, products, customers and tokens."""
    import random

    import h3
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from hyperlocal.accounts.models import Household, User
    from hyperlocal.accounts.services import issue_token
    from hyperlocal.catalog.models import BusinessCategory, Merchant, Product, ProductCategory, RevenueBand
    from hyperlocal.geo import Point, cell_of
    from hyperlocal.hubs.models import ServiceAreaCell
    from hyperlocal.hubs.services import create_hub, set_opening_hours
    from hyperlocal.orders.models import DeliverySlot, FulfilmentPolicy
    from hyperlocal.orders.services.promise import ensure_slots
    from hyperlocal.regions.models import Region
    from hyperlocal.regions.services import load_mapo, regions_for_cells

    rng = random.Random(rng_seed)
    say("loading Mapo-gu")
    load_mapo()
    admin = User.objects.create_superuser("bench-admin", password=None)

    dongs = list(Region.objects.filter(level=Region.Level.DONG).order_by("code"))
    picks = [
        dongs[(i * len(dongs)) // scale.hubs + len(dongs) // (2 * scale.hubs)] for i in range(scale.hubs)
    ]
    hubs = []
    say(f"opening {scale.hubs} hubs and computing their service areas")
    for n, dong in enumerate(picks):
        assert dong.centroid_lat is not None
        assert dong.centroid_lng is not None
        hub = create_hub(
            admin,
            name=f"Bench hub {n + 1}",
            slug=f"bench-hub-{n + 1}",
            address=f"{dong.name_en} bench hub",
            lat=dong.centroid_lat,
            lng=dong.centroid_lng,
            floor_area_m2=300,
            promise_minutes=30,
            prep_minutes=10,
        )
        # Open around the clock (two windows a day) so that instant orders work at any hour.
        set_opening_hours(
            admin,
            hub,
            [(d, w[0], w[1]) for d in range(7) for w in (("00:00", "12:00"), ("12:00", "00:00"))],
        )
        # Slot capacity large enough that no slot fills; many pickers so that the instant
        # ETA stays within the promise however long the queue grows during the run.
        FulfilmentPolicy.objects.update_or_create(
            hub=hub,
            defaults={
                "pickers": 5000,
                "pick_minutes_per_order": 1,
                "slot_minutes": 60,
                "slot_capacity": 30000,
                "same_day_cutoff": dtime(23, 59),
                "slot_lead_minutes": 30,
                "instant_enabled": True,
            },
        )
        hubs.append(hub)
    hub_ids = [h.pk for h in hubs]

    today = timezone.localdate()
    for hub in hubs:
        for day in (today, today + timedelta(days=1)):
            ensure_slots(hub, day)
    tomorrow = today + timedelta(days=1)
    starts_by_hub = [
        {
            timezone.localtime(s)
            for s in DeliverySlot.objects.filter(hub=hub, starts_at__date=tomorrow).values_list(
                "starts_at", flat=True
            )
        }
        for hub in hubs
    ]
    common = sorted(set.intersection(*starts_by_hub))
    daytime = [s for s in common if 9 <= s.hour < 21] or common
    if not daytime:
        raise SystemExit("ensure_slots made no common slots for tomorrow: cannot plan slot orders")
    slot_starts = daytime[:10]

    say(f"creating {scale.products} products")
    region = dongs[0]
    merchants = [
        Merchant.objects.create(
            name=f"Bench merchant {m + 1}",
            slug=f"bench-merchant-{m + 1}",
            region=region,
            business_category=BusinessCategory.GROCERY,
            revenue_band=RevenueBand.UNDER_300M,
        )
        for m in range(4)
    ]
    categories = [c.value for c in ProductCategory]
    products = Product.objects.bulk_create(
        [
            Product(
                merchant=merchants[p % len(merchants)],
                sku=f"BENCH-{p + 1:04d}",
                name_ko=f"벤치 상품 {p + 1}",
                name_en=f"Bench product {p + 1}",
                category=categories[p % len(categories)],
                unit="1 pack",
                price_won=rng.randrange(1000, 20000, 100),
            )
            for p in range(scale.products)
        ]
    )
    product_info = {p.pk: (p.price_won, p.merchant_id) for p in products}
    ids = [p.pk for p in products]
    hot, cold = ids[: scale.hot_products], ids[scale.hot_products :]

    say(f"creating {scale.customers} customers with homes in the service areas")
    minutes: dict[str, dict[int, float]] = {}
    for hub_id, cell, travel in ServiceAreaCell.objects.filter(hub_id__in=hub_ids).values_list(
        "hub_id", "cell", "travel_minutes"
    ):
        minutes.setdefault(cell, {})[hub_id] = travel
    cell_regions = regions_for_cells(minutes)  # the cells are at the region resolution too
    if settings.SERVICE_AREA_RESOLUTION != settings.NEIGHBOURHOOD_RESOLUTION:
        raise SystemExit("the bench expects home cells at the service-area resolution")
    usable = sorted(c for c in minutes if c in cell_regions and min(minutes[c].values()) <= 15)
    homes = [rng.choice(usable) for _ in range(scale.customers)]
    now = timezone.now()
    with transaction.atomic():
        households = []
        for n, cell in enumerate(homes):
            lat, lng = h3.cell_to_latlng(cell)
            households.append(
                Household(
                    region=cell_regions[cell],
                    address=f"bench home {n + 1}",
                    lat=lat,
                    lng=lng,
                    home_cell=cell_of(Point(lat, lng), settings.NEIGHBOURHOOD_RESOLUTION),
                    source="bench",
                    external_id=f"bench-{n + 1}",
                    created_at=now,
                )
            )
        Household.objects.bulk_create(households)
        users = User.objects.bulk_create(
            [
                User(username=f"bench{n + 1:05d}", password="!", household=hh, date_joined=now)
                for n, hh in enumerate(households)
            ]
        )
    customers = []
    for user, hh in zip(users, households, strict=True):
        delivery_cell = cell_of(Point(hh.lat, hh.lng), settings.SERVICE_AREA_RESOLUTION)
        options = minutes[delivery_cell]
        nearest = min(options, key=lambda h: (options[h], h))
        _, key = issue_token(user, "bench")
        customers.append(
            Customer(
                user_id=user.pk,
                region_id=hh.region_id,
                lat=hh.lat,
                lng=hh.lng,
                cell=delivery_cell,
                address=hh.address,
                hub_id=nearest,
                travel_minutes=options[nearest],
                token=key,
            )
        )
    return World(
        hub_ids=hub_ids,
        hub_promise={h.pk: (h.promise_minutes, h.prep_minutes) for h in hubs},
        products=product_info,
        hot=hot,
        cold=cold,
        customers=customers,
        slot_starts=slot_starts,
        slot_minutes=60,
        delivery_fee_won=settings.DELIVERY_FEE_WON,
        free_delivery_from_won=settings.FREE_DELIVERY_FROM_WON,
    )


def service_available() -> bool:
    try:
        from hyperlocal.orders.services import place_order  # noqa: F401
    except ImportError:
        return False
    return True


def make_plans(
    world: World, scale: Scale, seed: int, *, clients: int, per_client: int
) -> list[list[PlannedOrder]]:
    """The orders each client places, the same in every phase: 1-5 distinct products, about
    `hot_share` of the lines on the hot products, half instant and half slot deliveries."""
    import random

    rng = random.Random(seed)
    plans = []
    for _ in range(clients):
        orders = []
        for _ in range(per_client):
            wanted = rng.randint(1, 5)
            chosen: dict[int, int] = {}
            while len(chosen) < wanted:
                if rng.random() < scale.hot_share:
                    product = rng.choice(world.hot)
                    quantity = rng.randint(1, 2)
                else:
                    product = rng.choice(world.cold)
                    quantity = rng.randint(1, 3)
                chosen.setdefault(product, quantity)
            kind: Kind = "instant" if rng.random() < 0.5 else "slot"
            orders.append(
                PlannedOrder(
                    customer=rng.randrange(len(world.customers)),
                    lines=tuple(chosen.items()),
                    kind=kind,
                    slot_starts_at=rng.choice(world.slot_starts) if kind == "slot" else None,
                )
            )
        plans.append(orders)
    return plans


def stock_levels(
    world: World, scale: Scale, plans: Sequence[Sequence[PlannedOrder]]
) -> dict[tuple[int, int], int]:
    """Cold products: plenty everywhere. Hot products: at each hub about `hot_stock_ratio`
    of what the plan asks of it (by nearest hub), so that late hot orders run out."""
    demand: Counter[tuple[int, int]] = Counter()
    for orders in plans:
        for order in orders:
            hub = world.customers[order.customer].hub_id
            for product, quantity in order.lines:
                demand[hub, product] += quantity
    levels = {}
    for hub in world.hub_ids:
        for product in world.products:
            if product in world.hot:
                levels[hub, product] = max(1, int(demand[hub, product] * scale.hot_stock_ratio))
            else:
                levels[hub, product] = max(100, 10 * demand[hub, product])
    return levels


def write_opening_stock(world: World) -> None:
    """Stock rows with their RECEIPT movements, through the inventory services."""
    from django.db import transaction

    from hyperlocal.inventory.models import MovementKind
    from hyperlocal.inventory.services import StockRequest, add_on_hand

    requests = [StockRequest(h, p, q) for (h, p), q in sorted(world.initial_stock.items())]
    with transaction.atomic():
        add_on_hand(requests, MovementKind.RECEIPT, reason="opening stock (bench)", actor_id=None)


ORDER_TABLES = (
    "orders_orderevent",
    "orders_idempotencyrecord",
    "orders_payment",
    "orders_orderline",
    "orders_shipment",
    "orders_order",
    "orders_stockhold",
    "orders_cartline",
    "orders_cart",
)


def reset_state(url: str, world: World) -> None:
    """The same starting point for every phase: no orders, no order movements, the opening
    stock, empty slots; then VACUUM ANALYZE so that every phase starts on clean tables."""
    with psycopg.connect(url, autocommit=True) as conn:
        with conn.transaction():
            # CASCADE: rows of other domains that point at orders (a courier's trip stops)
            # go with them; the bench writes none.
            conn.execute(
                sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                    sql.SQL(", ").join(sql.Identifier(t) for t in ORDER_TABLES)
                )
            )
            conn.execute("DELETE FROM inventory_stockmovement WHERE kind <> 'receipt'")
            with conn.cursor() as cur:
                cur.executemany(
                    "UPDATE inventory_stock SET on_hand = %s, reserved = 0 "
                    "WHERE hub_id = %s AND product_id = %s",
                    [(q, h, p) for (h, p), q in world.initial_stock.items()],
                )
            conn.execute("UPDATE orders_deliveryslot SET booked = 0")
        for table in (*ORDER_TABLES, "inventory_stock", "inventory_stockmovement", "orders_deliveryslot"):
            conn.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))


LIVE = "('placed', 'picking', 'packed', 'out_for_delivery')"


def check_oversell(url: str) -> Oversell:
    with psycopg.connect(url, autocommit=True) as conn:

        def one(query: str) -> int:
            row = conn.execute(query).fetchone()
            return int(row[0] or 0) if row else 0

        live_lines = f"""
            SELECT s.hub_id, l.product_id, sum(l.quantity) AS q
            FROM orders_orderline l JOIN orders_shipment s ON s.id = l.shipment_id
            WHERE s.status IN {LIVE} AND l.status = 'pending'
            GROUP BY s.hub_id, l.product_id
        """
        return Oversell(
            bad_rows=one(
                "SELECT count(*) FROM inventory_stock WHERE reserved > on_hand OR on_hand < 0 OR reserved < 0"
            ),
            oversold_rows=one(
                f"SELECT count(*) FROM ({live_lines}) x JOIN inventory_stock st "
                "ON st.hub_id = x.hub_id AND st.product_id = x.product_id WHERE x.q > st.on_hand"
            ),
            reserved_total=one("SELECT sum(reserved) FROM inventory_stock"),
            live_lines_total=one(f"SELECT sum(q) FROM ({live_lines}) x"),
            reserved_mismatch_rows=one(
                f"SELECT count(*) FROM inventory_stock st FULL JOIN ({live_lines}) x "
                "ON st.hub_id = x.hub_id AND st.product_id = x.product_id "
                "WHERE coalesce(st.reserved, 0) <> coalesce(x.q, 0)"
            ),
            slot_mismatch=one(
                f"""SELECT count(*) FROM orders_deliveryslot d
                LEFT JOIN (SELECT slot_id, count(*) AS n FROM orders_shipment
                           WHERE slot_id IS NOT NULL AND status IN {LIVE} GROUP BY slot_id) s
                ON s.slot_id = d.id
                WHERE d.booked <> coalesce(s.n, 0) OR d.booked > d.capacity"""
            ),
            incomplete_orders=one(
                """SELECT count(*) FROM orders_order o
                WHERE NOT EXISTS (SELECT 1 FROM orders_shipment s WHERE s.order_id = o.id)
                   OR NOT EXISTS (SELECT 1 FROM orders_orderline l WHERE l.order_id = o.id)
                   OR NOT EXISTS (SELECT 1 FROM orders_payment p WHERE p.order_id = o.id)
                   OR o.items_won <> (SELECT coalesce(sum(l.quantity * l.unit_price_won), 0)
                                      FROM orders_orderline l WHERE l.order_id = o.id)"""
            ),
        )


# --- the clients ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientJob:
    index: int
    phase: str
    url: str
    orders: list[PlannedOrder]
    world: World
    http_port: int = 0


def _run_timed(
    job: ClientJob, barrier: Barrier, place: Callable[[int, PlannedOrder], str | None]
) -> ClientResult:
    """Wait for every client, then place the orders one after the other; `place` returns
    None when the order was placed, else a failure code."""
    ok: list[float] = []
    bad: list[float] = []
    failures: Counter[str] = Counter()
    errors: list[str] = []
    barrier.wait()
    started = time.monotonic()
    for n, order in enumerate(job.orders):
        t0 = time.perf_counter()
        try:
            code = place(n, order)
        except Exception as exc:  # a bench must report, not die: every surprise is counted
            code = f"exception:{type(exc).__name__}"
            if len(errors) < 3:
                errors.append("".join(traceback.format_exception_only(exc)).strip()[:500])
        elapsed = time.perf_counter() - t0
        if code is None:
            ok.append(elapsed)
        else:
            bad.append(elapsed)
            failures[code] += 1
    return ClientResult(started, time.monotonic(), ok, bad, failures, errors)


def idempotency_key(job: ClientJob, n: int) -> str:
    return f"bench-{job.phase}-{job.index}-{n}"


def service_client(job: ClientJob, barrier: Barrier) -> ClientResult:
    """Phase 1: `place_order` inside `transaction.atomic()`, as the API edge calls it."""
    from django.db import connection, transaction

    from hyperlocal.accounts.models import User
    from hyperlocal.errors import DomainError
    from hyperlocal.orders.services import DeliveryChoice, LineRequest, place_order

    connection.close()  # never share the parent's connection
    users = User.objects.in_bulk([job.world.customers[o.customer].user_id for o in job.orders])

    def place(n: int, order: PlannedOrder) -> str | None:
        user = users[job.world.customers[order.customer].user_id]
        lines = [LineRequest(product_id=p, quantity=q) for p, q in order.lines]
        delivery = DeliveryChoice(kind=order.kind, slot_starts_at=order.slot_starts_at)
        try:
            with transaction.atomic():
                place_order(user, lines, delivery, idempotency_key=idempotency_key(job, n))
        except DomainError as exc:
            return exc.code
        return None

    try:
        return _run_timed(job, barrier, place)
    finally:
        connection.close()


def order_body(order: PlannedOrder) -> dict[str, Any]:
    delivery: dict[str, Any] = {"kind": order.kind}
    if order.slot_starts_at is not None:
        delivery["slot_starts_at"] = order.slot_starts_at.isoformat()
    return {
        "lines": [{"product_id": p, "quantity": q} for p, q in order.lines],
        "delivery": delivery,
        "payment_token": "tok_test_ok",
    }


def http_client(job: ClientJob, barrier: Barrier) -> ClientResult:
    """Phase 2: POST /api/orders with a bearer token and an Idempotency-Key."""
    conn = http.client.HTTPConnection("127.0.0.1", job.http_port, timeout=60)

    def place(n: int, order: PlannedOrder) -> str | None:
        customer = job.world.customers[order.customer]
        body = json.dumps(order_body(order)).encode()
        headers = {
            "Authorization": f"Bearer {customer.token}",
            "Idempotency-Key": idempotency_key(job, n),
            "Content-Type": "application/json",
        }
        try:
            conn.request("POST", "/api/orders", body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
        except (ConnectionError, http.client.HTTPException):
            conn.close()  # the worker closed the connection: reconnect on the next request
            raise
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
        if response.status in (200, 201):
            return None
        try:
            code = json.loads(payload).get("code")
        except (ValueError, AttributeError):
            code = None
        return f"{response.status}:{code}" if code else f"http_{response.status}"

    try:
        return _run_timed(job, barrier, place)
    finally:
        conn.close()


class Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


RAW_SQL = {
    "stock": (
        "UPDATE inventory_stock SET reserved = reserved + %s, updated_at = %s "
        "WHERE hub_id = %s AND product_id = %s AND on_hand - reserved >= %s"
    ),
    "slot": (
        "UPDATE orders_deliveryslot SET booked = booked + 1 "
        "WHERE hub_id = %s AND starts_at = %s AND booked < capacity RETURNING id, ends_at"
    ),
    "order": (
        "INSERT INTO orders_order (code, customer_id, region_id, status, delivery_address, "
        "delivery_lat, delivery_lng, delivery_cell, items_won, delivery_fee_won, total_won, currency, "
        "allocation, placed_at) "
        "VALUES (%s, %s, %s, 'placed', %s, %s, %s, %s, %s, %s, %s, 'KRW', %s, %s) RETURNING id"
    ),
    "shipment": (
        "INSERT INTO orders_shipment (order_id, hub_id, status, promise_kind, slot_id, promised_from, "
        "promised_by, travel_minutes, items_won, placed_at) "
        "VALUES (%s, %s, 'placed', %s, %s, %s, %s, %s, %s, %s) RETURNING id"
    ),
    "line": (
        "INSERT INTO orders_orderline (order_id, shipment_id, product_id, merchant_id, quantity, "
        "unit_price_won, substitution, status, picked_quantity, substitute_quantity, charged_won) "
        "VALUES (%s, %s, %s, %s, %s, %s, 'allow', 'pending', 0, 0, %s)"
    ),
    "payment": (
        "INSERT INTO orders_payment (order_id, tender, provider, reference, status, authorised_won, "
        "captured_won, refunded_won, created_at, updated_at) "
        "VALUES (%s, 'card', 'test', %s, 'authorised', %s, 0, 0, %s, %s)"
    ),
    # The claim comes first, as in checkout: a concurrent repeat waits on it.
    "idempotency": (
        "INSERT INTO orders_idempotencyrecord (user_id, key, request_hash, order_code, created_at) "
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (user_id, key) DO NOTHING RETURNING id"
    ),
    "movement": (
        "INSERT INTO inventory_stockmovement (hub_id, product_id, kind, on_hand_delta, reserved_delta, "
        "reason, actor_id, order_id, created_at) VALUES (%s, %s, 'reserve', 0, %s, '', %s, %s, %s)"
    ),
    "event": (
        "INSERT INTO orders_orderevent (order_id, kind, from_status, to_status, actor_id, note, data, at) "
        "VALUES (%s, 'placed', '', 'placed', %s, '', %s, %s)"
    ),
}


def raw_client(job: ClientJob, barrier: Barrier) -> ClientResult:
    """Phase 3: plain psycopg, one transaction per order, one statement per row written.

    The hub is the customer's nearest serving hub (fixed in the set-up); lines are locked
    in product order; the catalogue (prices, merchants) is read once at start."""
    from zoneinfo import ZoneInfo

    world = job.world
    utc = ZoneInfo("UTC")
    conn = psycopg.connect(job.url)

    def place(n: int, order: PlannedOrder) -> str | None:
        customer = world.customers[order.customer]
        hub = customer.hub_id
        now = datetime.now(utc)
        lines = sorted(order.lines)
        items = sum(world.products[p][0] * q for p, q in lines)
        fee = 0 if items >= world.free_delivery_from_won else world.delivery_fee_won
        key = idempotency_key(job, n)
        request_hash = hashlib.sha256(json.dumps(order_body(order), sort_keys=True).encode()).hexdigest()
        code = "R" + secrets.token_hex(6).upper()
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute(RAW_SQL["idempotency"], (customer.user_id, key, request_hash, code, now))
                if cur.fetchone() is None:
                    raise Refused("idempotency_key_reused")
                for product, quantity in lines:
                    cur.execute(RAW_SQL["stock"], (quantity, now, hub, product, quantity))
                    if cur.rowcount != 1:
                        raise Refused("out_of_stock")
                slot_id = None
                if order.kind == "slot":
                    cur.execute(RAW_SQL["slot"], (hub, order.slot_starts_at))
                    slot = cur.fetchone()
                    if slot is None:
                        raise Refused("slot_full")
                    slot_id, promised_from, promised_by = slot[0], order.slot_starts_at, slot[1]
                else:
                    promise, prep = world.hub_promise[hub]
                    eta = min(promise, prep + int(customer.travel_minutes + 0.999))
                    promised_from, promised_by = now, now + timedelta(minutes=eta)
                allocation = json.dumps(
                    {"strategy": "nearest", "hubs": [hub], "summary": "nearest hub with stock"}
                )
                cur.execute(
                    RAW_SQL["order"],
                    (
                        code,
                        customer.user_id,
                        customer.region_id,
                        customer.address,
                        customer.lat,
                        customer.lng,
                        customer.cell,
                        items,
                        fee,
                        items + fee,
                        allocation,
                        now,
                    ),
                )
                order_id = _fetch_id(cur)
                cur.execute(
                    RAW_SQL["shipment"],
                    (
                        order_id,
                        hub,
                        order.kind,
                        slot_id,
                        promised_from,
                        promised_by,
                        customer.travel_minutes,
                        items,
                        now,
                    ),
                )
                shipment_id = _fetch_id(cur)
                cur.executemany(
                    RAW_SQL["line"],
                    [
                        (
                            order_id,
                            shipment_id,
                            p,
                            world.products[p][1],
                            q,
                            world.products[p][0],
                            world.products[p][0] * q,
                        )
                        for p, q in lines
                    ],
                )
                cur.execute(
                    RAW_SQL["payment"], (order_id, "test_" + secrets.token_hex(12), items + fee, now, now)
                )
                cur.executemany(
                    RAW_SQL["movement"], [(hub, p, q, customer.user_id, order_id, now) for p, q in lines]
                )
                cur.execute(RAW_SQL["event"], (order_id, customer.user_id, "{}", now))
        except Refused as exc:
            return exc.code  # the transaction block rolled back
        return None

    try:
        return _run_timed(job, barrier, place)
    finally:
        conn.close()


def _fetch_id(cur: psycopg.Cursor[Any]) -> int:
    row = cur.fetchone()
    assert row is not None
    return int(row[0])


CLIENTS: dict[str, Callable[[ClientJob, Barrier], ClientResult]] = {
    "service": service_client,
    "http": http_client,
    "raw": raw_client,
}


def _child(
    kind: str, job: ClientJob, barrier: Barrier, results: mp.Queue[tuple[int, ClientResult | str]]
) -> None:
    try:
        results.put((job.index, CLIENTS[kind](job, barrier)))
    except BaseException:
        barrier.abort()
        results.put((job.index, traceback.format_exc()))


def run_phase(
    name: str, kind: str, url: str, world: World, plans: list[list[PlannedOrder]], *, http_port: int = 0
) -> PhaseResult:
    """Fork one process per client (Django is already imported in the parent; each child
    opens its own connection), start them together, and add up what they report."""
    from django.db import connections

    connections.close_all()  # no connection may cross a fork
    cpu_before = children_cpu_s()
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(len(plans))
    results: mp.Queue[tuple[int, ClientResult | str]] = ctx.Queue()
    procs = [
        ctx.Process(
            target=_child,
            args=(kind, ClientJob(i, name, url, orders, world, http_port), barrier, results),
            daemon=True,
        )
        for i, orders in enumerate(plans)
    ]
    for p in procs:
        p.start()
    sampler = WaitSampler(url)  # a thread: started only after the last fork
    collected: list[ClientResult] = []
    problems: list[str] = []
    try:
        for _ in procs:
            _, outcome = results.get(timeout=900)
            if isinstance(outcome, str):
                problems.append(outcome)
            else:
                collected.append(outcome)
    finally:
        waits = sampler.stop()
    for p in procs:
        p.join(timeout=30)
    client_cpu = children_cpu_s() - cpu_before  # counts the clients that have ended
    if problems:
        raise SystemExit(f"{name}: a client failed:\n" + problems[0])
    ok = [t for r in collected for t in r.latencies_ok]
    failures: Counter[str] = Counter()
    for r in collected:
        failures.update(r.failures)
    wall = max(r.finished for r in collected) - min(r.started for r in collected)
    return PhaseResult(
        name=name,
        wall_s=wall,
        ok=len(ok),
        failed=sum(failures.values()),
        failures=failures,
        p50_ms=percentile(ok, 50),
        p99_ms=percentile(ok, 99),
        errors=[e for r in collected for e in r.errors][:5],
        waits=waits,
        client_cpu_s=client_cpu,
    )


def children_cpu_s() -> float:
    """CPU seconds (user + system) used so far by ended child processes of this one."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class WaitSampler:
    """What the bench database's server processes are doing, sampled every 20 ms during a
    phase: running a statement, waiting for a lock, or idle in a transaction while the client
    (Python) works. Tells contention from client-side cost when a phase is slow."""

    QUERY = """
        SELECT CASE
            WHEN state = 'idle in transaction' THEN 'client, in transaction'
            WHEN state = 'idle' THEN 'client, between transactions'
            WHEN wait_event_type = 'Lock' THEN 'lock wait (' || wait_event || ')'
            WHEN wait_event_type IS NULL THEN 'running'
            ELSE wait_event_type || ':' || wait_event
        END
        FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
    """

    def __init__(self, url: str, interval: float = 0.02) -> None:
        import threading

        self.counts: Counter[str] = Counter()
        self._stop = threading.Event()
        self._conn = psycopg.connect(url, autocommit=True)
        self._interval = interval
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            for (state,) in self._conn.execute(self.QUERY).fetchall():
                self.counts[str(state)] += 1

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        self._conn.close()
        total = sum(self.counts.values())
        return {k: n / total for k, n in self.counts.most_common()} if total else {}


# Failure codes that are not a refusal of the order but a fault (an exception, a 5xx).
UNEXPECTED = ("exception:", "http_5", "5")


def percentile(values: Sequence[float], q: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


# --- query count ----------------------------------------------------------------------------


@dataclass
class QueryCount:
    placed: int
    mean: float  # queries per placed order, not counting BEGIN/COMMIT (transaction control)
    max: int
    failed: int
    control: float  # transaction-control statements per placed order (BEGIN, COMMIT, SAVEPOINT...)
    example: list[tuple[str, str]]  # (seconds, sql) of one placed order with 3+ lines


TRANSACTION_CONTROL = (
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT",
    "RELEASE SAVEPOINT",
    "ROLLBACK TO SAVEPOINT",
)


def is_transaction_control(statement: str) -> bool:
    return statement.strip().upper().startswith(TRANSACTION_CONTROL)


def count_queries(world: World, orders: Sequence[PlannedOrder]) -> QueryCount:
    """One process, fresh user objects (as the edge loads them), the queries of each placed
    order counted with CaptureQueriesContext."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from hyperlocal.accounts.models import User
    from hyperlocal.errors import DomainError
    from hyperlocal.orders.services import DeliveryChoice, LineRequest, place_order

    counts: list[int] = []
    control: list[int] = []
    failed = 0
    example: list[tuple[str, str]] = []
    for n, order in enumerate(orders):
        user = User.objects.get(pk=world.customers[order.customer].user_id)
        lines = [LineRequest(product_id=p, quantity=q) for p, q in order.lines]
        delivery = DeliveryChoice(kind=order.kind, slot_starts_at=order.slot_starts_at)
        try:
            with CaptureQueriesContext(connection) as ctx, transaction.atomic():
                place_order(user, lines, delivery, idempotency_key=f"bench-count-{n}")
        except DomainError:
            failed += 1
            continue
        statements = [q["sql"] for q in ctx.captured_queries]
        tx = sum(1 for q in statements if is_transaction_control(q))
        counts.append(len(statements) - tx)
        control.append(tx)
        if len(order.lines) >= 3 and len(statements) >= len(example):
            example = [(q["time"], q["sql"]) for q in ctx.captured_queries]
    return QueryCount(
        placed=len(counts),
        mean=statistics.fmean(counts) if counts else 0.0,
        max=max(counts, default=0),
        failed=failed,
        control=statistics.fmean(control) if control else 0.0,
        example=example,
    )


# --- gunicorn -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Gunicorn:
    """gunicorn serving the project on the bench database, as many workers as cores."""

    def __init__(self, url: str, workers: int, log: Path) -> None:
        self.port = free_port()
        self.workers = workers
        self.log = log
        env = {**os.environ, **bench_environment(url), "DATABASE_CONN_MAX_AGE": "600"}
        self._log_file = log.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "hyperlocal.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--backlog",
                "2048",
                "--timeout",
                "120",
            ],
            env=env,
            cwd=log.parent,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, token: str, timeout: float = 60) -> None:
        """Until it answers; then warm every worker up (imports, URL resolution, a token)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log}:\n{self.log.read_text()[-2000:]}")
            try:
                self.get("/api/accounts/me", token)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s") from None
                time.sleep(0.2)
        for _ in range(self.workers * 8):
            self.get("/api/accounts/me", token)

    def get(self, path: str, token: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log_file.close()


# --- report ---------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def report(
    phases: list[PhaseResult],
    queries: QueryCount | None,
    *,
    machine: str,
    scale: Scale,
    clients: int,
    per_client: int,
    show_queries: bool,
) -> tuple[bool, bool]:
    """Print the figures with their targets. Returns (correct, fast): correct when no phase
    oversold, left an inconsistency or met an unexpected error, and every phase placed
    orders; fast when the ratio and query-count targets are met too."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=140)
    console.print(machine)
    console.print(
        f"{clients} clients x {per_client} orders, {scale.hubs} hubs, {scale.products} products "
        f"({scale.hot_products} hot, {scale.hot_share:.0%} of lines), {scale.customers} customers"
    )
    baseline = next((p for p in phases if p.name == "raw SQL"), None)
    base_rate = baseline.orders_per_s if baseline else 0.0
    targets = {"service layer": TARGET_SERVICE_RATIO, "HTTP": TARGET_HTTP_RATIO}
    table = Table(title="bench/checkout.py: placing orders on PostgreSQL")
    for column in (
        "phase",
        "orders/s",
        "p50 ms",
        "p99 ms",
        "ok",
        "failed",
        "ratio to baseline",
        "target",
        "oversell",
    ):
        table.add_column(column, justify="left" if column in ("phase", "target") else "right")
    met = True
    correct = bool(phases)
    for phase in phases:
        ratio = phase.orders_per_s / base_rate if base_rate else None
        target = targets.get(phase.name)
        if target is not None:
            passed = ratio is not None and ratio >= target
            met &= passed
            target_text = f">= {target:.2f}x {'ok' if passed else 'MISSED'}"
        else:
            target_text = "baseline"
        oversell = phase.oversell
        oversell_text = "-"
        if oversell is not None:
            correct &= oversell.clean
            oversell_text = str(oversell.count) + ("" if oversell.clean else " (inconsistent: see below)")
        table.add_row(
            phase.name,
            fmt(phase.orders_per_s),
            fmt(phase.p50_ms),
            fmt(phase.p99_ms),
            str(phase.ok),
            str(phase.failed),
            "-" if ratio is None else f"{ratio:.2f}x",
            target_text,
            oversell_text,
        )
    console.print(table)
    for phase in phases:
        codes = ", ".join(f"{code} {n}" for code, n in phase.failures.most_common()) or "none"
        orders = phase.ok + phase.failed
        cpu = f"{phase.client_cpu_s / orders * 1000:.1f} ms" if orders else "-"
        console.print(
            f"[bold]{phase.name}[/]: {phase.wall_s:.2f} s wall, client processes' CPU {cpu} per order; "
            f"failures by code: {codes}"
        )
        if phase.oversell is not None:
            o = phase.oversell
            console.print(
                f"  oversell {o.count} (stock rows out of bounds {o.bad_rows}, "
                f"hub-products sold beyond on hand {o.oversold_rows}); "
                f"reserved {o.reserved_total} vs live order lines {o.live_lines_total} "
                f"(rows differing {o.reserved_mismatch_rows}); slots off {o.slot_mismatch}; "
                f"incomplete orders {o.incomplete_orders}"
            )
        if phase.ok == 0 or any(code.startswith(UNEXPECTED) for code in phase.failures):
            correct = False
        if phase.waits:
            shares = ", ".join(f"{k} {v:.0%}" for k, v in list(phase.waits.items())[:5])
            console.print(f"  server processes of the bench database: {shares}")
        for error in phase.errors:
            console.print(f"  [red]error[/]: {error}")
    if queries is not None:
        passed = queries.placed > 0 and queries.max <= TARGET_QUERIES
        met &= passed
        console.print(
            f"SQL queries per placed order (service layer, {queries.placed} placed, "
            f"{queries.failed} refused): "
            f"mean {queries.mean:.1f}, max {queries.max}; target <= {TARGET_QUERIES} "
            f"{'ok' if passed else 'MISSED'} (plus {queries.control:.1f} BEGIN/COMMIT statements)"
        )
        if show_queries and queries.example:
            console.print("The statements of one placed order with 3+ lines (seconds, SQL):")
            for n, (seconds, q) in enumerate(queries.example, 1):
                text = " ".join(q.split())[:300]
                console.print(f"  {n:2d}. {seconds}s {text}", highlight=False, markup=False)
    console.print(
        ("zero oversell, every phase consistent" if correct else "[bold red]INCORRECT: see above[/]")
        + ("; all targets met" if met else "; [bold red]some targets missed[/]")
    )
    return correct, correct and met


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", with_database(DEFAULT_ADMIN_URL, DEFAULT_DB_NAME)),
        help="the bench database to create and drop (default: %(default)s; never an existing one "
        "that this script did not make)",
    )
    parser.add_argument("--clients", type=int, default=None, help="client processes (16; 4 with --quick)")
    parser.add_argument("--orders-per-client", type=int, default=None, help="orders each client places")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--quick", action="store_true", help="a small run for a CI smoke test")
    parser.add_argument("--skip-http", action="store_true", help="leave out the HTTP phase")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of one placed order")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when a speed or query target is missed (else only 2 on errors)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    scale = QUICK if args.quick else FULL
    clients = args.clients or scale.clients
    per_client = args.orders_per_client or scale.orders_per_client
    url: str = args.database_url
    database_name(url)
    t_start = time.monotonic()

    def say(message: str) -> None:
        print(f"[{time.monotonic() - t_start:6.1f} s] {message}", flush=True)

    say(f"creating database {database_name(url)!r}")
    create_database(url)
    gunicorn: Gunicorn | None = None
    try:
        setup_django(url)
        from django.core.management import call_command

        say("migrating")
        call_command("migrate", verbosity=0, interactive=False)
        world = build_world(scale, args.seed, say=say)
        plans = make_plans(world, scale, args.seed + 1, clients=clients, per_client=per_client)
        world.initial_stock = stock_levels(world, scale, plans)
        say("writing opening stock")
        write_opening_stock(world)
        phases: list[PhaseResult] = []

        def phase(name: str, kind: str, port: int = 0) -> None:
            reset_state(url, world)
            say(f"phase {name}: {clients} clients x {per_client} orders")
            result = run_phase(name, kind, url, world, plans, http_port=port)
            result.oversell = check_oversell(url)
            phases.append(result)
            say(f"  {result.ok} placed, {result.failed} refused, {result.orders_per_s:,.1f} orders/s")

        queries: QueryCount | None = None
        if service_available():
            phase("service layer", "service")
            reset_state(url, world)
            count_plan = make_plans(world, scale, args.seed + 2, clients=1, per_client=scale.count_orders)[0]
            say(f"counting queries over {len(count_plan)} orders in one process")
            queries = count_queries(world, count_plan)
        else:
            say("SKIPPED service layer: hyperlocal.orders.services.place_order is not there")

        if not args.skip_http:
            workers = os.cpu_count() or 1
            say(f"starting gunicorn with {workers} workers")
            gunicorn = Gunicorn(
                url, workers, Path(tempfile.mkdtemp(prefix="bench-gunicorn-")) / "gunicorn.log"
            )
            gunicorn.wait_ready(world.customers[0].token)
            phase("HTTP", "http", gunicorn.port)
            gunicorn.stop()
            shutil.rmtree(gunicorn.log.parent)  # its log is kept only when something went wrong
            gunicorn = None

        phase("raw SQL", "raw")

        machine = (
            f"machine: {os.cpu_count()} CPUs ({platform.machine()}, "
            f"{platform.system()} {platform.release()}), "
            f"Python {platform.python_version()}, PostgreSQL {server_version(url)}"
        )
        correct, fast = report(
            phases,
            queries,
            machine=machine,
            scale=scale,
            clients=clients,
            per_client=per_client,
            show_queries=args.show_queries,
        )
        if args.json:
            data = {**figures(phases, queries, machine), "correct": correct, "targets_met": fast}
            args.json.write_text(json.dumps(data, indent=2))
        say("done")
        if not correct:
            return 2
        return 1 if args.strict and not fast else 0
    finally:
        if gunicorn is not None:
            gunicorn.stop()
            print(f"gunicorn's log: {gunicorn.log}")
        if args.keep:
            print(f"kept database {database_name(url)!r}")
        else:
            from django.db import connections

            connections.close_all()
            drop_database(url)


def figures(phases: list[PhaseResult], queries: QueryCount | None, machine: str) -> dict[str, Any]:
    return {
        "machine": machine,
        "phases": [
            {
                "phase": p.name,
                "orders_per_s": round(p.orders_per_s, 1),
                "p50_ms": p.p50_ms,
                "p99_ms": p.p99_ms,
                "ok": p.ok,
                "failed": p.failed,
                "failures": dict(p.failures),
                "oversell": p.oversell.count if p.oversell else None,
                "consistent": p.oversell.clean if p.oversell else None,
                "server_states": p.waits,
                "client_cpu_ms_per_order": round(p.client_cpu_s / max(1, p.ok + p.failed) * 1000, 2),
            }
            for p in phases
        ],
        "queries_per_order": None
        if queries is None
        else {"mean": queries.mean, "max": queries.max, "transaction_control": queries.control},
    }


if __name__ == "__main__":
    sys.exit(main())
