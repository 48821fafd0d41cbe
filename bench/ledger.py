"""Local-currency payments on the double-entry ledger, PostgreSQL: services vs a raw-SQL baseline.

Run from the repository root with the project's virtualenv:

    .venv/bin/python bench/ledger.py                # full run: 16 clients, 10,000 wallets, 300 merchants
    .venv/bin/python bench/ledger.py --quick        # a small smoke run (well under a minute)
    .venv/bin/python bench/ledger.py --cashback     # cashback on every payment (default: half the wallets)

The script creates its own database (default `hyperlocal_ledger_bench` on the server of
--database-url), opens a programme's system accounts (float, budget, cash: 16 shards each),
300 merchant receivables and 10,000 resident wallets, each funded by a purchase, all through
the ledger services; then makes the same planned checkout payments three times from the same
starting balances:

1. service, savepoint=False: per payment one transaction with `transfer(pending=True,
   timeout=...)` (the hold at checkout), then a second with `post_pending` (the delivery; a
   smaller amount after a short pick for a share) and, for cashback wallets, `transfer` of
   10 % (half up, wallet.services.money.share_of) from the programme's budget to the wallet;
2. service, default savepoints: the same calls with each service's own savepoint;
3. raw SQL: plain psycopg writing the same rows to the same tables, one statement per row.

It prints payments/s, p50/p99 latency per payment (both transactions), the ratio to the
baseline, SQL statements per payment on the service path, and after every phase the
invariants: check_ledger, debits == credits, no wallet below zero, every hold finished, the
won moved equal to what the clients report. The database is dropped at the end unless --keep.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import multiprocessing as mp
import os
import platform
import random
import secrets
import statistics
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hyperlocal_ledger_bench"
# Written on the database we create; an existing database is dropped only if it carries it.
DB_MARKER = "scratch database of hyperlocal bench/ledger.py; safe to drop"
SEED = 20250301

TARGET_RATIO = 0.5
TARGET_PHASE = "service, savepoint=False"
SHARDS = 16  # the programme's system accounts
FUNDING_WON = 300_000  # each wallet's purchase
CASHBACK_BP = 1000  # 10 %
BASIS_POINTS = 10_000
HOLD_TIMEOUT = timedelta(hours=2)  # the delivery window plus a margin
PARTIAL_SHARE = 0.10  # posts after a short pick


# --- sizes and plans ------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    clients: int
    payments_per_client: int
    wallets: int
    merchants: int
    count_payments: int  # payments of the single-process statement count
    rounds: int  # each phase's payments split in rounds, the phases taking turns


FULL = Scale(clients=16, payments_per_client=500, wallets=10_000, merchants=300, count_payments=300, rounds=3)
QUICK = Scale(clients=4, payments_per_client=40, wallets=400, merchants=30, count_payments=40, rounds=1)


@dataclass(frozen=True)
class Payment:
    wallet: int  # index into World.wallets
    merchant: int  # index into World.merchants
    amount: int  # held at checkout
    posted: int  # posted at delivery (smaller after a short pick)
    cashback: bool


@dataclass
class World:
    """Account ids and codes (the raw baseline's view) and, in the parent and its forked
    children, the LedgerAccount objects (the services' view)."""

    wallet_ids: list[int]
    merchant_ids: list[int]
    budget_id: int
    cashback_wallets: set[int]
    accounts: dict[str, Any] = field(default_factory=dict)  # "wallets", "merchants", "budget"


def _mark(marks: list[int], ctx: Any) -> None:
    """Note how many statements a payment had sent when it finished one of its steps."""
    marks.append(len(ctx.captured_queries))


def cashback_of(won: int) -> int:
    """10 % rounded half up, in integers (what wallet.services.money.share_of computes)."""
    return (won * CASHBACK_BP * 2 + BASIS_POINTS) // (2 * BASIS_POINTS)


def make_plans(
    world: World, scale: Scale, seed: int, *, clients: int, per_client: int
) -> list[list[Payment]]:
    """Each client pays from its own wallets (a resident pays from one phone at a time) at
    any merchant; 1,000-50,000 won; PARTIAL_SHARE of the posts are 60-99 % of the hold."""
    rng = random.Random(seed)
    plans = []
    for c in range(clients):
        own = list(range(c, len(world.wallet_ids), clients))
        payments = []
        for _ in range(per_client):
            wallet = rng.choice(own)
            amount = rng.randint(1_000, 50_000)
            posted = amount
            if rng.random() < PARTIAL_SHARE:
                posted = max(1, amount * rng.randint(60, 99) // 100)
            payments.append(
                Payment(
                    wallet=wallet,
                    merchant=rng.randrange(len(world.merchant_ids)),
                    amount=amount,
                    posted=posted,
                    cashback=wallet in world.cashback_wallets,
                )
            )
        plans.append(payments)
    return plans


# --- databases ------------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise SystemExit(f"--database-url must name a database: {url}")
    return name


def _marked(conn: psycopg.Connection[Any], name: str) -> bool | None:
    """None: no such database; True: one of ours; False: someone else's."""
    row = conn.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
    ).fetchone()
    return None if row is None else row[0] == DB_MARKER


def create_database(url: str) -> None:
    """A fresh database; an old one of ours (marked) is dropped first, anyone else's is refused."""
    name = database_name(url)
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        ours = _marked(conn, name)
        if ours is False:
            raise SystemExit(
                f"database {name!r} exists and was not made by this script: refusing to touch it "
                "(choose another name with --database-url)"
            )
        if ours:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(DB_MARKER))
        )


def drop_database(url: str) -> None:
    name = database_name(url)
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        if _marked(conn, name):
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def setup_django(url: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "hyperlocal.settings",
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(40),
            "LOG_LEVEL": "ERROR",
        }
    )
    import django

    django.setup()


# --- the world ------------------------------------------------------------------------------


def build_world(scale: Scale, *, cashback_all: bool, say: Callable[[str], None]) -> World:
    """The programme's system accounts, the merchants' receivables and the funded wallets,
    through the ledger services (open_account, transfer), in that order (so account ids, the
    lock order, are: system accounts, merchants, wallets)."""
    from django.db import transaction
    from django.utils import timezone

    from hyperlocal.wallet.models import AccountKind
    from hyperlocal.wallet.services import open_account, transfer

    now = timezone.now()
    say("opening the programme's float, budget and cash accounts (16 shards each)")
    with transaction.atomic():
        system = {
            part: open_account(
                f"programme/bench/{part}", kind, owner_ref="programme:bench", shards=SHARDS, now=now
            )
            for part, kind in (
                ("float", AccountKind.PROGRAMME_FLOAT),
                ("budget", AccountKind.DISCOUNT_EXPENSE),
                ("cash", AccountKind.CASH_CLEARING),
            )
        }
        merchants = [
            open_account(
                f"programme/bench/merchant/{m + 1}",
                AccountKind.MERCHANT_RECEIVABLE,
                owner_ref=f"merchant:{m + 1}",
                now=now,
            )
            for m in range(scale.merchants)
        ]
    say(f"opened {len(merchants)} merchant receivables; opening {scale.wallets:,} wallets, each bought")
    wallets = []
    for start in range(0, scale.wallets, 500):
        with transaction.atomic():
            for n in range(start, min(start + 500, scale.wallets)):
                wallet = open_account(
                    f"programme/bench/wallet/{n + 1}",
                    AccountKind.RESIDENT_WALLET,
                    owner_ref=f"user:{n + 1}",
                    debits_must_not_exceed_credits=True,
                    now=now,
                )
                transfer(
                    f"programme/bench/purchase/{n + 1}",
                    system["cash"],
                    wallet,
                    FUNDING_WON,
                    kind="purchase",
                    now=now,
                    savepoint=False,
                )
                wallets.append(wallet)
    cashback = set(range(len(wallets))) if cashback_all else set(range(0, len(wallets), 2))
    return World(
        wallet_ids=[w.pk for w in wallets],
        merchant_ids=[m.pk for m in merchants],
        budget_id=system["budget"].pk,
        cashback_wallets=cashback,
        accounts={"wallets": wallets, "merchants": merchants, "budget": system["budget"]},
    )


def snapshot_balances(url: str) -> None:
    """Keep the funded starting balances, to start every phase from them."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_start_shards AS SELECT * FROM wallet_accountshard")


def reset_state(url: str) -> None:
    """The same starting point for every phase: only the purchases, the funded balances."""
    with psycopg.connect(url, autocommit=True) as conn:
        with conn.transaction():
            conn.execute("DELETE FROM wallet_transfer WHERE kind IN ('payment', 'cashback')")
            conn.execute(
                """UPDATE wallet_accountshard s SET debits_pending = b.debits_pending,
                    debits_posted = b.debits_posted, credits_pending = b.credits_pending,
                    credits_posted = b.credits_posted
                FROM bench_start_shards b WHERE s.id = b.id"""
            )
        for table in ("wallet_transfer", "wallet_accountshard"):
            conn.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))


# --- the clients ----------------------------------------------------------------------------


@dataclass
class ClientResult:
    started: float
    finished: float
    latencies: list[float]  # of completed payments (hold + post), seconds
    failures: Counter[str]
    errors: list[str]
    posted_won: int = 0
    cashback_won: int = 0


@dataclass(frozen=True)
class ClientJob:
    index: int
    phase: str
    url: str
    payments: list[Payment]
    world: World
    savepoint: bool = True


def _run_timed(job: ClientJob, barrier: Barrier, pay: Callable[[int, Payment], str | None]) -> ClientResult:
    """Wait for every client, then pay one after the other; `pay` returns None when the
    payment was held and posted, else a failure code."""
    result = ClientResult(0.0, 0.0, [], Counter(), [])
    barrier.wait()
    result.started = time.monotonic()
    for n, payment in enumerate(job.payments):
        t0 = time.perf_counter()
        try:
            code = pay(n, payment)
        except Exception as exc:  # a bench must report, not die: every surprise is counted
            code = f"exception:{type(exc).__name__}"
            if len(result.errors) < 3:
                result.errors.append("".join(traceback.format_exception_only(exc)).strip()[:500])
        if code is None:
            result.latencies.append(time.perf_counter() - t0)
            result.posted_won += payment.posted
            result.cashback_won += cashback_of(payment.posted) if payment.cashback else 0
        else:
            result.failures[code] += 1
    result.finished = time.monotonic()
    return result


def payment_ids(job: ClientJob, n: int) -> tuple[str, str, str]:
    base = f"bench/{job.phase}/{job.index}/{n}"
    return f"{base}/hold", f"{base}/post", f"{base}/cashback"


def pay_through_services(
    world: World,
    p: Payment,
    ids: tuple[str, str, str],
    *,
    savepoint: bool,
    mark: Callable[[], None] = lambda: None,
) -> None:
    """One payment through the public ledger services, as a checkout and a delivery call
    them: the hold in one transaction; the post and the cashback in a second. Raises the
    services' DomainError when refused; `mark` is called after the hold and after the post."""
    from django.db import transaction
    from django.utils import timezone

    from hyperlocal.wallet.services import post_pending, transfer
    from hyperlocal.wallet.services.money import share_of

    hold_id, post_id, cashback_id = ids
    wallet = world.accounts["wallets"][p.wallet]
    with transaction.atomic():  # checkout
        transfer(
            hold_id,
            wallet,
            world.accounts["merchants"][p.merchant],
            p.amount,
            kind="payment",
            pending=True,
            timeout=HOLD_TIMEOUT,
            now=timezone.now(),
            savepoint=savepoint,
        )
    mark()
    with transaction.atomic():  # delivery
        now = timezone.now()
        partial = p.posted if p.posted != p.amount else None
        posted = post_pending(post_id, hold_id, partial, now=now, savepoint=savepoint)
        mark()
        if p.cashback:
            won = share_of(posted.amount, CASHBACK_BP)
            transfer(
                cashback_id,
                world.accounts["budget"],
                wallet,
                won,
                kind="cashback",
                now=now,
                savepoint=savepoint,
            )


def service_client(job: ClientJob, barrier: Barrier) -> ClientResult:
    """Phases 1 and 2: pay_through_services, with or without the services' savepoints."""
    from django.db import connection

    from hyperlocal.errors import DomainError

    connection.close()  # never share the parent's connection

    def pay(n: int, p: Payment) -> str | None:
        try:
            pay_through_services(job.world, p, payment_ids(job, n), savepoint=job.savepoint)
        except DomainError as exc:
            return exc.code
        return None

    try:
        return _run_timed(job, barrier, pay)
    finally:
        connection.close()


def shard_of(transfer_id: str, shards: int) -> int:
    """The shard a transfer uses on an account of `shards` shards (as the ledger chooses it)."""
    if shards <= 1:
        return 0
    return int.from_bytes(hashlib.sha256(transfer_id.encode()).digest()[:8], "big") % shards


RAW_SQL = {
    "insert": (
        "INSERT INTO wallet_transfer (id, debit_account_id, credit_account_id, debit_shard, credit_shard, "
        "amount, kind, state, pending_id, timeout_at, created_at, request_hash) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    ),
    # the wallet: only while the debit stays within its credits (its CHECK, restated)
    "debit_limited": (
        "UPDATE wallet_accountshard SET debits_pending = debits_pending + %s, "
        "debits_posted = debits_posted + %s "
        "WHERE account_id = %s AND shard_no = %s "
        "AND debits_pending + %s + debits_posted + %s <= credits_posted"
    ),
    "debit": (
        "UPDATE wallet_accountshard SET debits_pending = debits_pending + %s, "
        "debits_posted = debits_posted + %s WHERE account_id = %s AND shard_no = %s"
    ),
    "credit": (
        "UPDATE wallet_accountshard SET credits_pending = credits_pending + %s, "
        "credits_posted = credits_posted + %s WHERE account_id = %s AND shard_no = %s"
    ),
}


class Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Row:
    """A transfer row as the baseline writes it, and what it adds to both sides' shards."""

    id: str
    debit: tuple[int, int]  # account id, shard
    credit: tuple[int, int]
    amount: int
    kind: str
    state: str
    held: int  # added to the debit's debits_pending and the credit's credits_pending
    posted: int  # added to debits_posted and credits_posted
    pending_id: str | None = None
    timeout_at: datetime | None = None
    limited: bool = False  # the debit must stay within its credits (a wallet's hold)


def raw_client(job: ClientJob, barrier: Barrier) -> ClientResult:
    """Plain psycopg: the same rows, the same transactions, one statement per row written;
    the two shard rows of each transfer updated in (account id, shard_no) order, the wallet's
    conditionally (rowcount checked, rollback when it would go below zero)."""
    world = job.world
    conn = psycopg.connect(job.url)

    def write(cur: psycopg.Cursor[Any], row: Row, now: datetime) -> None:
        request_hash = hashlib.sha256(f"{row.id}|{row.kind}|{row.amount}".encode()).hexdigest()
        cur.execute(
            RAW_SQL["insert"],
            (row.id, row.debit[0], row.credit[0], row.debit[1], row.credit[1], row.amount, row.kind,
             row.state, row.pending_id, row.timeout_at, now, request_hash),
        )  # fmt: skip
        sides = [(row.debit, "debit_limited" if row.limited else "debit"), (row.credit, "credit")]
        for (account, shard), statement in sorted(sides):
            limited = statement == "debit_limited"
            params = (row.held, row.posted, account, shard, *((row.held, row.posted) if limited else ()))
            cur.execute(RAW_SQL[statement], params)
            if cur.rowcount != 1:
                raise Refused("insufficient_funds" if limited else "shard_missing")

    def pay(n: int, p: Payment) -> str | None:
        hold_id, post_id, cashback_id = payment_ids(job, n)
        wallet, merchant = (world.wallet_ids[p.wallet], 0), (world.merchant_ids[p.merchant], 0)
        try:
            with conn.transaction(), conn.cursor() as cur:  # checkout
                now = datetime.now(UTC)
                hold = Row(hold_id, wallet, merchant, p.amount, "payment", "pending", p.amount, 0,
                           timeout_at=now + HOLD_TIMEOUT, limited=True)  # fmt: skip
                write(cur, hold, now)
            with conn.transaction(), conn.cursor() as cur:  # delivery
                now = datetime.now(UTC)
                # releasing a hold never breaks the wallet's limit: no condition needed
                post = Row(post_id, wallet, merchant, p.posted, "payment", "posting", -p.amount, p.posted,
                           pending_id=hold_id)  # fmt: skip
                write(cur, post, now)
                if p.cashback:
                    won = cashback_of(p.posted)
                    budget = (world.budget_id, shard_of(cashback_id, SHARDS))
                    write(cur, Row(cashback_id, budget, wallet, won, "cashback", "posted", 0, won), now)
        except Refused as exc:
            return exc.code  # the transaction block rolled back
        return None

    try:
        return _run_timed(job, barrier, pay)
    finally:
        conn.close()


CLIENTS: dict[str, Callable[[ClientJob, Barrier], ClientResult]] = {
    "service": service_client,
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


@dataclass
class Invariants:
    problems: list[str]  # check_ledger's
    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int
    wallets_below_zero: int
    open_holds: int  # holds of this phase not posted
    merchants_credited: int  # won posted to the receivables in this phase
    cashback_given: int

    def holds(self, posted_won: int, cashback_won: int) -> bool:
        return (
            not self.problems
            and self.debits_posted == self.credits_posted
            and self.debits_pending == self.credits_pending
            and self.wallets_below_zero == 0
            and self.open_holds == 0
            and self.merchants_credited == posted_won
            and self.cashback_given == cashback_won
        )


@dataclass
class PhaseResult:
    """One phase, added up over its rounds."""

    name: str
    wall_s: float = 0.0
    latencies: list[float] = field(default_factory=list)  # of completed payments, seconds
    failures: Counter[str] = field(default_factory=Counter)
    posted_won: int = 0  # over all rounds, as the clients report it
    cashback_won: int = 0
    errors: list[str] = field(default_factory=list)
    wait_counts: Counter[str] = field(default_factory=Counter)
    client_cpu_s: float = 0.0
    rounds: list[tuple[float, bool]] = field(default_factory=list)  # payments/s, invariants held
    checks: list[Invariants] = field(default_factory=list)  # after each round

    @property
    def invariants(self) -> Invariants | None:
        return self.checks[-1] if self.checks else None

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def per_s(self) -> float:
        return self.ok / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def p50_ms(self) -> float | None:
        return percentile(self.latencies, 50)

    @property
    def p99_ms(self) -> float | None:
        return percentile(self.latencies, 99)

    @property
    def waits(self) -> dict[str, float]:
        total = sum(self.wait_counts.values())
        return {k: n / total for k, n in self.wait_counts.most_common()} if total else {}

    @property
    def correct(self) -> bool:
        return (
            bool(self.rounds)
            and all(held for _, held in self.rounds)
            and self.ok > 0
            and not any(code.startswith("exception:") for code in self.failures)
        )

    def add(self, r: RoundResult, invariants: Invariants) -> None:
        self.wall_s += r.wall_s
        self.latencies += r.latencies
        self.failures.update(r.failures)
        self.posted_won += r.posted_won
        self.cashback_won += r.cashback_won
        self.errors = (self.errors + r.errors)[:5]
        self.wait_counts.update(r.wait_counts)
        self.client_cpu_s += r.client_cpu_s
        self.checks.append(invariants)
        self.rounds.append((len(r.latencies) / r.wall_s, invariants.holds(r.posted_won, r.cashback_won)))


@dataclass
class RoundResult:
    wall_s: float
    latencies: list[float]
    failures: Counter[str]
    posted_won: int
    cashback_won: int
    errors: list[str]
    wait_counts: Counter[str]
    client_cpu_s: float


def percentile(values: Sequence[float], q: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def children_cpu_s() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class WaitSampler:
    """What the bench database's server processes do, sampled every 20 ms during a phase:
    running, waiting for a lock, or idle in a transaction while the client works."""

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

    def stop(self) -> Counter[str]:
        self._stop.set()
        self._thread.join()
        self._conn.close()
        return self.counts


def run_round(
    name: str, kind: str, url: str, world: World, plans: list[list[Payment]], *, savepoint: bool, tag: str
) -> RoundResult:
    """Fork one process per client (Django is imported in the parent; each child opens its
    own connection), start them together, add up what they report."""
    from django.db import connections

    connections.close_all()  # no connection may cross a fork
    cpu_before = children_cpu_s()
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(len(plans))
    results: mp.Queue[tuple[int, ClientResult | str]] = ctx.Queue()
    procs = [
        ctx.Process(
            target=_child,
            args=(kind, ClientJob(i, tag, url, payments, world, savepoint), barrier, results),
            daemon=True,
        )
        for i, payments in enumerate(plans)
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
    if problems:
        raise SystemExit(f"{name}: a client failed:\n" + problems[0])
    failures: Counter[str] = Counter()
    for r in collected:
        failures.update(r.failures)
    return RoundResult(
        wall_s=max(r.finished for r in collected) - min(r.started for r in collected),
        latencies=[t for r in collected for t in r.latencies],
        failures=failures,
        posted_won=sum(r.posted_won for r in collected),
        cashback_won=sum(r.cashback_won for r in collected),
        errors=[e for r in collected for e in r.errors][:5],
        wait_counts=waits,
        client_cpu_s=children_cpu_s() - cpu_before,
    )


def check_invariants(url: str, world: World) -> Invariants:
    """check_ledger (the service) plus direct sums over the shards and this phase's rows."""
    from django.db import connections

    from hyperlocal.wallet.services import check_ledger

    problems = [f"{p.account or 'ledger'} {p.shard_no}: {p.message}" for p in check_ledger()]
    connections.close_all()
    with psycopg.connect(url, autocommit=True) as conn:

        def one(query: str, params: Sequence[object] = ()) -> int:
            row = conn.execute(query, params).fetchone()
            return int(row[0] or 0) if row else 0

        totals = conn.execute(
            "SELECT sum(debits_posted), sum(credits_posted), sum(debits_pending), sum(credits_pending) "
            "FROM wallet_accountshard"
        ).fetchone()
        assert totals is not None
        return Invariants(
            problems=problems,
            debits_posted=int(totals[0]),
            credits_posted=int(totals[1]),
            debits_pending=int(totals[2]),
            credits_pending=int(totals[3]),
            wallets_below_zero=one(
                "SELECT count(*) FROM wallet_accountshard WHERE debits_must_not_exceed_credits "
                "AND credits_posted - debits_posted - debits_pending < 0"
            ),
            open_holds=one(
                "SELECT count(*) FROM wallet_transfer h WHERE h.kind = 'payment' AND h.state = 'pending' "
                "AND NOT EXISTS (SELECT 1 FROM wallet_transfer f WHERE f.pending_id = h.id)"
            ),
            merchants_credited=one(
                "SELECT sum(credits_posted) FROM wallet_accountshard WHERE account_id = ANY(%s)",
                [world.merchant_ids],
            ),
            cashback_given=one(
                "SELECT sum(debits_posted) FROM wallet_accountshard WHERE account_id = %s", [world.budget_id]
            ),
        )


# --- statement count ------------------------------------------------------------------------


@dataclass
class StatementCount:
    payments: int
    mean: float  # statements per payment, transaction control (BEGIN, COMMIT, savepoints) apart
    max: int
    control: float  # transaction-control statements per payment
    per_call: dict[str, float]  # hold, post, cashback: mean statements apart from control
    example: list[str]


CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def is_control(statement: str) -> bool:
    return statement.strip().upper().startswith(CONTROL)


def count_statements(
    world: World, payments: Sequence[Payment], *, savepoint: bool, tag: str
) -> StatementCount:
    """One process, each payment's statements counted with CaptureQueriesContext."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    totals: list[int] = []
    control: list[int] = []
    per_call: dict[str, list[int]] = {"hold": [], "post": [], "cashback": []}
    example: list[str] = []
    for n, p in enumerate(payments):
        base = f"bench/count-{tag}/{n}"
        with CaptureQueriesContext(connection) as ctx:
            marks = [0]
            pay_through_services(
                world,
                p,
                (f"{base}/hold", f"{base}/post", f"{base}/cashback"),
                savepoint=savepoint,
                mark=partial(_mark, marks, ctx),
            )
        marks.append(len(ctx.captured_queries))
        statements = [q["sql"] for q in ctx.captured_queries]
        tx = sum(1 for s in statements if is_control(s))
        totals.append(len(statements) - tx)
        control.append(tx)
        for name, (a, b) in zip(("hold", "post", "cashback"), itertools.pairwise(marks), strict=True):
            if name != "cashback" or p.cashback:
                per_call[name].append(sum(1 for s in statements[a:b] if not is_control(s)))
        if p.cashback and not example:
            example = [" ".join(s.split())[:160] for s in statements]
    return StatementCount(
        payments=len(totals),
        mean=statistics.fmean(totals) if totals else 0.0,
        max=max(totals, default=0),
        control=statistics.fmean(control) if control else 0.0,
        per_call={k: statistics.fmean(v) if v else 0.0 for k, v in per_call.items()},
        example=example,
    )


# --- report ---------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def report(
    phases: list[PhaseResult],
    counts: dict[str, StatementCount],
    *,
    machine: str,
    scale: Scale,
    clients: int,
    per_client: int,
    cashback_share: float,
    show_statements: bool,
) -> tuple[bool, bool]:
    """Print the figures. Returns (correct, met): correct when every phase's invariants hold
    after every round and nothing unexpected happened; met when the checkout's path (services
    with savepoint=False, as place_order runs) reaches TARGET_RATIO. The services with their
    default savepoints are shown against the same line, for comparison."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=150)
    console.print(machine)
    console.print(
        f"{clients} clients x {per_client} payments, {scale.wallets:,} wallets, {scale.merchants} merchants, "
        f"cashback on {cashback_share:.0%} of the wallets, {PARTIAL_SHARE:.0%} of the posts partial"
    )
    base = next((p for p in phases if p.name == "raw SQL"), None)
    base_rate = base.per_s if base else 0.0
    table = Table(title="bench/ledger.py: checkout payments (hold, then post) on PostgreSQL")
    for column in (
        "phase",
        "payments/s",
        "p50 ms",
        "p99 ms",
        "ok",
        "failed",
        "ratio",
        "target",
        "invariants",
    ):
        table.add_column(column, justify="left" if column in ("phase", "target", "invariants") else "right")
    met = True
    correct = bool(phases)
    for phase in phases:
        ratio = phase.per_s / base_rate if base_rate else None
        passed = ratio is not None and ratio >= TARGET_RATIO
        if phase is base:
            target = "baseline"
        elif phase.name == TARGET_PHASE:
            met &= passed
            target = f">= {TARGET_RATIO:.2f}x {'ok' if passed else 'MISSED'}"
        else:
            target = f"(compare: {'above' if passed else 'below'} {TARGET_RATIO:.2f}x)"
        correct &= phase.correct
        table.add_row(
            phase.name,
            fmt(phase.per_s),
            fmt(phase.p50_ms),
            fmt(phase.p99_ms),
            str(phase.ok),
            str(sum(phase.failures.values())),
            "-" if ratio is None else f"{ratio:.2f}x",
            target,
            "hold" if phase.correct else "BROKEN",
        )
    console.print(table)
    for phase in phases:
        done = phase.ok + sum(phase.failures.values())
        codes = ", ".join(f"{c} {n}" for c, n in phase.failures.most_common()) or "none"
        console.print(
            f"[bold]{phase.name}[/]: {phase.wall_s:.2f} s wall, client processes' CPU "
            f"{phase.client_cpu_s / max(1, done) * 1000:.2f} ms per payment; failures: {codes}"
        )
        if len(phase.rounds) > 1:
            rates = " / ".join(f"{rate:,.1f}" for rate, _ in phase.rounds)
            line = f"  rounds (in the order run): {rates} payments/s"
            if base is not None and phase is not base:
                ratios = " / ".join(
                    f"{a / b:.2f}x" for (a, _), (b, _) in zip(phase.rounds, base.rounds, strict=True)
                )
                line += f"; ratio per round {ratios}"
            console.print(line)
        inv = phase.invariants
        if inv is not None:
            console.print(
                f"  after its last round: check_ledger {len(inv.problems)} problems; "
                f"debits posted {inv.debits_posted:,} "
                f"{'==' if inv.debits_posted == inv.credits_posted else '!='} credits posted "
                f"{inv.credits_posted:,}; pending {inv.debits_pending:,} / {inv.credits_pending:,}; "
                f"wallets below zero {inv.wallets_below_zero}; holds left open {inv.open_holds}; "
                f"receivables credited {inv.merchants_credited:,} won, cashback {inv.cashback_given:,} won "
                f"(as the clients report: all rounds {phase.posted_won:,} / {phase.cashback_won:,} won)"
            )
            for problem in inv.problems[:5]:
                console.print(f"  [red]problem[/]: {problem}")
        if phase.waits:
            shares = ", ".join(f"{k} {v:.0%}" for k, v in list(phase.waits.items())[:5])
            console.print(f"  server processes: {shares}")
        for error in phase.errors:
            console.print(f"  [red]error[/]: {error}")
    for name, c in counts.items():
        per_call = ", ".join(f"{k} {v:.1f}" for k, v in c.per_call.items())
        console.print(
            f"SQL statements per payment ({name}, {c.payments} payments in one process): mean {c.mean:.2f}, "
            f"max {c.max} ({per_call}), plus {c.control:.1f} transaction-control statements"
        )
        if show_statements and c.example:
            for n, s in enumerate(c.example, 1):
                console.print(f"  {n:2d}. {s}", highlight=False, markup=False)
    console.print(
        "raw SQL sends 3 statements for the hold, 3 for the post and 3 for a cashback, plus BEGIN/COMMIT"
    )
    console.print(
        ("invariants hold after every phase" if correct else "[bold red]INVARIANTS BROKEN: see above[/]")
        + ("; target met" if met else "; [bold red]target missed[/]")
    )
    return correct, met


def figures(phases: list[PhaseResult], counts: dict[str, StatementCount], machine: str) -> dict[str, Any]:
    return {
        "machine": machine,
        "phases": [
            {
                "phase": p.name,
                "payments_per_s": round(p.per_s, 1),
                "p50_ms": p.p50_ms,
                "p99_ms": p.p99_ms,
                "ok": p.ok,
                "failures": dict(p.failures),
                "posted_won": p.posted_won,
                "cashback_won": p.cashback_won,
                "invariants_hold": p.correct,
                "check_ledger_problems": sum(len(c.problems) for c in p.checks),
                "rounds_payments_per_s": [round(rate, 1) for rate, _ in p.rounds],
                "server_states": p.waits,
            }
            for p in phases
        ],
        "statements_per_payment": {
            name: {"mean": c.mean, "max": c.max, "control": c.control, "per_call": c.per_call}
            for name, c in counts.items()
        },
    }


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_LEDGER_DATABASE_URL", DEFAULT_URL),
        help="the bench database to create and drop (default: %(default)s; never an existing one "
        "that this script did not make)",
    )
    parser.add_argument("--clients", type=int, default=None, help="client processes (16; 4 with --quick)")
    parser.add_argument("--payments-per-client", type=int, default=None)
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="each phase's payments in this many rounds, the phases taking turns (3; 1 with --quick)",
    )
    parser.add_argument("--cashback", action="store_true", help="cashback on every payment (default: half)")
    parser.add_argument("--quick", action="store_true", help="a small run for a CI smoke test")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--show-statements", action="store_true", help="print one payment's SQL")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    scale = QUICK if args.quick else FULL
    clients = args.clients or scale.clients
    per_client = args.payments_per_client or scale.payments_per_client
    rounds = max(1, min(args.rounds or scale.rounds, per_client))
    url: str = args.database_url
    database_name(url)
    t_start = time.monotonic()

    def say(message: str) -> None:
        print(f"[{time.monotonic() - t_start:6.1f} s] {message}", flush=True)

    say(f"creating database {database_name(url)!r}")
    create_database(url)
    try:
        setup_django(url)
        from django.core.management import call_command

        say("migrating")
        call_command("migrate", verbosity=0, interactive=False)
        world = build_world(scale, cashback_all=args.cashback, say=say)
        snapshot_balances(url)
        plans = make_plans(world, scale, args.seed, clients=clients, per_client=per_client)
        count_plan = make_plans(world, scale, args.seed + 1, clients=1, per_client=scale.count_payments)[0]
        counts: dict[str, StatementCount] = {}
        kinds = [
            ("service, savepoint=False", "service", False),
            ("service, savepoints", "service", True),
            ("raw SQL", "raw", True),
        ]
        phases = {name: PhaseResult(name) for name, _, _ in kinds}
        for r in range(rounds):
            share = [
                payments[r * per_client // rounds : (r + 1) * per_client // rounds] for payments in plans
            ]
            for i in range(len(kinds)):  # each round starts with the next phase: drift spreads evenly
                name, kind, savepoint = kinds[(r + i) % len(kinds)]
                reset_state(url)
                say(f"round {r + 1}/{rounds}, {name}: {clients} clients x {len(share[0])} payments")
                tag = f"{r}/{'raw' if kind == 'raw' else savepoint}"
                result = run_round(name, kind, url, world, share, savepoint=savepoint, tag=tag)
                phases[name].add(result, check_invariants(url, world))
                rate, held = phases[name].rounds[-1]
                say(f"  {len(result.latencies)} paid, {sum(result.failures.values())} failed, {rate:,.1f}/s, "
                    f"invariants {'hold' if held else 'BROKEN'}")  # fmt: skip
                if kind == "service" and name not in counts:
                    reset_state(url)
                    say(f"  counting statements over {len(count_plan)} payments in one process")
                    counts[name] = count_statements(
                        world, count_plan, savepoint=savepoint, tag=str(savepoint)
                    )
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        machine = (
            f"machine: {os.cpu_count()} CPUs ({platform.machine()}, "
            f"{platform.system()} {platform.release()}), Python {platform.python_version()}, "
            f"PostgreSQL {version}"
        )
        cashback_share = len(world.cashback_wallets) / max(1, len(world.wallet_ids))
        correct, met = report(
            list(phases.values()),
            counts,
            machine=machine,
            scale=scale,
            clients=clients,
            per_client=per_client,
            cashback_share=cashback_share,
            show_statements=args.show_statements,
        )
        if args.json:
            data = {**figures(list(phases.values()), counts, machine), "correct": correct, "target_met": met}
            args.json.write_text(json.dumps(data, indent=2))
        say("done")
        if not correct:
            return 2
        return 1 if args.strict and not met else 0
    finally:
        if args.keep:
            print(f"kept database {database_name(url)!r}")
        else:
            from django.db import connections

            connections.close_all()
            drop_database(url)


if __name__ == "__main__":
    sys.exit(main())
