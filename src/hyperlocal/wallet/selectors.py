"""Read-only queries for the wallet pages and API: a merchant's voucher sales and payouts, a
programme admin's dashboard. Nothing here writes; every figure is an aggregate computed in
SQL (no loop over wallets or transfers in Python), in integer won.

Payments are the ledger's "payment" transfers into merchant receivables, counted once posted
(a single-phase post or the posting of a checkout hold); pending holds are shown apart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import h3
from django.db import connection
from django.db.models import Count, Max, QuerySet, Sum

from hyperlocal.catalog.models import BusinessCategory, Merchant
from hyperlocal.regions.services import regions_for_cells
from hyperlocal.wallet.models import AccountShard, Transfer, TransferState
from hyperlocal.wallet.programmes import (
    MerchantAccount,
    Programme,
    Settlement,
    SettlementPayout,
    VoucherGrant,
    VoucherHold,
    VoucherPurchase,
    VoucherRefund,
    Wallet,
)
from hyperlocal.wallet.services.clean import clean_now

POSTED = (TransferState.POSTED, TransferState.POSTING)
NEIGHBOURHOOD_RESOLUTION = 7  # delivery cells grouped by their parent at this H3 resolution
EXPIRY_HORIZONS_DAYS = (30, 90, 365)
PAYOUTS_SHOWN = 100


def _won(value: int | None) -> int:
    return int(value or 0)


# --- merchant sales ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PayoutLine:
    run_id: str
    programme_code: str
    settled_at: datetime
    gross_won: int
    fee_won: int
    net_won: int
    payments: int


@dataclass(frozen=True)
class MerchantSales:
    """A merchant's voucher sales. `payments_won`/`refunds_won` and the settled figures are
    within the period asked for (`since`); `held_won`, `outstanding_won` (posted, not paid out
    yet: below zero after a refund of settled sales) are as of now."""

    payments: int
    payments_won: int
    refunds: int
    refunds_won: int
    holds: int
    held_won: int
    settled_gross_won: int
    fees_won: int
    settled_net_won: int
    outstanding_won: int
    payouts: tuple[PayoutLine, ...]  # newest first, at most PAYOUTS_SHOWN

    @property
    def net_sales_won(self) -> int:
        return self.payments_won - self.refunds_won


def merchant_sales(
    merchant: Merchant, *, programme: Programme | None = None, since: datetime | None = None
) -> MerchantSales:
    """Voucher sales of `merchant` (in one programme, or all), from `since` when given."""
    if since is not None:
        clean_now(since)
    accounts = MerchantAccount.objects.filter(merchant=merchant)
    if programme is not None:
        accounts = accounts.filter(programme=programme)
    account_ids = accounts.values("account_id")
    moved = Transfer.objects.all() if since is None else Transfer.objects.filter(created_at__gte=since)
    paid = moved.filter(credit_account__in=account_ids, kind="payment", state__in=POSTED).aggregate(
        n=Count("pk"), won=Sum("amount")
    )
    refunded = moved.filter(debit_account__in=account_ids, kind="payment_refund", state__in=POSTED).aggregate(
        n=Count("pk"), won=Sum("amount")
    )
    open_holds = Transfer.objects.filter(
        credit_account__in=account_ids,
        kind="payment",
        state=TransferState.PENDING,
        finished_by__isnull=True,
    ).aggregate(n=Count("pk"))
    shards = AccountShard.objects.filter(account__in=account_ids).aggregate(
        cp=Sum("credits_posted"), dp=Sum("debits_posted"), held=Sum("credits_pending")
    )
    payouts = SettlementPayout.objects.filter(merchant=merchant)
    if programme is not None:
        payouts = payouts.filter(settlement__programme=programme)
    if since is not None:
        payouts = payouts.filter(settlement__created_at__gte=since)
    settled = payouts.aggregate(gross=Sum("gross_won"), fee=Sum("fee_won"), net=Sum("net_won"))
    lines = payouts.select_related("settlement__programme").order_by("-settlement__created_at", "-pk")
    return MerchantSales(
        payments=paid["n"],
        payments_won=_won(paid["won"]),
        refunds=refunded["n"],
        refunds_won=_won(refunded["won"]),
        holds=open_holds["n"],
        held_won=_won(shards["held"]),
        settled_gross_won=_won(settled["gross"]),
        fees_won=_won(settled["fee"]),
        settled_net_won=_won(settled["net"]),
        outstanding_won=_won(shards["cp"]) - _won(shards["dp"]),
        payouts=tuple(
            PayoutLine(
                run_id=p.settlement.run_id,
                programme_code=p.settlement.programme.code,
                settled_at=p.settlement.created_at,
                gross_won=p.gross_won,
                fee_won=p.fee_won,
                net_won=p.net_won,
                payments=p.payments,
            )
            for p in lines[:PAYOUTS_SHOWN]
        ),
    )


# --- expiring balances (FIFO) -------------------------------------------------------------------


@dataclass(frozen=True)
class Expiring:
    """Unspent vouchers by when they expire: already expired but not swept yet, and due
    within 30, 90 and 365 days (each window includes the shorter ones)."""

    expired_won: int
    within_30_won: int
    within_90_won: int
    within_365_won: int


def expiring_totals(left: Iterable[tuple[datetime, int]], now: datetime) -> Expiring:
    """Sum what is left of each lot, (expires_at, won) as wallets.remaining_by_expiry gives it,
    into the windows of Expiring (pure)."""
    expired = 0
    within = dict.fromkeys(EXPIRY_HORIZONS_DAYS, 0)
    for expires_at, won in left:
        if expires_at <= now:
            expired += won
            continue
        for days in EXPIRY_HORIZONS_DAYS:
            if expires_at <= now + timedelta(days=days):
                within[days] += won
    return Expiring(expired, within[30], within[90], within[365])


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _expiring_sql() -> str:
    """The FIFO of wallets.remaining_by_expiry, for every wallet of a programme at once.

    A wallet's consumption (debits posted less payment refunds credited back) uses its lots
    soonest-expiry first, so what is left of a lot is its running total (lots in (expires_at,
    issued_at) order) less the consumption, clamped to [0, face]. A window sum gives every
    lot's running total in one pass."""
    purchase, grant = _table(VoucherPurchase), _table(VoucherGrant)
    wallet, shard, xfer = _table(Wallet), _table(AccountShard), _table(Transfer)
    return f"""
    WITH lots AS (
        SELECT p.wallet_id, p.expires_at, p.purchased_at AS issued_at, p.face_won AS face
        FROM {purchase} p JOIN {wallet} w ON w.id = p.wallet_id WHERE w.programme_id = %(programme)s
        UNION ALL
        SELECT g.wallet_id, g.expires_at, g.granted_at, g.face_won
        FROM {grant} g JOIN {wallet} w ON w.id = g.wallet_id WHERE w.programme_id = %(programme)s
    ),
    debited AS (
        SELECT w.id AS wallet_id, SUM(s.debits_posted) AS won
        FROM {wallet} w JOIN {shard} s ON s.account_id = w.account_id
        WHERE w.programme_id = %(programme)s GROUP BY w.id
    ),
    returned AS (
        SELECT w.id AS wallet_id, SUM(t.amount) AS won
        FROM {wallet} w JOIN {xfer} t ON t.credit_account_id = w.account_id
        WHERE w.programme_id = %(programme)s AND t.kind = 'payment_refund' GROUP BY w.id
    ),
    consumed AS (
        SELECT d.wallet_id, d.won - COALESCE(r.won, 0) AS won
        FROM debited d LEFT JOIN returned r ON r.wallet_id = d.wallet_id
    ),
    running AS (
        SELECT wallet_id, expires_at, face,
               SUM(face) OVER (PARTITION BY wallet_id ORDER BY expires_at, issued_at
                               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS upto
        FROM lots
    ),
    lot_left AS (
        SELECT r.expires_at,
               CASE WHEN r.upto - c.won <= 0 THEN 0
                    WHEN r.upto - c.won >= r.face THEN r.face
                    ELSE r.upto - c.won END AS won
        FROM running r JOIN consumed c ON c.wallet_id = r.wallet_id
    )
    SELECT
        COALESCE(SUM(CASE WHEN expires_at <= %(now)s THEN won END), 0),
        COALESCE(SUM(CASE WHEN expires_at > %(now)s AND expires_at <= %(d30)s THEN won END), 0),
        COALESCE(SUM(CASE WHEN expires_at > %(now)s AND expires_at <= %(d90)s THEN won END), 0),
        COALESCE(SUM(CASE WHEN expires_at > %(now)s AND expires_at <= %(d365)s THEN won END), 0)
    FROM lot_left
    """


def programme_expiring(programme: Programme, *, now: datetime) -> Expiring:
    """Expiring balances of every wallet of the programme (one query)."""
    clean_now(now)

    def at(moment: datetime) -> Any:
        return connection.ops.adapt_datetimefield_value(moment)

    params = {"programme": programme.pk, "now": at(now)}
    params.update({f"d{days}": at(now + timedelta(days=days)) for days in EXPIRY_HORIZONS_DAYS})
    with connection.cursor() as cursor:
        cursor.execute(_expiring_sql(), params)
        row = cursor.fetchone()
    return Expiring(*(int(v) for v in row))


# --- programme dashboard --------------------------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    key: str
    label: str
    won: int
    payments: int


@dataclass(frozen=True)
class NeighbourhoodLine:
    cell: str  # the H3 cell at NEIGHBOURHOOD_RESOLUTION
    regions: tuple[str, ...]  # names of the dongs of the delivery cells, the largest share first
    won: int
    payments: int

    @property
    def label(self) -> str:
        return ", ".join(self.regions) or self.cell


@dataclass(frozen=True)
class Dashboard:
    programme: Programme
    now: datetime
    # issued: face value put into wallets
    issued_bought_won: int
    issued_policy_won: int
    purchases: int
    grants: int
    # benefit given by the programme: the purchase discount or bonus, and cashback
    purchase_benefit_won: int
    cashback_won: int
    # money in wallets now (posted), and what checkouts hold of it
    outstanding_won: int
    held_won: int
    # spent at merchants (posted payments)
    redeemed_won: int
    payments: int
    by_category: tuple[Breakdown, ...]
    by_neighbourhood: tuple[NeighbourhoodLine, ...]
    local_won: int
    brand_won: int
    expiring: Expiring
    expired_won: int  # swept out of wallets into the programme float
    # settlement
    settled_gross_won: int
    settled_fee_won: int
    settled_net_won: int
    settlements: int
    last_settled_at: datetime | None
    owed_to_merchants_won: int  # receivables posted, not settled yet
    # refunds
    payment_refunds_won: int
    remainder_refunds: int
    remainder_refund_cash_won: int
    remainder_refund_clawback_won: int

    @property
    def issued_won(self) -> int:
        return self.issued_bought_won + self.issued_policy_won

    @property
    def benefit_won(self) -> int:
        return self.purchase_benefit_won + self.cashback_won

    @property
    def local_share(self) -> float | None:
        """Share of posted spend at local shops (vs brands), from 0 to 1; None before any."""
        total = self.local_won + self.brand_won
        return self.local_won / total if total else None


def _payments(programme: Programme) -> QuerySet[Transfer]:
    return Transfer.objects.filter(
        credit_account__merchant__programme=programme, kind="payment", state__in=POSTED
    )


def _by_category(programme: Programme) -> tuple[Breakdown, ...]:
    field = "credit_account__merchant__merchant__business_category"
    rows = (
        _payments(programme).values(field).annotate(won=Sum("amount"), n=Count("pk")).order_by("-won", field)
    )
    labels = dict(BusinessCategory.choices)
    return tuple(
        Breakdown(r[field], str(labels.get(r[field], r[field])), _won(r["won"]), r["n"]) for r in rows
    )


def _by_merchant_kind(programme: Programme) -> dict[str, int]:
    field = "credit_account__merchant__merchant__kind"
    rows = _payments(programme).values(field).annotate(won=Sum("amount")).values_list(field, "won")
    return {kind: _won(won) for kind, won in rows}


def parent_cell(cell: str, resolution: int = NEIGHBOURHOOD_RESOLUTION) -> str:
    """The cell's H3 parent at `resolution` (the cell itself when it is not finer, or is not
    an H3 cell at all: a label is better than an error on a dashboard)."""
    try:
        if not h3.is_valid_cell(cell) or h3.get_resolution(cell) <= resolution:
            return cell
        return str(h3.cell_to_parent(cell, resolution))
    except (TypeError, ValueError):
        return cell


def group_by_neighbourhood(
    rows: Sequence[tuple[str, int, int]], region_names: dict[str, str]
) -> tuple[NeighbourhoodLine, ...]:
    """(delivery cell, won, payments) rows, one per distinct cell, into lines per parent cell
    at NEIGHBOURHOOD_RESOLUTION, named by the dongs of their cells (pure)."""
    won: dict[str, int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)
    names: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for cell, cell_won, n in rows:
        parent = parent_cell(cell)
        won[parent] += cell_won
        count[parent] += n
        if cell in region_names:
            names[parent][region_names[cell]] += cell_won
    lines = [
        NeighbourhoodLine(
            cell=parent,
            regions=tuple(sorted(names[parent], key=lambda name: (-names[parent][name], name))),
            won=won[parent],
            payments=count[parent],
        )
        for parent in won
    ]
    return tuple(sorted(lines, key=lambda line: (-line.won, line.cell)))


def _by_neighbourhood(programme: Programme) -> tuple[NeighbourhoodLine, ...]:
    rows = list(
        VoucherHold.objects.filter(wallet__programme=programme, posted_won__gt=0)
        .values("order__delivery_cell")
        .annotate(won=Sum("posted_won"), n=Count("pk"))
        .values_list("order__delivery_cell", "won", "n")
    )
    regions = regions_for_cells(cell for cell, _won_, _n in rows)
    return group_by_neighbourhood(
        [(cell, _won(won), n) for cell, won, n in rows], {c: r.name_ko for c, r in regions.items()}
    )


def _kind_sum(kind: str, **where: Any) -> int:
    return _won(Transfer.objects.filter(kind=kind, state__in=POSTED, **where).aggregate(s=Sum("amount"))["s"])


def programme_dashboard(programme: Programme, *, now: datetime) -> Dashboard:
    """The programme admin's figures, as of now (a dozen aggregate queries)."""
    clean_now(now)
    bought = VoucherPurchase.objects.filter(wallet__programme=programme).aggregate(
        n=Count("pk"), face=Sum("face_won"), benefit=Sum("benefit_won")
    )
    granted = VoucherGrant.objects.filter(wallet__programme=programme).aggregate(
        n=Count("pk"), face=Sum("face_won")
    )
    wallets = AccountShard.objects.filter(account__wallet__programme=programme).aggregate(
        cp=Sum("credits_posted"), dp=Sum("debits_posted"), held=Sum("debits_pending")
    )
    receivables = AccountShard.objects.filter(account__merchant__programme=programme).aggregate(
        cp=Sum("credits_posted"), dp=Sum("debits_posted")
    )
    paid = _payments(programme).aggregate(n=Count("pk"), won=Sum("amount"))
    kinds = _by_merchant_kind(programme)
    settled = Settlement.objects.filter(programme=programme).aggregate(
        n=Count("pk"),
        gross=Sum("gross_won"),
        fee=Sum("fee_won"),
        net=Sum("net_won"),
        last=Max("period_end"),
    )
    refunds = VoucherRefund.objects.filter(wallet__programme=programme).aggregate(
        n=Count("pk"), cash=Sum("cash_won"), clawback=Sum("clawback_won")
    )
    return Dashboard(
        programme=programme,
        now=now,
        issued_bought_won=_won(bought["face"]),
        issued_policy_won=_won(granted["face"]),
        purchases=bought["n"],
        grants=granted["n"],
        purchase_benefit_won=_won(bought["benefit"]),
        cashback_won=_kind_sum("cashback", debit_account=programme.budget_account_id),
        outstanding_won=_won(wallets["cp"]) - _won(wallets["dp"]),
        held_won=_won(wallets["held"]),
        redeemed_won=_won(paid["won"]),
        payments=paid["n"],
        by_category=_by_category(programme),
        by_neighbourhood=_by_neighbourhood(programme),
        local_won=kinds.get(Merchant.Kind.LOCAL_SHOP, 0),
        brand_won=kinds.get(Merchant.Kind.BRAND, 0),
        expiring=programme_expiring(programme, now=now),
        expired_won=_kind_sum("expiry", credit_account=programme.float_account_id),
        settled_gross_won=_won(settled["gross"]),
        settled_fee_won=_won(settled["fee"]),
        settled_net_won=_won(settled["net"]),
        settlements=settled["n"],
        last_settled_at=settled["last"],
        owed_to_merchants_won=_won(receivables["cp"]) - _won(receivables["dp"]),
        payment_refunds_won=_kind_sum("payment_refund", debit_account__merchant__programme=programme),
        remainder_refunds=refunds["n"],
        remainder_refund_cash_won=_won(refunds["cash"]),
        remainder_refund_clawback_won=_won(refunds["clawback"]),
    )
