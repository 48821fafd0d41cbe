"""`hyperlocal simulate --db`: a smaller day driven through the real services and database.

The one module of this package that uses Django (the command imports it only for --db; the
in-memory engine stays pure). On a simulated clock of one-minute steps it places instant
orders for the demo city's residents through checkout, picks every line and packs a
shipment once it has waited ``prep_minutes`` (a hub's admin as the picker; no picker
capacity here), runs each hub's dispatch round every ``round_seconds`` and lets the
autopilot move the simulated couriers. Everything it does is written, as a real day would
be. Where the district runs a local-currency programme, some residents buy vouchers at the
start and pay part of their orders with them (held at checkout, paid at delivery). At the end
it checks invariants: stock agrees with its movements (no oversell, nothing negative), every
delivered shipment went through picking, packed, out for delivery and delivered, in that
order, and the ledger balances (hyperlocal check_ledger).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.db import transaction

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import Product
from hyperlocal.dispatch.services import autopilot
from hyperlocal.dispatch.services.rounds import run_round
from hyperlocal.errors import DomainError
from hyperlocal.hubs.services import list_hubs
from hyperlocal.inventory.services import products_in_stock, stock_mismatches, stock_out_of_bounds
from hyperlocal.orders.models import OrderLine, OrderStatus, Shipment
from hyperlocal.orders.services.checkout import DeliveryChoice, LineRequest, place_order
from hyperlocal.orders.services.picking import pack, record_pick
from hyperlocal.orders.services.selectors import status_paths
from hyperlocal.orders.services.tender import voucher_quote
from hyperlocal.wallet.models import Programme, Wallet
from hyperlocal.wallet.services import buy_vouchers, check_ledger

from .demand import order_times

__all__ = ["DbDay", "run_db_day"]

PATH = (OrderStatus.PICKING, OrderStatus.PACKED, OrderStatus.OUT_FOR_DELIVERY, OrderStatus.DELIVERED)


@dataclass
class DbDay:
    placed: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    packed: int = 0
    rounds: int = 0
    moves: int = 0
    delivered: int = 0
    on_time: int = 0
    open_at_end: int = 0
    voucher_buyers: int = 0
    voucher_orders: int = 0
    voucher_won: int = 0
    stock_problems: list[str] = field(default_factory=list)
    state_problems: list[str] = field(default_factory=list)
    ledger_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.stock_problems and not self.state_problems and not self.ledger_problems


class NoDemoCity(DomainError):
    pass


def _picker() -> User:
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if admin is None:
        raise NoDemoCity("no platform admin to pick and pack with: build the demo city first")
    return admin


def _steps(start: datetime, minutes: int) -> list[datetime]:
    return [start + timedelta(minutes=m) for m in range(minutes + 1)]


def run_db_day(
    *,
    orders: int,
    hours: float,
    start: datetime,
    seed: int,
    strategy: str,
    round_seconds: float = 60.0,
    prep_minutes: int = 4,
    drain_minutes: int = 120,
    progress: Callable[[float], None] | None = None,
    voucher_share: float = 0.3,
) -> DbDay:
    rng = np.random.default_rng(seed)
    hubs = sorted(list_hubs(status="open"), key=lambda h: h.pk)
    residents = list(
        User.objects.filter(household__isnull=False, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    products = products_in_stock(spare_units=5)
    if not hubs or not residents or not products:
        raise NoDemoCity("the demo city is not built (no open hubs, residents or stock): run build_demo")
    picker = _picker()
    start = start.replace(second=0, microsecond=0)
    times = order_times(orders, start_hour=start.hour + start.minute / 60, hours=hours, rng=rng)
    day = DbDay()
    holders = _buy_vouchers(residents, rng, voucher_share, start, seed, day)
    prices = dict(Product.objects.filter(pk__in=[int(p) for p in products]).values_list("pk", "price_won"))
    merchants = dict(
        Product.objects.filter(pk__in=[int(p) for p in products]).values_list("pk", "merchant_id")
    )
    placed_ids: list[int] = []
    every = max(1, round(round_seconds / 60))
    steps = _steps(start, int(hours * 60) + drain_minutes)
    next_order = 0
    for n, now in enumerate(steps):
        minute = n
        while next_order < orders and times[next_order] <= minute:
            user = User.objects.get(pk=residents[int(rng.integers(len(residents)))])
            chosen = rng.choice(products, size=int(rng.integers(1, 4)), replace=False)
            lines = [LineRequest(int(p), int(rng.integers(1, 3))) for p in chosen]
            voucher_won = 0
            if user.pk in holders:  # pay what the vouchers can of the eligible lines
                basket = [
                    (ln.product_id, merchants[ln.product_id], prices[ln.product_id] * ln.quantity)
                    for ln in lines
                ]
                voucher_won = voucher_quote(user, basket, now=now).max_won
            try:
                with transaction.atomic():
                    placed = place_order(
                        user,
                        lines,
                        DeliveryChoice("instant"),
                        idempotency_key=f"simulate-{seed}-{start:%Y%m%d%H%M}-{next_order}",
                        now=now,
                        voucher_won=voucher_won,
                    )
                placed_ids.append(placed.order.pk)
                day.placed += 1
                if voucher_won:
                    day.voucher_orders += 1
                    day.voucher_won += voucher_won
            except DomainError as exc:
                day.refused[exc.code or type(exc).__name__] += 1
            next_order += 1
        due = Shipment.objects.filter(
            order_id__in=placed_ids,
            status__in=[OrderStatus.PLACED, OrderStatus.PICKING],
            placed_at__lte=now - timedelta(minutes=prep_minutes),
        )
        for shipment in due:
            try:
                with transaction.atomic():
                    for line in OrderLine.objects.filter(shipment=shipment, picked_quantity=0).order_by("pk"):
                        record_pick(picker, line, picked=line.quantity, now=now)
                    shipment.refresh_from_db()
                    pack(picker, shipment, now=now)
                day.packed += 1
            except DomainError as exc:
                day.refused[f"pack: {exc.code or type(exc).__name__}"] += 1
        if n % every == 0:
            for hub in hubs:
                if Shipment.objects.filter(
                    hub=hub, order_id__in=placed_ids, status=OrderStatus.PACKED
                ).exists():
                    run_round(hub, now=now, strategy=strategy)
                    day.rounds += 1
        day.moves += autopilot.advance(now)
        if progress is not None:
            progress((n + 1) / len(steps))
        if minute > hours * 60 and not _open(placed_ids):
            break
    _account(day, placed_ids)
    return day


def _buy_vouchers(
    residents: list[int], rng: np.random.Generator, share: float, start: datetime, seed: int, day: DbDay
) -> set[int]:
    """A share of the residents buy 100,000 won of their district's vouchers (test card) at the
    start of the day; returns who holds some (bought now, or a wallet from before)."""
    programme = Programme.objects.filter(is_active=True).order_by("pk").first()
    if programme is None or share <= 0:
        return set()
    buyers = [int(u) for u in residents if rng.random() < share]
    amount = (
        min(100_000, programme.monthly_purchase_cap_won)
        // programme.purchase_unit_won
        * programme.purchase_unit_won
    )
    holders = set()
    for user in User.objects.filter(pk__in=buyers).order_by("pk"):
        try:
            with transaction.atomic():
                buy_vouchers(
                    user,
                    programme,
                    amount,
                    request_id=f"simulate-{seed}-{start:%Y%m%d%H%M}",
                    payment_token="tok_test_ok",
                    now=start,
                )
            day.voucher_buyers += 1
        except DomainError as exc:  # the month's cap reached in an earlier run: spend what is there
            day.refused[f"vouchers: {exc.code or type(exc).__name__}"] += 1
        holders.add(user.pk)
    # Residents who held vouchers before the day (an allowance, earlier purchases) pay too.
    holders.update(
        Wallet.objects.filter(programme=programme, user_id__in=residents).values_list("user_id", flat=True)
    )
    return holders


def _open(order_ids: list[int]) -> bool:
    return Shipment.objects.filter(
        order_id__in=order_ids,
        status__in=[
            OrderStatus.PLACED,
            OrderStatus.PICKING,
            OrderStatus.PACKED,
            OrderStatus.OUT_FOR_DELIVERY,
        ],
    ).exists()


def _account(day: DbDay, order_ids: list[int]) -> None:
    shipments = list(Shipment.objects.filter(order_id__in=order_ids))
    delivered = [s for s in shipments if s.status == OrderStatus.DELIVERED]
    day.delivered = len(delivered)
    day.on_time = sum(1 for s in delivered if s.delivered_at is not None and s.delivered_at <= s.promised_by)
    day.open_at_end = len(shipments) - len(delivered)
    events = status_paths(s.pk for s in delivered)
    for s in delivered:
        path = [status for status in events.get(s.pk, []) if status in PATH]
        if path != list(PATH):
            day.state_problems.append(f"shipment {s.pk}: went {' -> '.join(path) or 'nowhere'}")
    for m in stock_mismatches():
        day.stock_problems.append(
            f"hub {m.hub_id}, product {m.product_id}: on hand {m.on_hand} vs {m.expected_on_hand}, "
            f"reserved {m.reserved} vs {m.expected_reserved}"
        )
    for problem in check_ledger():
        day.ledger_problems.append(f"ledger {problem.account or '(all)'}: {problem.message}")
    for row in stock_out_of_bounds():
        day.stock_problems.append(
            f"hub {row.hub_id}, product {row.product_id}: {row.on_hand} on hand, {row.reserved} reserved"
        )
