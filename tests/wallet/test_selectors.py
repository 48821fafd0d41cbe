"""Selectors: a merchant's sales and payouts, a programme's dashboard (exact won figures over a
town of residents who buy, are granted, spend, get refunds and cashback, expire and are
settled), redeemed value by delivery neighbourhood, expiring balances oldest-first (the pure
windows, the FIFO, and the one-query SQL checked against the FIFO on random wallets), and
that the reads write nothing and do not grow with the number of wallets."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from hyperlocal.catalog.models import BusinessCategory, Merchant
from hyperlocal.errors import InvalidInput
from hyperlocal.geo import Point, cell_of
from hyperlocal.orders.models import Order, Shipment
from hyperlocal.regions.models import Region
from hyperlocal.regions.services import find_region
from hyperlocal.wallet.programmes import MerchantAccount, Programme, VoucherHold, VoucherRefund, Wallet
from hyperlocal.wallet.selectors import (
    Breakdown,
    Expiring,
    PayoutLine,
    expiring_totals,
    group_by_neighbourhood,
    merchant_sales,
    parent_cell,
    programme_dashboard,
    programme_expiring,
)
from hyperlocal.wallet.services import post_pending, transfer
from hyperlocal.wallet.services.settlement import run_settlement
from hyperlocal.wallet.services.wallets import (
    Lot,
    consumed_won,
    issued_lots,
    merchant_account_for,
    remaining_by_expiry,
)
from tests.factories import HubFactory, UserFactory
from tests.wallet.settle_helpers import (
    NOW,
    buy,
    district,
    grant,
    hold,
    make_programme,
    make_shop,
    pay,
    refund_payment,
    resident,
    snapshot,
)

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


class Town:
    """Mapo's programme (10 % discount, 1.5 % fee) after a morning of trade; the figures
    every test below checks are worked out in the comments."""

    def __init__(self) -> None:
        p = self.programme = make_programme(fee_bp=150)
        self.greens = make_shop(p, "Mangwon Greens")
        self.bakery = make_shop(p, "Seogyo Bakery", category=BusinessCategory.BAKERY)
        self.brand = make_shop(p, "Glow Brand", kind=Merchant.Kind.BRAND, category=BusinessCategory.BEAUTY)
        # alice: 100,000 bought 30 days ago (expires in 30 days), 50,000 yesterday (in 364).
        self.alice = buy(p, resident("alice"), 90_000, 10_000, request_id="a1", at=NOW - 30 * DAY, days=60)
        buy(p, self.alice.user, 45_000, 5_000, request_id="a2", at=NOW - DAY, days=365)
        pay(self.alice, self.greens, 30_000, "a-pay-1")
        pay(self.alice, self.bakery, 12_000, "a-pay-2")
        pay(self.alice, self.brand, 8_000, "a-pay-3")
        refund_payment(self.alice, self.bakery, 2_000, "a-refund-1")
        hold(self.alice, self.greens, 5_000, "a-hold")
        # bob: 20,000 granted 100 days ago, expired 10 days ago, not swept; spent 5,000.
        self.bob = grant(p, resident("bob"), 20_000, batch="spring", at=NOW - 100 * DAY, days=90)
        pay(self.bob, self.brand, 5_000, "b-pay-1", at=NOW - 50 * DAY)
        # carol: 10,000 granted, expired and swept into the float.
        carol = grant(p, resident("carol"), 10_000, batch="old", at=NOW - 400 * DAY, days=365)
        transfer("carol-expiry", carol.account, p.float_account, 10_000, kind="expiry", now=NOW - 30 * DAY)
        # dave: 40,000 granted today, 1,000 cashback, spends 41,000.
        dave = grant(p, resident("dave"), 40_000, batch="now", days=80)
        transfer("d-cashback", p.budget_account, dave.account, 1_000, kind="cashback", now=NOW)
        pay(dave, self.greens, 41_000, "d-pay-1")
        # Settlement: greens 71,000 (fee 1,065), bakery 10,000 (150), brand 13,000 (195).
        self.settlement = run_settlement(p, run_id="mapo-love/2025-03-03", now=NOW)
        # Afterwards: a refund takes the brand below zero; erin buys, spends 70 % and takes
        # the remainder back (5,400 to her card, 600 back to the budget).
        refund_payment(self.alice, self.brand, 1_000, "a-refund-2", at=NOW + HOUR)
        erin = buy(p, resident("erin"), 18_000, 2_000, request_id="e1", at=NOW + HOUR)
        pay(erin, self.bakery, 14_000, "e-pay-1", at=NOW + HOUR)
        transfer("e-refund/cash", erin.account, p.cash_account, 5_400, kind="refund", now=NOW + HOUR)
        transfer("e-refund/claw", erin.account, p.budget_account, 600, kind="refund_clawback", now=NOW + HOUR)
        VoucherRefund.objects.create(
            wallet=erin,
            request_id="e-refund",
            remainder_won=6_000,
            cash_won=5_400,
            clawback_won=600,
            used_bp=7_000,
            refunded_at=NOW + HOUR,
        )


@pytest.fixture
def town() -> Town:
    with transaction.atomic():
        return Town()


def test_the_dashboard_adds_up(town: Town) -> None:
    d = programme_dashboard(town.programme, now=NOW + 2 * HOUR)
    assert (d.issued_bought_won, d.issued_policy_won, d.issued_won) == (170_000, 70_000, 240_000)
    assert (d.purchases, d.grants) == (3, 3)
    assert (d.purchase_benefit_won, d.cashback_won, d.benefit_won) == (17_000, 1_000, 18_000)
    # alice 150,000 - 50,000 + 3,000 refunded = 103,000; bob 15,000; carol, dave, erin 0.
    assert (d.outstanding_won, d.held_won) == (118_000, 5_000)
    assert (d.redeemed_won, d.payments) == (110_000, 6)
    assert [(b.key, b.won, b.payments) for b in d.by_category] == [
        ("grocery", 71_000, 2),
        ("bakery", 26_000, 2),
        ("beauty", 13_000, 2),
    ]
    assert all(isinstance(b, Breakdown) and b.label for b in d.by_category)
    assert (d.local_won, d.brand_won) == (97_000, 13_000)
    assert d.local_share == pytest.approx(97 / 110)
    # alice's 47,000 consumed come off the lot expiring in 30 days first: 53,000 of it left,
    # and all 50,000 of the later one; bob's 15,000 expired 10 days ago, not swept yet.
    assert d.expiring == Expiring(
        expired_won=15_000, within_30_won=53_000, within_90_won=53_000, within_365_won=103_000
    )
    assert d.expired_won == 10_000
    assert (d.settled_gross_won, d.settled_fee_won, d.settled_net_won) == (94_000, 1_410, 92_590)
    assert (d.settlements, d.last_settled_at) == (1, NOW)
    assert d.owed_to_merchants_won == 14_000 - 1_000
    assert d.payment_refunds_won == 3_000
    assert (d.remainder_refunds, d.remainder_refund_cash_won, d.remainder_refund_clawback_won) == (
        1,
        5_400,
        600,
    )
    assert d.by_neighbourhood == ()  # no order holds in this town (see the test below)


def test_an_empty_programme_has_a_dashboard_of_zeros() -> None:
    with transaction.atomic():
        p = make_programme()
    d = programme_dashboard(p, now=NOW)
    assert (d.issued_won, d.outstanding_won, d.redeemed_won, d.settled_net_won) == (0, 0, 0, 0)
    assert d.local_share is None
    assert d.last_settled_at is None
    assert d.expiring == Expiring(0, 0, 0, 0)
    assert d.by_category == ()


def test_a_merchants_sales_payouts_and_outstanding(town: Town) -> None:
    bakery = merchant_sales(town.bakery.merchant)
    assert (bakery.payments, bakery.payments_won, bakery.refunds, bakery.refunds_won) == (2, 26_000, 1, 2_000)
    assert bakery.net_sales_won == 24_000
    assert (bakery.holds, bakery.held_won) == (0, 0)
    assert (bakery.settled_gross_won, bakery.fees_won, bakery.settled_net_won) == (10_000, 150, 9_850)
    assert bakery.outstanding_won == 14_000
    assert bakery.payouts == (PayoutLine("mapo-love/2025-03-03", "mapo-love", NOW, 10_000, 150, 9_850, 1),)
    greens = merchant_sales(town.greens.merchant)
    assert (greens.payments, greens.payments_won, greens.holds, greens.held_won) == (2, 71_000, 1, 5_000)
    assert (greens.settled_net_won, greens.outstanding_won) == (69_935, 0)
    brand = merchant_sales(town.brand.merchant)
    assert (brand.refunds_won, brand.outstanding_won, brand.fees_won) == (1_000, -1_000, 195)


def test_merchant_sales_since_a_moment_and_per_programme(town: Town) -> None:
    bakery = town.bakery.merchant
    later = merchant_sales(bakery, since=NOW + HOUR / 2)
    assert (later.payments, later.payments_won, later.refunds) == (1, 14_000, 0)
    assert (later.settled_gross_won, later.payouts) == (0, ())
    assert later.outstanding_won == 14_000  # as of now, whatever the period
    # The bakery also takes another district's vouchers.
    other = make_programme("seodaemun-love", region=district("11410", "서대문구"))
    account = merchant_account_for(other, bakery, now=NOW)
    pay(grant(other, resident("frank"), 9_000, batch="b"), account, 7_000, "f-pay-1")
    assert merchant_sales(bakery).payments_won == 26_000 + 7_000
    assert merchant_sales(bakery, programme=town.programme).payments_won == 26_000
    assert merchant_sales(bakery, programme=other).payments_won == 7_000
    with pytest.raises(InvalidInput):
        merchant_sales(bakery, since=datetime(2025, 3, 3))  # naive


def test_reads_write_nothing_and_do_not_grow_with_wallets(town: Town) -> None:
    greens = town.greens.merchant

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            programme_dashboard(town.programme, now=NOW)
            merchant_sales(greens)
        return len(ctx.captured_queries)

    before_rows = snapshot()
    few = queries()
    assert snapshot() == before_rows
    with transaction.atomic():
        for n in range(12):
            w = grant(town.programme, resident(f"extra{n}"), 10_000, batch=f"x{n}", days=10 + n)
            pay(w, town.greens, 1_000 + n, f"x-pay-{n}")
    assert queries() == few
    assert programme_dashboard(town.programme, now=NOW).expiring.within_30_won == 53_000 + sum(
        9_000 - n for n in range(12)
    )


# --- neighbourhoods --------------------------------------------------------------------------

HONGDAE = Point(37.5572, 126.9245)
YEONNAM = Point(37.5620, 126.9230)  # the same resolution-7 cell as Hongdae
HAPJEONG = Point(37.5496, 126.9139)


def checkout(
    wallet: Wallet, ma: MerchantAccount, at: Point, won: int, code: str, *, posted: int | None
) -> VoucherHold:
    """An order delivered to `at` with a voucher hold, posted (`posted` won) or still held."""
    order = Order.objects.create(
        code=code,
        customer=wallet.user,
        region=find_region(at) or district(),
        delivery_lat=at.lat,
        delivery_lng=at.lng,
        delivery_cell=cell_of(at, settings.REGION_CELL_RESOLUTION),
        items_won=won,
        total_won=won,
    )
    shipment = Shipment.objects.create(
        order=order, hub=HubFactory(), promise_kind="instant", promised_from=NOW, promised_by=NOW + HOUR
    )
    pending = hold(wallet, ma, won, f"{code}/hold")
    if posted:
        post_pending(f"{code}/post", pending.pk, posted, now=NOW)
    return VoucherHold.objects.create(
        order=order,
        shipment=shipment,
        merchant=ma.merchant,
        wallet=wallet,
        merchant_account=ma,
        pending_transfer=pending,
        held_won=won,
        payable_won=posted or won,
        posted_won=posted or 0,
        status=VoucherHold.Status.POSTED if posted else VoucherHold.Status.HELD,
        created_at=NOW,
        updated_at=NOW,
    )


def test_redeemed_by_delivery_neighbourhood(mapo: Region) -> None:
    with transaction.atomic():
        p = make_programme(region=mapo)
        shop = make_shop(p, "Mangwon Greens")
        w = grant(p, resident("alice"), 100_000, batch="b")
        checkout(w, shop, HONGDAE, 10_000, "O1", posted=8_000)  # short pick: 8,000 paid
        checkout(w, shop, HONGDAE, 3_000, "O2", posted=3_000)
        checkout(w, shop, YEONNAM, 2_000, "O3", posted=2_000)
        checkout(w, shop, HAPJEONG, 20_000, "O4", posted=20_000)
        checkout(w, shop, HAPJEONG, 9_000, "O5", posted=None)  # still held: not redeemed
    lines = programme_dashboard(p, now=NOW).by_neighbourhood
    hongdae_dong, yeonnam_dong, hapjeong_dong = (find_region(pt) for pt in (HONGDAE, YEONNAM, HAPJEONG))
    assert hongdae_dong is not None
    assert yeonnam_dong is not None
    assert hapjeong_dong is not None
    assert hongdae_dong != yeonnam_dong
    assert [(line.won, line.payments, line.regions) for line in lines] == [
        (20_000, 1, (hapjeong_dong.name_ko,)),
        (13_000, 3, (hongdae_dong.name_ko, yeonnam_dong.name_ko)),
    ]
    assert lines[1].cell == parent_cell(cell_of(YEONNAM, 9)) == "8730e1d84ffffff"
    assert lines[1].label == f"{hongdae_dong.name_ko}, {yeonnam_dong.name_ko}"


def test_neighbourhood_grouping_is_pure_and_labels_unknown_cells_by_id() -> None:
    rows = [("8930e1d844fffff", 5, 1), ("8930e1d840bffff", 7, 2), ("not-a-cell", 1, 1)]
    lines = group_by_neighbourhood(rows, {"8930e1d844fffff": "서교동"})
    assert [(line.cell, line.won, line.payments, line.label) for line in lines] == [
        ("8730e1d84ffffff", 12, 3, "서교동"),
        ("not-a-cell", 1, 1, "not-a-cell"),
    ]
    assert parent_cell("8730e1d84ffffff") == "8730e1d84ffffff"  # already coarse enough


# --- expiring balances: FIFO -----------------------------------------------------------------


def lot(days: int, won: int, issued_days_ago: int = 0) -> Lot:
    return Lot(issued_at=NOW - issued_days_ago * DAY, expires_at=NOW + days * DAY, face_won=won)


def test_expiring_windows_include_their_ends() -> None:
    left = [
        (NOW, 1),  # expires right now: expired
        (NOW + 30 * DAY, 10),
        (NOW + 30 * DAY + timedelta(seconds=1), 100),
        (NOW + 90 * DAY, 1_000),
        (NOW + 365 * DAY, 10_000),
        (NOW + 366 * DAY, 100_000),
        (NOW - DAY, 1_000_000),
    ]
    assert expiring_totals(left, NOW) == Expiring(1_000_001, 10, 1_110, 11_110)
    assert expiring_totals([], NOW) == Expiring(0, 0, 0, 0)


def test_a_wallet_spends_its_soonest_expiring_vouchers_first() -> None:
    lots = [lot(10, 10_000), lot(40, 20_000), lot(400, 5_000)]
    assert remaining_by_expiry(lots, 15_000) == [(NOW + 40 * DAY, 15_000), (NOW + 400 * DAY, 5_000)]
    assert expiring_totals(remaining_by_expiry(lots, 15_000), NOW) == Expiring(0, 0, 15_000, 15_000)
    assert expiring_totals(remaining_by_expiry(lots, 0), NOW) == Expiring(0, 10_000, 30_000, 30_000)
    assert remaining_by_expiry(lots, 35_000) == []
    assert remaining_by_expiry(lots, 50_000) == []  # cashback spent too: nothing left of the lots


def test_the_sql_fifo_of_one_wallet_with_exact_figures() -> None:
    with transaction.atomic():
        p = make_programme()
        shop = make_shop(p, "Mangwon Greens")
        user = resident("alice")
        w = grant(p, user, 10_000, batch="late", at=NOW - 5 * DAY, days=200)  # expires in 195 days
        grant(p, user, 20_000, batch="soon", at=NOW - 50 * DAY, days=70)  # expires in 20 days
        grant(p, user, 4_000, batch="gone", at=NOW - 50 * DAY, days=40)  # expired 10 days ago
        pay(w, shop, 6_000, "p1")  # takes 4,000 of "gone" and 2,000 of "soon"
        pay(w, shop, 1_500, "p2", posted=500)  # a short pick: only 500 more
        refund_payment(w, shop, 300, "r1")  # 300 back: consumed 6,200
    assert programme_expiring(p, now=NOW) == Expiring(0, 17_800, 17_800, 27_800)


def test_the_sql_fifo_agrees_with_the_pure_one_on_random_wallets() -> None:
    rng = random.Random(20250303)
    with transaction.atomic():
        p = make_programme()
        shop = make_shop(p, "Mangwon Greens")
        wallets: list[Wallet] = []
        for n in range(25):
            user = UserFactory(username=f"r{n}")
            for i in range(rng.randint(1, 4)):
                issued = NOW - rng.randint(0, 400) * DAY
                days = rng.choice([30, 60, 90, 365, 400, 500])
                if rng.random() < 0.5:
                    face = rng.randint(1, 50) * 1_000
                    w = buy(
                        p, user, face - face // 10, face // 10, request_id=f"b{n}-{i}", at=issued, days=days
                    )
                else:
                    w = grant(p, user, rng.randint(1, 50) * 1_000, batch=f"g{n}-{i}", at=issued, days=days)
                if w not in wallets:
                    wallets.append(w)
        for w in wallets:
            total = sum(lt.face_won for lt in issued_lots(w))
            spent = rng.randint(0, total)
            if spent:
                pay(w, shop, spent, f"pay-{w.pk}")
                if rng.random() < 0.3:
                    refund_payment(w, shop, rng.randint(1, spent), f"refund-{w.pk}")
    for now in (NOW - 100 * DAY, NOW, NOW + 200 * DAY):
        expected = [left for w in wallets for left in remaining_by_expiry(issued_lots(w), consumed_won(w))]
        assert programme_expiring(p, now=now) == expiring_totals(expected, now)
    assert programme_expiring(p, now=NOW) != Expiring(0, 0, 0, 0)


def test_other_programmes_wallets_do_not_count(town: Town) -> None:
    other: Programme = make_programme("seodaemun-love", region=district("11410", "서대문구"))
    grant(other, resident("zed"), 99_000, batch="b", days=10)
    assert programme_expiring(town.programme, now=NOW + 2 * HOUR).within_30_won == 53_000
    assert programme_expiring(other, now=NOW).within_30_won == 99_000
