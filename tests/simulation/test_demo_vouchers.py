"""The demo district's local currency: Mapo-gu's programme with the issue's rules, its demo
admin, neighbours holding bought and policy vouchers, past orders paid partly with vouchers
(the order's card and voucher rows add up to its total), daily settlements, a ledger that
balances, and a rebuild that removes all of it first."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Sum
from django.test import Client
from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import RevenueBand
from hyperlocal.orders.models import Order, OrderEvent, Payment
from hyperlocal.regions.services import MAPO_CODE
from hyperlocal.simulation.demo import DEMO_LOGINS, BuildOutcome, build_demo, delete_demo
from hyperlocal.simulation.demo.vouchers import CODE, GRANT_WON, Book, most_payable
from hyperlocal.wallet.models import (
    BenefitKind,
    LedgerAccount,
    Programme,
    ProgrammeAdmin,
    Settlement,
    Transfer,
    VoucherGrant,
    VoucherHold,
    VoucherKind,
    VoucherPurchase,
    Wallet,
)
from hyperlocal.wallet.selectors import programme_dashboard
from hyperlocal.wallet.services import check_can_manage, check_ledger
from hyperlocal.wallet.services.spending import TenderPart

SMALL = 300


def login(role: str) -> User:
    return User.objects.get(username=next(x.username for x in DEMO_LOGINS if x.role == role))


def test_the_programme_has_the_issues_rules(city: BuildOutcome) -> None:
    p = Programme.objects.select_related("region").get(code=CODE)
    assert (p.name_ko, p.name_en, p.region.code, p.benefit, p.benefit_bp) == (
        "마포사랑상품권",
        "Mapo Love Voucher",
        MAPO_CODE,
        BenefitKind.DISCOUNT,
        1000,
    )
    assert (p.monthly_purchase_cap_won, p.refund_threshold_bp, p.validity_months, p.settlement_fee_bp) == (
        700_000,
        6000,
        60,
        100,
    )
    assert p.excluded_categories == ["entertainment"]
    assert p.bought_revenue_cap == RevenueBand.UNDER_1B  # revenue up to 1 billion won


def test_the_demo_programme_admin_runs_mapo_gu(city: BuildOutcome) -> None:
    admin = login("programme admin")
    programme = Programme.objects.get(code=CODE)
    assert ProgrammeAdmin.objects.filter(user=admin, region=programme.region).exists()
    check_can_manage(admin, programme)  # raises NotAllowed otherwise
    client = Client()
    client.force_login(admin)
    page = client.get("/programme/")
    assert page.status_code == 200
    assert "마포사랑상품권" in page.content.decode()


def test_the_ledger_balances_after_the_build(city: BuildOutcome) -> None:
    assert check_ledger() == []


def test_residents_hold_bought_and_policy_vouchers(city: BuildOutcome) -> None:
    kinds = dict(Wallet.objects.values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    assert kinds[VoucherKind.BOUGHT] >= 5
    assert kinds[VoucherKind.POLICY] >= 5
    faces = set(VoucherPurchase.objects.values_list("face_won", flat=True))
    assert faces <= {100_000, 200_000, 300_000}
    # Bought at the 10 % discount, by the test card.
    for paid, face, provider in VoucherPurchase.objects.values_list("paid_won", "face_won", "provider"):
        assert (paid, provider) == (face * 9 // 10, "test")
    resident = login("resident")
    grant = VoucherGrant.objects.get(wallet__user=resident)
    assert grant.face_won == GRANT_WON


def test_past_orders_were_paid_partly_with_vouchers(city: BuildOutcome) -> None:
    holds = VoucherHold.objects.filter(status=VoucherHold.Status.POSTED)
    assert holds.count() >= 5
    assert not VoucherHold.objects.exclude(status=VoucherHold.Status.POSTED).exists()
    by_order: dict[int, int] = defaultdict(int)
    for order_id, won in holds.values_list("order_id", "posted_won"):
        by_order[order_id] += won
    for order in Order.objects.filter(pk__in=by_order):
        rows = {p.tender: p for p in Payment.objects.filter(order=order)}
        assert set(rows) == {"card", "voucher"}
        assert rows["voucher"].captured_won == by_order[order.pk]
        assert rows["card"].captured_won + rows["voucher"].captured_won == order.total_won
        assert rows["voucher"].captured_won <= order.items_won  # never the delivery fee
        delivered = OrderEvent.objects.get(order=order, kind="delivered")
        assert delivered.data["voucher_won"] == by_order[order.pk]
    # Holds were placed when the order was, and posted at its delivery.
    for hold in holds.select_related("order", "shipment", "pending_transfer")[:20]:
        assert hold.pending_transfer.created_at == hold.order.placed_at
        assert (
            Transfer.objects.get(pending_id=hold.pending_transfer_id).created_at == hold.shipment.delivered_at
        )


def test_every_past_day_was_settled_and_the_dashboard_has_figures(city: BuildOutcome) -> None:
    programme = Programme.objects.get(code=CODE)
    runs = list(Settlement.objects.filter(programme=programme).order_by("period_end"))
    assert len(runs) >= 10
    assert all(r.run_id == f"{CODE}/{timezone.localdate(r.period_end).isoformat()}" for r in runs)
    d = programme_dashboard(programme, now=timezone.now())
    assert d.issued_bought_won > 0
    assert d.issued_policy_won > 0
    assert d.redeemed_won == VoucherHold.objects.aggregate(s=Sum("posted_won"))["s"]
    assert d.settled_gross_won > 0
    assert d.settled_fee_won > 0
    assert d.by_category
    assert d.by_neighbourhood
    assert d.held_won == 0


def test_most_payable_follows_the_wallets_plan() -> None:
    book: Book = {(1, "bought"): 5_000, (1, "policy"): 20_000}
    parts = [TenderPart(10, 100, 8_000), TenderPart(10, 200, 30_000)]
    # Merchant 100 takes both kinds, 200 only policy-issued vouchers (a larger one).
    takes = {(100, "bought"), (100, "policy"), (200, "policy")}
    assert most_payable(1, parts, book, takes) == 25_000
    assert most_payable(1, parts, book, set()) == 0
    assert most_payable(2, parts, book, takes) == 0


def test_a_rebuild_removes_the_programme_and_makes_the_same_one_again(city: BuildOutcome) -> None:
    """Replaces the module's small city inside this test's savepoint (rolled back after it)."""

    def figures() -> tuple[object, ...]:
        return (
            sorted(VoucherPurchase.objects.values_list("wallet__user__username", "face_won")),
            sorted(VoucherHold.objects.values_list("order__code", "posted_won")),
            sorted(Settlement.objects.values_list("run_id", "gross_won", "fee_won")),
        )

    build_demo(seed=5, households=SMALL, force=True)
    first = figures()
    assert first[0]
    assert first[1]
    delete_demo()
    assert not Programme.objects.exists()
    assert not LedgerAccount.objects.exists()
    assert not Transfer.objects.exists()
    assert not ProgrammeAdmin.objects.exists()
    build_demo(seed=5, households=SMALL)
    assert figures() == first
    build_demo(seed=6, households=SMALL, force=True)
    assert Programme.objects.count() == 1
    assert check_ledger() == []
