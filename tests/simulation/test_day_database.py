"""`simulate --db` on a small demo city: real checkout, picking, rounds and autopilot on a
simulated clock; every order delivered through the states, stock consistent."""

from __future__ import annotations

from datetime import datetime

from hyperlocal.orders.models import OrderStatus, Shipment
from hyperlocal.simulation.day.database import run_db_day
from hyperlocal.simulation.day.synthetic import SEOUL
from hyperlocal.simulation.demo import BuildOutcome


def test_a_small_day_on_the_database_keeps_the_invariants(city: BuildOutcome) -> None:
    before = Shipment.objects.count()
    day = run_db_day(
        orders=6, hours=0.25, start=datetime.now(SEOUL), seed=4, strategy="greedy", drain_minutes=90
    )
    assert day.placed + sum(day.refused.values()) == 6
    assert day.placed >= 4
    assert day.ok, day.stock_problems + day.state_problems + day.ledger_problems
    assert day.delivered == Shipment.objects.count() - before  # every shipment delivered
    assert day.open_at_end == 0
    assert Shipment.objects.filter(status=OrderStatus.DELIVERED).count() >= day.placed
    assert day.rounds > 0


def test_residents_pay_part_with_vouchers_and_the_ledger_balances(city: BuildOutcome) -> None:
    from hyperlocal.wallet.models import VoucherHold
    from hyperlocal.wallet.services import check_ledger

    start = datetime.now(SEOUL).replace(second=0, microsecond=0)
    day = run_db_day(
        orders=8,
        hours=0.25,
        start=start,
        seed=5,
        strategy="greedy",
        drain_minutes=90,
        voucher_share=1.0,
    )
    assert day.voucher_buyers > 0
    assert day.voucher_orders > 0, day.refused
    assert day.ok, day.stock_problems + day.state_problems + day.ledger_problems
    posted = VoucherHold.objects.filter(status=VoucherHold.Status.POSTED, created_at__gte=start)
    assert sum(h.posted_won for h in posted) == day.voucher_won  # every voucher part paid at delivery
    assert check_ledger() == []
