"""The demo district's local currency: Mapo-gu's 마포사랑상품권 (Mapo Love Voucher), the demo
programme admin who runs it, neighbours who bought vouchers or received a local allowance, the
voucher part of some of the past orders, and a settlement at the end of each past day.

Everything goes through the wallet services, in time order (purchases and grants before the
orders, each order's hold at its placing and the post at its delivery, each day's settlement
after that day's deliveries), so that the ledger is what the platform would have written; the
order's Payment rows are split between the card and the vouchers the way the checkout splits
them (a card row and a voucher row)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db.models import Q, QuerySet
from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import BusinessCategory, Merchant, RevenueBand
from hyperlocal.orders.models import Order, OrderEvent, OrderLine, Payment
from hyperlocal.regions.models import Region
from hyperlocal.simulation.demo.history import CODE_PREFIX, DAYS
from hyperlocal.simulation.demo.people import USERNAME_PREFIX
from hyperlocal.wallet.models import AccountShard, LedgerAccount, Transfer
from hyperlocal.wallet.programmes import (
    BenefitKind,
    MerchantAccount,
    Programme,
    ProgrammeAdmin,
    Settlement,
    SettlementPayout,
    VoucherGrant,
    VoucherHold,
    VoucherKind,
    VoucherPurchase,
    VoucherRefund,
    Wallet,
)
from hyperlocal.wallet.services import (
    TenderPart,
    buy_vouchers,
    grant_vouchers,
    hold_for_order,
    merchant_is_eligible,
    open_programme,
    post_shipment,
)
from hyperlocal.wallet.services.settlement import default_run_id, run_settlement

CODE = "mapo-love"
NAME_KO = "마포사랑상품권"
NAME_EN = "Mapo Love Voucher"
RULES = {
    "name_en": NAME_EN,
    "benefit_bp": 1000,  # 10 % discount
    "validity_months": 60,
    "refund_threshold_bp": 6000,
    "settlement_fee_bp": 100,
    "settlement_every_days": 1,
    "excluded_categories": [BusinessCategory.ENTERTAINMENT],
    "bought_revenue_cap": RevenueBand.UNDER_1B,  # bought vouchers: revenue up to 1 billion won
}
MONTHLY_CAP_WON = 700_000
BUYERS_SHARE = 0.4  # of the neighbours who ordered in the past two weeks
GRANTED_SHARE = 0.3
PURCHASES_WON = (100_000, 200_000, 300_000)
GRANT_WON = 100_000
GRANT_BATCH = "mapo-relief-2024"  # a local allowance (지역화폐 지원금)
PAY_SHARE = 0.45  # of the orders of voucher holders that use them
TEST_TOKEN = "tok_test_ok"
# The order's second Payment row, as the checkout writes it (orders.services.tender).
VOUCHER_TENDER, VOUCHER_PROVIDER = "voucher", "wallet"


@dataclass(frozen=True)
class VoucherFigures:
    buyers: int
    granted: int
    orders_paid: int
    voucher_won: int
    settlements: int


def _past_orders() -> QuerySet[Order]:
    return (
        Order.objects.filter(code__startswith=CODE_PREFIX, customer__username__startswith=USERNAME_PREFIX)
        .select_related("customer")
        .order_by("placed_at", "pk")
    )


def _parts(order_ids: list[int]) -> dict[int, list[TenderPart]]:
    """Each order's lines by (shipment, merchant), as the checkout hands them to the wallet."""
    totals: dict[tuple[int, int, int], int] = defaultdict(int)
    rows = OrderLine.objects.filter(order_id__in=order_ids).values_list(
        "order_id", "shipment_id", "merchant_id", "charged_won"
    )
    for order_id, shipment_id, merchant_id, won in rows:
        totals[(order_id, shipment_id, merchant_id)] += won or 0
    parts: dict[int, list[TenderPart]] = defaultdict(list)
    for (order_id, shipment_id, merchant_id), won in sorted(totals.items()):
        if won > 0:
            parts[order_id].append(TenderPart(shipment_id, merchant_id, won))
    return parts


def _local_midnight(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def open_demo_programme(district: Region, admin: User, *, now: datetime) -> Programme:
    """The programme, opened before the past orders began, and its admin for the district."""
    opened = _local_midnight(now) - timedelta(days=DAYS + 2)
    programme = open_programme(
        code=CODE,
        name_ko=NAME_KO,
        region=district,
        benefit=BenefitKind.DISCOUNT,
        monthly_purchase_cap_won=MONTHLY_CAP_WON,
        now=opened,
        **RULES,
    )
    ProgrammeAdmin.objects.get_or_create(user=admin, region=district)
    return programme


Book = dict[tuple[int, str], int]  # (user id, voucher kind) -> won left in that wallet


def issue_vouchers(
    programme: Programme, resident: User, admin: User, rng: np.random.Generator, *, now: datetime
) -> Book:
    """Neighbours buy vouchers (the test card) or receive the allowance, the day before the
    past orders began; the demo resident receives the allowance too. Returns what each wallet
    holds."""
    start = _local_midnight(now) - timedelta(days=DAYS + 1)
    customers = sorted(set(_past_orders().values_list("customer_id", flat=True)))
    users = {u.pk: u for u in User.objects.filter(pk__in=customers)}
    buyers = [c for c in customers if rng.random() < BUYERS_SHARE]
    granted = sorted({c for c in customers if rng.random() < GRANTED_SHARE} | {resident.pk})
    book: Book = {}
    for n, user_id in enumerate(buyers):
        amount = int(PURCHASES_WON[int(rng.integers(len(PURCHASES_WON)))])
        at = start + timedelta(hours=9, minutes=7 * n)
        bought = buy_vouchers(
            users[user_id], programme, amount, request_id=f"demo-buy-{n}", payment_token=TEST_TOKEN, now=at
        )
        book[(user_id, VoucherKind.BOUGHT)] = bought.face_won
    grant_vouchers(
        programme, granted, GRANT_WON, batch=GRANT_BATCH, granted_by=admin, now=start + timedelta(hours=8)
    )
    book.update({(user_id, VoucherKind.POLICY): GRANT_WON for user_id in granted})
    return book


def most_payable(user_id: int, parts: list[TenderPart], book: Book, takes: set[tuple[int, str]]) -> int:
    """What the user's vouchers could pay of these parts: bought ones where the merchant takes
    them, then policy-issued ones (as the wallet's voucher_options plans it). Pure."""
    left = {kind: book.get((user_id, kind), 0) for kind in (VoucherKind.BOUGHT, VoucherKind.POLICY)}
    total = 0
    for part in parts:
        need = part.amount_won
        for kind in (VoucherKind.BOUGHT, VoucherKind.POLICY):
            if (part.merchant_id, kind) in takes:
                step = min(need, left[kind])
                left[kind] -= step
                need -= step
                total += step
    return total


def _split_payments(order: Order, voucher_won: int, delivered_at: datetime) -> None:
    """The card pays what the vouchers did not: its row is lowered, a voucher row is added."""
    card_won = order.total_won - voucher_won
    Payment.objects.filter(order=order, tender="card").update(authorised_won=card_won, captured_won=card_won)
    Payment.objects.create(
        order=order,
        tender=VOUCHER_TENDER,
        provider=VOUCHER_PROVIDER,
        reference=f"voucher/{order.code}",
        status=Payment.Status.CAPTURED,
        authorised_won=voucher_won,
        captured_won=voucher_won,
        created_at=order.placed_at,
        updated_at=delivered_at,
    )
    OrderEvent.objects.filter(order=order, kind="delivered").update(
        data={"captured_won": order.total_won, "voucher_won": voucher_won, "card_won": card_won}
    )


def pay_past_orders(
    programme: Programme, book: Book, rng: np.random.Generator, *, now: datetime
) -> tuple[int, int, int]:
    """Some past orders of voucher holders paid partly with vouchers (held when placed, posted
    when delivered), and a settlement at the end of every past day. Returns (orders, won,
    settlement runs). What the vouchers can pay is worked out from `book` (kept up to date
    with the holds made), so that only orders they can pay for reach the wallet services."""
    holders = {user_id for user_id, _kind in book}
    orders = list(_past_orders().filter(customer_id__in=holders).prefetch_related("shipments"))
    parts = _parts([o.pk for o in orders])
    merchants = Merchant.objects.filter(pk__in={p.merchant_id for ps in parts.values() for p in ps})
    takes = {
        (m.pk, kind)
        for m in merchants.select_related("region")
        for kind in VoucherKind.values
        if merchant_is_eligible(programme, m, kind) is None
    }
    today = _local_midnight(now)
    day_end = _local_midnight(orders[0].placed_at) + timedelta(days=1) if orders else today
    paid = won = runs = 0

    def settle_until(moment: datetime) -> None:
        nonlocal day_end, runs
        while day_end <= min(moment, today):
            at = day_end - timedelta(minutes=10)
            run_settlement(programme, run_id=default_run_id(programme, at), now=at)
            runs += 1
            day_end += timedelta(days=1)

    for order in orders:
        settle_until(order.placed_at)
        if rng.random() >= PAY_SHARE:
            continue
        can = most_payable(order.customer_id, parts.get(order.pk, []), book, takes)
        if can <= 0:
            continue
        # Most pay all they can; some only a round part of it.
        amount = can
        if rng.random() < 0.4 and amount > 2_000:
            amount = max(1_000, int(amount * rng.uniform(0.3, 0.9)) // 1_000 * 1_000)
        shipments = list(order.shipments.all())
        holds = hold_for_order(
            order.customer,
            order.pk,
            parts[order.pk],
            amount,
            timeout_at={s.pk: s.promised_by for s in shipments},
            now=order.placed_at,
        )
        for hold in holds:
            book[(order.customer_id, hold.wallet.kind)] -= hold.held_won
        delivered_at = max(s.delivered_at or order.placed_at for s in shipments)
        posted = sum(post_shipment(order.pk, s.pk, now=s.delivered_at or order.placed_at) for s in shipments)
        _split_payments(order, posted, delivered_at)
        paid += 1
        won += posted
    settle_until(today)
    return paid, won, runs


def build_vouchers(
    district: Region, resident: User, admin: User, rng: np.random.Generator, *, now: datetime
) -> VoucherFigures:
    programme = open_demo_programme(district, admin, now=now)
    book = issue_vouchers(programme, resident, admin, rng, now=now)
    paid, won, runs = pay_past_orders(programme, book, rng, now=now)
    kinds = [kind for _user_id, kind in book]
    return VoucherFigures(kinds.count(VoucherKind.BOUGHT), kinds.count(VoucherKind.POLICY), paid, won, runs)


def delete_vouchers() -> None:
    """Remove the demo programme and everything of it, its ledger accounts and transfers
    included (all of them move money between the programme's own accounts, so the rest of the
    ledger still balances)."""
    programme = Programme.objects.filter(code=CODE).first()
    if programme is None:
        return
    wallets = Wallet.objects.filter(programme=programme)
    receivables = MerchantAccount.objects.filter(programme=programme)
    accounts = set(wallets.values_list("account_id", flat=True))
    accounts |= set(receivables.values_list("account_id", flat=True))
    accounts |= {
        programme.float_account_id,
        programme.budget_account_id,
        programme.cash_account_id,
        programme.fees_account_id,
        programme.cap_source_account_id,
    }
    accounts |= set(
        LedgerAccount.objects.filter(code__startswith=f"cap/{CODE}/").values_list("pk", flat=True)
    )
    VoucherHold.objects.filter(wallet__programme=programme).delete()
    SettlementPayout.objects.filter(settlement__programme=programme).delete()
    Settlement.objects.filter(programme=programme).delete()
    for model in (VoucherRefund, VoucherGrant, VoucherPurchase):
        model.objects.filter(wallet__programme=programme).delete()
    wallets.delete()
    receivables.delete()
    ProgrammeAdmin.objects.filter(
        region_id=programme.region_id, user__username__startswith=USERNAME_PREFIX
    ).delete()
    programme.delete()
    moved = Transfer.objects.filter(Q(debit_account_id__in=accounts) | Q(credit_account_id__in=accounts))
    moved.filter(pending__isnull=False).delete()  # the rows that finish a pending one first
    moved.delete()
    ledger = LedgerAccount.objects.filter(pk__in=accounts)
    AccountShard.objects.filter(account__in=ledger).delete()
    ledger.delete()
