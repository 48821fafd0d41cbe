"""The worker's periodic-job runner: due jobs run in their own transaction, a failing job
does not stop the others, and the configured hold release really releases holds."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from hyperlocal.orders.models import StockHold
from hyperlocal.orders.services import set_cart_line
from hyperlocal.worker.periodic import (
    PeriodicJob,
    configured_jobs,
    owns_transactions,
    run_due,
    seconds_until_next,
)
from tests.orders.conftest import Shop, reserved_total


def long_ago(shop: Shop) -> datetime:
    return shop.now - timedelta(weeks=400)


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def broken() -> None:
    raise RuntimeError("boom")


@pytest.mark.django_db
def test_due_jobs_run_and_wait_for_their_interval() -> None:
    calls: list[str] = []
    clock = FakeClock()
    jobs = [
        PeriodicJob("a", 10, lambda: calls.append("a")),
        PeriodicJob("b", 30, lambda: calls.append("b")),
    ]
    assert run_due(jobs, clock=clock) == ["a", "b"]
    clock.t += 10
    assert run_due(jobs, clock=clock) == ["a"]
    assert seconds_until_next(jobs, clock=clock) == 10
    clock.t += 20
    assert run_due(jobs, clock=clock) == ["a", "b"]
    assert calls == ["a", "b", "a", "a", "b"]


@pytest.mark.django_db
def test_a_failing_job_does_not_stop_the_others() -> None:
    calls: list[str] = []
    jobs = [PeriodicJob("broken", 5, broken), PeriodicJob("ok", 5, lambda: calls.append("ok"))]
    assert run_due(jobs, clock=FakeClock()) == ["ok"]
    assert calls == ["ok"]


def test_hold_release_is_configured() -> None:
    # Other domains add their jobs (dispatch rounds, the demo's autopilots) after it.
    assert next(job.name for job in configured_jobs()) == "hyperlocal.orders.jobs.release_expired_cart_holds"


def test_worker_once_releases_expired_holds(shop: Shop) -> None:
    # A hold taken years ago (same weekday and hour as the shop's clock) has expired by now.
    set_cart_line(shop.customer, shop.products[0].pk, 2, now=long_ago(shop))
    assert reserved_total() == 2
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    jobs = len(configured_jobs())
    assert f"ran {jobs} of {jobs} jobs" in out.getvalue()
    assert reserved_total() == 0
    assert StockHold.objects.count() == 0


def test_release_holds_command(shop: Shop) -> None:
    set_cart_line(shop.customer, shop.products[0].pk, 1, now=long_ago(shop))
    out = StringIO()
    call_command("release_holds", stdout=out)
    assert "released 1 expired cart holds" in out.getvalue()
    assert reserved_total() == 0


@pytest.mark.django_db(transaction=True)
def test_a_job_that_owns_its_transactions_runs_outside_the_wrapping_one() -> None:
    from django.db import connection

    seen: dict[str, bool] = {}

    def wrapped() -> None:
        seen["wrapped"] = connection.in_atomic_block

    @owns_transactions
    def own() -> None:
        seen["own"] = connection.in_atomic_block

    run_due([PeriodicJob("wrapped", 10, wrapped), PeriodicJob("own", 10, own)], clock=FakeClock())
    assert seen == {"wrapped": True, "own": False}


def test_dispatch_rounds_own_their_transactions() -> None:
    from hyperlocal.dispatch.jobs import run_dispatch_rounds

    assert getattr(run_dispatch_rounds, "owns_transactions", False)
