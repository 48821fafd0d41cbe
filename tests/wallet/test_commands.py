"""`hyperlocal settle_vouchers` and `expire_vouchers`, and the worker jobs behind them: the
report's figures, a repeat that moves nothing, refusals as CommandError with nothing written,
one programme's failure sparing the others, --if-due, expiry sweeping a wallet."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from hyperlocal.wallet import jobs
from hyperlocal.wallet.programmes import Programme, Settlement
from hyperlocal.wallet.services import check_ledger
from hyperlocal.wallet.services.settlement import default_run_id, run_settlement
from tests.wallet.settle_helpers import (
    NOW,
    district,
    grant,
    make_programme,
    make_shop,
    net,
    pay,
    refund_payment,
    resident,
    snapshot,
)

pytestmark = pytest.mark.django_db


def settle(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("settle_vouchers", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class Two:
    """Two district programmes with sales (1.5 % and no fee) and a closed one."""

    def __init__(self) -> None:
        self.mapo = make_programme("mapo-love", fee_bp=150)
        self.seodaemun = make_programme("seodaemun-love", region=district("11410", "서대문구"), fee_bp=0)
        self.closed = make_programme("old-love", region=district("11110", "종로구"))
        Programme.objects.filter(pk=self.closed.pk).update(is_active=False)
        w = grant(self.mapo, resident("alice"), 100_000, batch="a")
        self.greens = make_shop(self.mapo, "Mangwon Greens")
        self.bakery = make_shop(self.mapo, "Seogyo Bakery")
        pay(w, self.greens, 10_000, "p1")
        pay(w, self.greens, 23_333, "p2")
        pay(w, self.bakery, 300, "p3")
        v = grant(self.seodaemun, resident("bob"), 50_000, batch="b")
        self.fruit = make_shop(self.seodaemun, "Sinchon Fruit")
        pay(v, self.fruit, 7_777, "q1")
        old = make_shop(self.closed, "Old Shop")
        pay(grant(self.closed, resident("carol"), 5_000, batch="c"), old, 5_000, "r1")


@pytest.fixture
def two() -> Two:
    with transaction.atomic():
        return Two()


def test_one_programme_with_a_run_id_prints_the_report(two: Two) -> None:
    out, _ = settle("--programme", "mapo-love", "--run-id", "march-3")
    assert "mapo-love: settlement march-3" in out
    lines = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") >= 5}
    assert [cell.strip() for cell in lines["Mangwon Greens"].split("│")[2:6]] == [
        "33,333",
        "500",
        "32,833",
        "2",
    ]
    assert [cell.strip() for cell in lines["Seogyo Bakery"].split("│")[2:6]] == ["300", "5", "295", "1"]
    assert [cell.strip() for cell in lines["2 merchant(s)"].split("│")[2:6]] == [
        "33,633",
        "505",
        "33,128",
        "3",
    ]
    assert list(Settlement.objects.values_list("run_id", flat=True)) == ["march-3"]
    assert net(two.fruit.account) == 7_777  # the other programme was not asked for
    assert check_ledger() == []


def test_a_repeat_prints_the_same_run_and_moves_nothing(two: Two) -> None:
    settle("--programme", "mapo-love", "--run-id", "march-3")
    before = snapshot()
    out, _ = settle("--programme", "mapo-love", "--run-id", "march-3")
    assert "march-3 (already run)" in out
    assert "32,833" in out
    assert snapshot() == before


def test_by_default_every_active_programme_settles_under_its_dated_run_id(two: Two) -> None:
    out, _ = settle()
    today = timezone.localdate().isoformat()
    assert set(Settlement.objects.values_list("run_id", flat=True)) == {
        f"mapo-love/{today}",
        f"seodaemun-love/{today}",
    }
    assert "7,777" in out  # Sinchon Fruit, no fee
    assert net(two.fruit.account) == 0
    assert not Settlement.objects.filter(programme=two.closed).exists()


def test_if_due_skips_a_programme_settled_today(two: Two) -> None:
    run_settlement(two.mapo, run_id="earlier-today", now=timezone.now())
    out, _ = settle("--if-due")
    assert "mapo-love: not due (settles every 1 day(s))" in out
    assert Settlement.objects.filter(programme=two.seodaemun).count() == 1
    assert Settlement.objects.filter(programme=two.mapo).count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--run-id", "r1"], "give --programme CODE too"),
        (["--programme", "nowhere"], "no voucher programme 'nowhere'"),
        (["--programme", "mapo-love", "--run-id", "expired/r1"], "mapo-love"),
        (["--programme", "mapo-love", "--run-id", "x" * 65], "mapo-love"),
    ],
)
def test_bad_arguments_are_a_command_error_and_write_nothing(two: Two, args: list[str], message: str) -> None:
    before = snapshot()
    with pytest.raises(CommandError, match=message) as refused:
        settle(*args)
    assert refused.value.returncode == 1
    assert snapshot() == before


def test_one_refused_programme_spares_the_others(two: Two) -> None:
    # Seodaemun's run took the id Mapo's run would use today: Mapo is refused (409), named on
    # stderr and in the exit, with nothing written; Seodaemun settles.
    taken = default_run_id(two.mapo, timezone.now())
    Settlement.objects.create(programme=two.seodaemun, run_id=taken, period_end=NOW, created_at=NOW)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="settlement refused for mapo-love"):
        call_command("settle_vouchers", stdout=out, stderr=err)
    assert "mapo-love: nothing settled: settlement run id" in err.getvalue()
    assert net(two.greens.account) == 33_333
    assert net(two.fruit.account) == 0
    assert Settlement.objects.filter(programme=two.seodaemun).count() == 2


def test_a_receivable_below_zero_is_reported(two: Two) -> None:
    settle("--programme", "mapo-love", "--run-id", "d1")
    refund_payment(two.mapo.wallets.get(), two.greens, 4_000, "refund-1")
    out, _ = settle("--programme", "mapo-love", "--run-id", "d2")
    assert "carried over: Mangwon Greens owes 4,000 won" in out
    assert "0 merchant(s)" in out


def test_expire_vouchers_sweeps_expired_lots() -> None:
    now = timezone.now()
    with transaction.atomic():
        p = make_programme(now=now - timedelta(days=500))
        old = grant(p, resident("alice"), 12_000, batch="old", at=now - timedelta(days=400), days=365)
        fresh = grant(p, resident("bob"), 5_000, batch="new", at=now - timedelta(days=1), days=365)
    out = StringIO()
    call_command("expire_vouchers", "--programme", p.code, stdout=out)
    assert out.getvalue().strip() == "swept expired vouchers out of 1 wallet(s) of mapo-love"
    assert (net(old.account), net(fresh.account), net(p.float_account)) == (0, 5_000, 12_000)
    out = StringIO()
    call_command("expire_vouchers", stdout=out)
    assert out.getvalue().strip() == "swept expired vouchers out of 0 wallet(s)"
    with pytest.raises(CommandError, match="no voucher programme"):
        call_command("expire_vouchers", "--programme", "nowhere")
    assert check_ledger() == []


def test_the_settlement_job_settles_due_programmes_once_a_day(two: Two) -> None:
    assert getattr(jobs.settle_due_programmes, "owns_transactions", False)
    assert jobs.settle_due_programmes() == 2  # the closed programme is left alone
    assert jobs.settle_due_programmes() == 0  # not due again today
    today = timezone.localdate().isoformat()
    assert Settlement.objects.get(programme=two.mapo).run_id == f"mapo-love/{today}"
    assert Settlement.objects.get(programme=two.mapo).net_won == 33_128


def test_a_failing_programme_spares_the_others_in_the_job(two: Two, caplog: pytest.LogCaptureFixture) -> None:
    taken = default_run_id(two.mapo, timezone.now())
    Settlement.objects.create(
        programme=two.seodaemun, run_id=taken, period_end=NOW - timedelta(days=9), created_at=NOW
    )
    assert jobs.settle_due_programmes() == 1
    assert "settlement of programme mapo-love failed" in caplog.text
    assert net(two.greens.account) == 33_333
    assert net(two.fruit.account) == 0


def test_the_expiry_job_sweeps_every_programme() -> None:
    now = timezone.now()
    with transaction.atomic():
        p = make_programme(now=now - timedelta(days=500))
        q = make_programme(
            "seodaemun-love", region=district("11410", "서대문구"), now=now - timedelta(days=500)
        )
        grant(p, resident("alice"), 1_000, batch="old", at=now - timedelta(days=400), days=365)
        grant(q, resident("bob"), 2_000, batch="old", at=now - timedelta(days=400), days=365)
    assert jobs.expire_due_vouchers() == 2
    assert jobs.expire_due_vouchers() == 0
    assert (net(p.float_account), net(q.float_account)) == (1_000, 2_000)
