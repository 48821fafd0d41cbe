"""Settlement runs: exact payouts net of a fee rounded half up, idempotent by run id, a
conflicting run id refused with nothing written, pending holds left alone, receivables below
zero carried over, the schedule, and (PostgreSQL) concurrent runs that pay each sale once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection, transaction

from hyperlocal.errors import Conflict, InvalidInput
from hyperlocal.wallet.errors import TransferIdReused
from hyperlocal.wallet.models import Transfer
from hyperlocal.wallet.programmes import MerchantAccount, Programme, Settlement, SettlementPayout, Wallet
from hyperlocal.wallet.services import check_ledger, transfer
from hyperlocal.wallet.services.settlement import (
    CarriedOver,
    carried_over,
    default_run_id,
    run_settlement,
    settlement_due,
)
from tests.wallet.settle_helpers import (
    NOW,
    SEOUL,
    district,
    grant,
    hold,
    make_programme,
    make_shop,
    net,
    pay,
    refund_payment,
    resident,
    snapshot,
)

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")


class Town:
    """A programme with a 1.5 % fee, one funded resident and shops with sales."""

    def __init__(self) -> None:
        self.programme = make_programme(fee_bp=150)
        self.wallet = grant(self.programme, resident("alice"), 200_000, batch="allowance")
        p = self.programme
        self.greens = make_shop(p, "Mangwon Greens")
        self.bakery = make_shop(p, "Seogyo Bakery")
        self.books = make_shop(p, "Hapjeong Books")
        self.cafe = make_shop(p, "Yeonnam Cafe")
        self.butcher = make_shop(p, "Sangam Butcher")
        self.tea = make_shop(p, "Boseong Tea")
        w = self.wallet
        pay(w, self.greens, 10_000, "p1")
        pay(w, self.greens, 23_333, "p2")  # 33,333 x 1.5 % = 499.995 -> 500
        pay(w, self.bakery, 300, "p3")  # 4.5 -> 5 (half up; half-even would give 4)
        pay(w, self.books, 33, "p4")  # 0.495 -> 0: no fee transfer
        pay(w, self.butcher, 8_000, "p5", posted=6_000)  # short pick: 6,000 posted, 90 fee
        pay(w, self.tea, 100, "p6")  # 1.5 -> 2
        hold(w, self.cafe, 5_000, "p7")  # held, not delivered: not settled


@pytest.fixture
def town() -> Town:
    with transaction.atomic():
        return Town()


def payout_rows(settlement: Settlement) -> list[tuple[str, int, int, int, int]]:
    return [
        (p.merchant.name, p.gross_won, p.fee_won, p.net_won, p.payments)
        for p in SettlementPayout.objects.filter(settlement=settlement).select_related("merchant")
        .order_by("merchant__name")
    ]  # fmt: skip


def test_run_pays_every_receivable_net_of_a_fee_rounded_half_up(town: Town) -> None:
    p = town.programme
    s = run_settlement(p, run_id="mapo-love/2025-03-03", now=NOW + timedelta(hours=1))
    assert payout_rows(s) == [
        ("Boseong Tea", 100, 2, 98, 1),
        ("Hapjeong Books", 33, 0, 33, 1),
        ("Mangwon Greens", 33_333, 500, 32_833, 2),
        ("Sangam Butcher", 6_000, 90, 5_910, 1),
        ("Seogyo Bakery", 300, 5, 295, 1),
    ]
    assert (s.gross_won, s.fee_won, s.net_won) == (39_766, 597, 39_169)
    assert Settlement.objects.get(pk=s.pk).net_won == 39_169
    for ma in (town.greens, town.bakery, town.books, town.butcher, town.tea):
        assert net(ma.account) == 0
    assert net(p.fees_account) == 597
    assert net(p.cash_account) == 39_169
    # The held payment is still held, and nothing of it moved.
    assert net(town.cafe.account) == 0
    assert Transfer.objects.filter(pk="p7").get().state == "pending"
    moved = dict(Transfer.objects.filter(pk__startswith="mapo-love/2025-03-03/").values_list("pk", "amount"))
    g, b = town.greens.merchant_id, town.books.merchant_id
    assert moved[f"mapo-love/2025-03-03/fee/{g}"] == 500
    assert moved[f"mapo-love/2025-03-03/payout/{g}"] == 32_833
    assert f"mapo-love/2025-03-03/fee/{b}" not in moved  # a zero fee moves nothing
    assert moved[f"mapo-love/2025-03-03/payout/{b}"] == 33
    assert len(moved) == 9
    kinds = set(Transfer.objects.filter(pk__startswith="mapo-love/").values_list("kind", flat=True))
    assert kinds == {"settlement_fee", "payout"}
    assert check_ledger() == []


def test_a_repeat_returns_the_same_settlement_and_writes_nothing(town: Town) -> None:
    first = run_settlement(town.programme, run_id="r1", now=NOW)
    before = snapshot()
    again = run_settlement(town.programme, run_id="r1", now=NOW + DAY)
    assert again.pk == first.pk
    assert (again.gross_won, again.net_won) == (39_766, 39_169)
    assert snapshot() == before


def test_a_run_id_of_another_programme_is_a_conflict_and_writes_nothing(town: Town) -> None:
    run_settlement(town.programme, run_id="r1", now=NOW)
    other = make_programme("seodaemun-love", region=district("11410", "서대문구"))
    shop = make_shop(other, "Sinchon Fruit")
    pay(grant(other, resident("bob"), 10_000, batch="b"), shop, 4_000, "q1")
    before = snapshot()
    with pytest.raises(Conflict) as refused:
        run_settlement(other, run_id="r1", now=NOW)
    assert refused.value.code == "run_id_reused"
    assert refused.value.status_code == 409
    assert snapshot() == before
    assert net(shop.account) == 4_000


@pytest.mark.parametrize("run_id", ["", "   ", "expired/r1", "x" * 65, "a\nb", None, 7])
def test_a_bad_run_id_is_refused_and_writes_nothing(town: Town, run_id: object) -> None:
    before = snapshot()
    with pytest.raises(InvalidInput) as refused:
        run_settlement(town.programme, run_id=run_id, now=NOW)  # type: ignore[arg-type]
    assert refused.value.field == "run_id"
    assert snapshot() == before


def test_a_naive_clock_is_refused(town: Town) -> None:
    with pytest.raises(InvalidInput):
        run_settlement(town.programme, run_id="r1", now=NOW.replace(tzinfo=None))
    assert not Settlement.objects.exists()


def test_a_failure_half_way_leaves_nothing_of_the_run(town: Town) -> None:
    # Someone used the id of the bakery's payout for another transfer: the run stops there
    # (409), and the payouts it made before that are rolled back with it.
    p = town.programme
    transfer(f"r1/payout/{town.bakery.merchant_id}", p.budget_account, p.cash_account, 1, kind="x", now=NOW)
    before = snapshot()
    with pytest.raises(TransferIdReused):
        run_settlement(p, run_id="r1", now=NOW)
    assert snapshot() == before
    assert net(town.greens.account) == 33_333
    assert check_ledger() == []


def test_a_refund_after_settlement_is_carried_over_and_netted_by_a_later_run(town: Town) -> None:
    p, greens = town.programme, town.greens
    run_settlement(p, run_id="d1", now=NOW)
    refund_payment(town.wallet, greens, 10_000, "refund-p1", at=NOW + timedelta(hours=2))
    assert net(greens.account) == -10_000
    second = run_settlement(p, run_id="d2", now=NOW + DAY)
    assert payout_rows(second) == []
    assert (second.gross_won, second.fee_won, second.net_won) == (0, 0, 0)
    assert carried_over(p) == [CarriedOver(greens.merchant_id, "Mangwon Greens", -10_000)]
    assert net(greens.account) == -10_000  # left alone
    pay(town.wallet, greens, 25_000, "p8", at=NOW + DAY + timedelta(hours=1))
    third = run_settlement(p, run_id="d3", now=NOW + 2 * DAY)
    # 25,000 new sales less the 10,000 refunded: 15,000; fee 225; one payment since d2.
    assert payout_rows(third) == [("Mangwon Greens", 15_000, 225, 14_775, 1)]
    assert carried_over(p) == []
    assert net(greens.account) == 0
    assert check_ledger() == []


def test_payments_are_counted_since_the_previous_run(town: Town) -> None:
    p = town.programme
    run_settlement(p, run_id="d1", now=NOW)
    later = NOW + timedelta(hours=2)
    pay(town.wallet, town.bakery, 1_000, "p9", at=later)
    pay(town.wallet, town.bakery, 1_000, "p10", at=later)
    # The held payment is delivered now: posted after the first run, so it counts now.
    from hyperlocal.wallet.services import post_pending

    post_pending("p7/post", "p7", now=later)
    second = run_settlement(p, run_id="d2", now=NOW + DAY)
    assert payout_rows(second) == [
        ("Seogyo Bakery", 2_000, 30, 1_970, 2),
        ("Yeonnam Cafe", 5_000, 75, 4_925, 1),
    ]


def test_a_programme_with_nothing_to_settle_records_an_empty_run() -> None:
    with transaction.atomic():
        p = make_programme(fee_bp=0)
        make_shop(p, "Quiet Shop")
    s = run_settlement(p, run_id="empty", now=NOW)
    assert (s.gross_won, s.fee_won, s.net_won) == (0, 0, 0)
    assert not s.payouts.exists()
    assert not Transfer.objects.filter(kind__in=["payout", "settlement_fee"]).exists()
    assert not settlement_due(p, NOW)


def test_without_a_fee_the_merchant_gets_the_gross() -> None:
    with transaction.atomic():
        p = make_programme(fee_bp=0)
        shop = make_shop(p, "Free Shop")
        pay(grant(p, resident("carol"), 9_999, batch="b"), shop, 9_999, "p1")
    s = run_settlement(p, run_id="r", now=NOW)
    assert payout_rows(s) == [("Free Shop", 9_999, 0, 9_999, 1)]
    assert not Transfer.objects.filter(kind="settlement_fee").exists()


def test_settlement_is_due_by_local_calendar_day() -> None:
    with transaction.atomic():
        daily = make_programme("daily", every_days=1)
        weekly = make_programme("weekly", every_days=7)
    late_evening = NOW.replace(hour=23, minute=50)
    assert settlement_due(daily, late_evening)  # never settled
    run_settlement(daily, run_id="daily/1", now=late_evening)
    run_settlement(weekly, run_id="weekly/1", now=late_evening)
    assert not settlement_due(daily, late_evening + timedelta(minutes=5))
    assert settlement_due(daily, late_evening + timedelta(minutes=20))  # 00:10 the next day
    assert not settlement_due(weekly, late_evening + 6 * DAY + timedelta(minutes=9))  # 23:59 on day 6
    assert settlement_due(weekly, late_evening + 6 * DAY + timedelta(minutes=11))  # 00:01 on day 7


def test_default_run_id_is_the_code_and_the_local_date() -> None:
    with transaction.atomic():
        p = make_programme()
    # 2025-03-03 00:30 in Seoul is still 2 March in UTC: the local date names the run.
    assert default_run_id(p, NOW.replace(hour=0, minute=30)) == "mapo-love/2025-03-03"
    assert NOW.replace(hour=0, minute=30).astimezone(SEOUL).date().isoformat() == "2025-03-03"


THREADS = 8


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run_ids", [THREADS, 5], ids=["all-distinct", "some-repeated"])
def test_concurrent_runs_of_one_programme_pay_each_sale_once(run_ids: int) -> None:
    with transaction.atomic():
        p: Programme = make_programme(fee_bp=150)
        wallet: Wallet = grant(p, resident("dave"), 1_000_000, batch="b")
        shops: list[MerchantAccount] = [make_shop(p, f"Shop {n}") for n in range(4)]
        for n, shop in enumerate(shops):
            pay(wallet, shop, 10_000 * (n + 1), f"p{n}")
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def client(n: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                run_settlement(p, run_id=f"run-{n % run_ids}", now=NOW + timedelta(minutes=n))
                if n % 2:  # sales keep arriving during the runs
                    pay(wallet, shops[n % 4], 1_000, f"late-{n}", at=NOW + timedelta(minutes=n))
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Settlement.objects.count() == run_ids
    paid = sum(s.gross_won for s in Settlement.objects.all())
    left = sum(net(shop.account) for shop in shops)
    assert paid + left == 100_000 + 4 * 1_000  # every sale paid once or still owed
    assert all(net(shop.account) >= 0 for shop in shops)
    assert check_ledger() == []
