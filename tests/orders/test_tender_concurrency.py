"""Split tender under real concurrency, on PostgreSQL: 32 threads placing orders that each
spend from one resident's wallet never overdraw it (each is placed or refused with a 409,
never a 500, never a deadlock), residents buying at the same merchants in any order never
deadlock, and a process killed in the middle of a checkout with a voucher part leaves no
partial transfer behind.

The receivables of the merchants are opened before the wallets (as in life: other residents
paid there before), so that the ledger's lock order by account puts them first."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import close_old_connections, connection, transaction
from django.db.models import Sum

from hyperlocal.accounts.models import User
from hyperlocal.errors import DomainError
from hyperlocal.orders.models import Order, Payment
from hyperlocal.orders.services import DeliveryChoice, LineRequest, PlacedOrder, place_order
from hyperlocal.regions.models import Region
from hyperlocal.wallet.errors import InsufficientFunds
from hyperlocal.wallet.programmes import Programme, VoucherHold
from hyperlocal.wallet.services import check_ledger
from hyperlocal.wallet.services.wallets import merchant_account_for
from tests.orders.conftest import Shop, build_shop, make_customer
from tests.orders.tender_fixtures import everything, grant, held, programme_at

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 32
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")


@dataclass
class Outcome:
    placed: PlacedOrder | None = None
    error: BaseException | None = None


def run_all(jobs: list[Callable[[], PlacedOrder]]) -> list[Outcome]:
    outcomes = [Outcome() for _ in jobs]
    start = threading.Barrier(len(jobs))

    def work(i: int) -> None:
        try:
            start.wait(timeout=30)
            with transaction.atomic():  # as the API edge calls it
                outcomes[i].placed = jobs[i]()
        except BaseException as error:
            outcomes[i].error = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return outcomes


def open_receivables(shop: Shop, programme: Programme) -> None:
    with transaction.atomic():
        for product in shop.products:
            merchant_account_for(programme, product.merchant, now=shop.now)


@pytest.fixture
def world(mapo: Region) -> tuple[Shop, Programme]:
    shop = build_shop(stock=200, products=6, pickers=200)
    programme = programme_at(shop.now)
    open_receivables(shop, programme)
    return shop, programme


def check_orders(placed: list[Order]) -> None:
    """Every placed order is whole: card + vouchers = total, its holds = its voucher row."""
    for order in placed:
        rows = {p.tender: p.authorised_won for p in Payment.objects.filter(order=order)}
        assert rows.get("card", 0) + rows["voucher"] == order.total_won
        holds = VoucherHold.objects.filter(order=order).aggregate(s=Sum("held_won"))["s"]
        assert holds == rows["voucher"]


def test_32_threads_spending_from_one_wallet_never_overdraw_it(world: tuple[Shop, Programme]) -> None:
    shop, programme = world
    wallet = grant(shop.customer, programme, 50_000, shop.now)
    rng = random.Random(20250301)
    jobs = []
    for n in range(THREADS):
        # Two merchants' goods, in any order, all paid with vouchers (the fee by card).
        a, b = rng.sample(shop.products[1:], 2)
        lines = [LineRequest(a.pk, 1), LineRequest(b.pk, 1)]
        won = a.price_won + b.price_won

        def job(n: int = n, lines: list[LineRequest] = lines, won: int = won) -> PlacedOrder:
            return place_order(
                shop.customer,
                lines,
                DeliveryChoice("instant"),
                idempotency_key=f"k{n}",
                now=shop.now,
                voucher_won=won,
            )

        jobs.append(job)

    outcomes = run_all(jobs)

    for o in outcomes:
        if o.error is not None:  # refused with a 409 because the wallet ran dry: nothing else
            assert isinstance(o.error, InsufficientFunds), repr(o.error)
            assert isinstance(o.error, DomainError)
            assert o.error.status_code == 409
    placed = [o.placed.order for o in outcomes if o.placed is not None]
    assert placed, "no order went through"
    assert len(placed) < THREADS, "the wallet was meant to run dry"
    left = held(wallet)
    spent = Payment.objects.filter(tender="voucher").aggregate(s=Sum("authorised_won"))["s"]
    assert left.available >= 0
    assert left.debits_pending == spent == 50_000 - left.available
    assert Order.objects.count() == len(placed)
    check_orders(placed)
    assert check_ledger() == []


def test_residents_paying_at_the_same_merchants_in_any_order_never_deadlock(
    world: tuple[Shop, Programme],
) -> None:
    shop, programme = world
    rng = random.Random(7)
    jobs = []
    for n in range(THREADS):
        customer = make_customer()
        grant(customer, programme, 20_000, shop.now, batch=f"b{n}")
        basket = rng.sample(shop.products[1:], 3)

        def job(customer: User = customer, basket: list = basket, n: int = n) -> PlacedOrder:  # type: ignore[type-arg]
            return place_order(
                customer,
                [LineRequest(p.pk, 1) for p in basket],
                DeliveryChoice("instant"),
                idempotency_key=f"r{n}",
                now=shop.now,
                voucher_won=sum(p.price_won for p in basket),
            )

        jobs.append(job)

    outcomes = run_all(jobs)

    errors = [o.error for o in outcomes if o.error is not None]
    assert not errors, errors
    placed = [o.placed.order for o in outcomes if o.placed is not None]
    assert len(placed) == THREADS
    check_orders(placed)
    assert check_ledger() == []


CHILD = """
import os, sys, time
from datetime import datetime

import django

django.setup()
from django.db import connection, transaction

from hyperlocal.accounts.models import User
from hyperlocal.orders.services import DeliveryChoice, LineRequest, place_order
from hyperlocal.wallet.services import spending

hold_for_order = spending.hold_for_order


def hold_then_wait(*args, **kwargs):
    holds = hold_for_order(*args, **kwargs)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    print(f"HELD {len(holds)} {backend}", flush=True)
    time.sleep(600)  # killed here, in the middle of the checkout's transaction
    return holds


spending.hold_for_order = hold_then_wait
user = User.objects.get(pk=int(os.environ["KILL_USER"]))
lines = [LineRequest(int(p), 1) for p in os.environ["KILL_PRODUCTS"].split(",")]
with transaction.atomic():
    place_order(
        user,
        lines,
        DeliveryChoice("instant"),
        idempotency_key="killed",
        now=datetime.fromisoformat(os.environ["KILL_NOW"]),
        voucher_won=int(os.environ["KILL_WON"]),
    )
print("COMMITTED", flush=True)
"""


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row and row[0])


def _locks_held_by(pid: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND granted", [pid])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def test_a_checkout_killed_while_holding_vouchers_leaves_no_partial_transfer(
    world: tuple[Shop, Programme],
) -> None:
    shop, programme = world
    wallet = grant(shop.customer, programme, 50_000, shop.now)
    p2, p3 = shop.products[2:4]
    before, balance_before = everything(), held(wallet)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _url_of_test_database(),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "KILL_USER": str(shop.customer.pk),
        "KILL_PRODUCTS": f"{p2.pk},{p3.pk}",
        "KILL_NOW": shop.now.isoformat(),
        "KILL_WON": str(p2.price_won + p3.price_won),
    }
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()  # blocks until the holds are written (or the child dies)
        assert line.startswith("HELD "), (line, child.stderr.read() if child.stderr else "")
        _, holds, backend = line.split()
        assert int(holds) == 2  # one per merchant, written in the child's open transaction
        assert _locks_held_by(int(backend)) > 0  # it is in the middle of the checkout
        assert everything() == before  # nothing of it is visible outside yet
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    # The server notices the dead client and rolls its transaction back.
    deadline = time.monotonic() + 30
    while _backend_alive(int(backend)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _backend_alive(int(backend))

    assert everything() == before  # no order, no hold, no transfer, no key claimed
    assert VoucherHold.objects.count() == 0
    assert held(wallet) == balance_before
    assert check_ledger() == []
    # The key was never claimed: the same checkout goes through now.
    with transaction.atomic():
        placed = place_order(
            shop.customer,
            [LineRequest(p2.pk, 1), LineRequest(p3.pk, 1)],
            DeliveryChoice("instant"),
            idempotency_key="killed",
            now=shop.now,
            voucher_won=p2.price_won + p3.price_won,
        )
    assert placed.created
    assert check_ledger() == []


def _url_of_test_database() -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{s['NAME']}"
