"""Request and response bodies of the wallet API (/api/wallet), and the mapping to them.

Money is an integer number of won (KRW); rates are basis points (1000 = 10 %). Amounts are
only bounded to a 64-bit integer here: the services say what is wrong with a zero, negative,
odd or too large amount, in their own words and codes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Schema
from pydantic import ConfigDict, Field, StrictBool, StrictInt

from hyperlocal.wallet.overview import RefundStatus, StatementRow, WalletView, programme_name, rules_in_words
from hyperlocal.wallet.programmes import Programme, Settlement, VoucherPurchase, VoucherRefund
from hyperlocal.wallet.selectors import Dashboard, MerchantSales

BIGINT = 2**63 - 1
# What clients send as request ids (and Idempotency-Key): visible ASCII, as orders take them.
REQUEST_ID = r"^[\x20-\x7e]{1,100}$"
PAYMENT_TOKEN = r"^[\x21-\x7e]{1,200}$"
PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"
CODE = r"^[-a-zA-Z0-9_]{1,40}$"

Won = Annotated[StrictInt, Field(ge=-BIGINT, le=BIGINT)]
Id = Annotated[StrictInt, Field(ge=1, le=BIGINT)]
RequestId = Annotated[str, Field(pattern=REQUEST_ID, description="client-chosen, new for every request")]
# Spelled out (checked against the models in the tests): enums named alike in several apps
# would share one OpenAPI component.
BenefitName = Literal["discount", "bonus", "cashback"]
VoucherKindName = Literal["bought", "policy"]
CategoryName = Literal[
    "grocery",
    "produce",
    "bakery",
    "cafe",
    "restaurant",
    "butcher",
    "fishmonger",
    "specialty_food",
    "household",
    "beauty",
    "fashion",
    "books",
    "pharmacy",
    "entertainment",
]
RevenueBandName = Literal["under_300m", "300m_1b", "1b_3b", "3b_10b", "over_10b"]


# --- in ------------------------------------------------------------------------------------


class PurchaseIn(Schema):
    programme: str = Field(pattern=CODE, description="the programme's code, e.g. 'mapo-love'")
    amount_won: Won = Field(description="face value wanted, in the programme's purchase units")
    payment_token: str = Field(
        "tok_test_ok",
        pattern=PAYMENT_TOKEN,
        description="from the payment provider; the test provider declines 'tok_test_decline'",
    )
    request_id: RequestId | None = Field(
        None,
        description="client-chosen id (or send an Idempotency-Key header): a repeat is the same purchase",
    )


class RefundIn(Schema):
    request_id: RequestId | None = Field(None, description="client-chosen id (or an Idempotency-Key header)")


class RulesPatch(Schema):
    """The rules a programme admin may change; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name_ko: str | None = Field(None, max_length=100, pattern=PLAIN_TEXT)
    name_en: str | None = Field(None, max_length=100, pattern=PLAIN_TEXT)
    is_active: StrictBool | None = Field(None, description="false pauses sales and spending")
    monthly_purchase_cap_won: Won | None = Field(None, description="per person, from the next month")
    benefit_bp: Won | None = Field(None, description="discount, bonus or cashback rate, 0..5000")
    purchase_unit_won: Won | None = None
    monthly_cashback_cap_won: Won | None = None
    validity_months: Won | None = Field(None, description="1..120")
    refund_threshold_bp: Won | None = Field(None, description="0..10000")
    excluded_categories: list[CategoryName] | None = Field(None, max_length=20)
    bought_revenue_cap: RevenueBandName | None = None
    settlement_fee_bp: Won | None = Field(None, description="0..1000")
    settlement_every_days: Won | None = Field(None, description="1..31")


class GrantIn(Schema):
    user_ids: list[Id] = Field(min_length=1, max_length=100_000)
    face_won: Won
    batch: str = Field(
        pattern=REQUEST_ID, description="the grant's name; a resident gets one grant per batch"
    )


class SettlementIn(Schema):
    run_id: RequestId | None = Field(None, description="client-chosen (or an Idempotency-Key header), <= 64")


# --- out -----------------------------------------------------------------------------------


class RegionRef(Schema):
    code: str
    name_ko: str
    name_en: str


class ProgrammeRef(Schema):
    code: str
    name: str


class ProgrammeOut(Schema):
    code: str
    name_ko: str
    name_en: str
    region: RegionRef
    benefit: BenefitName
    benefit_bp: int
    purchase_unit_won: int
    monthly_purchase_cap_won: int
    monthly_cashback_cap_won: int
    validity_months: int
    refund_threshold_bp: int
    excluded_categories: list[str]
    bought_revenue_cap: RevenueBandName
    settlement_fee_bp: int
    settlement_every_days: int
    is_active: bool
    rules: list[str] = Field(description="the rules in plain words, in the request's language")
    currency: Literal["KRW"] = "KRW"


class LotOut(Schema):
    expires_at: datetime
    won: int


class RefundStatusOut(Schema):
    refundable: bool
    used_bp: int
    threshold_bp: int
    remainder_won: int
    cash_won: int
    reason: str


class WalletOut(Schema):
    id: int
    programme: ProgrammeRef
    kind: VoucherKindName
    available_won: int
    held_won: int
    expiring: list[LotOut] = Field(description="what is left of each issue, soonest expiry first")
    refund: RefundStatusOut
    currency: Literal["KRW"] = "KRW"


class StatementLineOut(Schema):
    at: datetime
    ref: str
    kind: str
    state: str
    amount_won: int = Field(description="+ into the wallet, - out of it (posted)")
    held_won: int = Field(description="a hold at checkout (pending), 0 otherwise")
    balance_after_won: int


class StatementOut(Schema):
    wallet: WalletOut
    lines: list[StatementLineOut]


class PurchaseOut(Schema):
    id: int
    wallet_id: int
    programme: str
    request_id: str
    face_won: int
    paid_won: int
    benefit_won: int
    provider: str
    purchased_at: datetime
    expires_at: datetime


class RefundOut(Schema):
    id: int
    wallet_id: int
    request_id: str
    remainder_won: int
    cash_won: int
    clawback_won: int
    used_bp: int
    refunded_at: datetime


class GrantOut(Schema):
    programme: str
    batch: str
    face_won: int
    listed: int
    granted_now: int
    granted_in_batch: int


class PayoutOut(Schema):
    merchant: str
    merchant_name: str
    gross_won: int
    fee_won: int
    net_won: int
    payments: int


class SettlementOut(Schema):
    run_id: str
    programme: str
    period_end: datetime
    gross_won: int
    fee_won: int
    net_won: int
    payouts: list[PayoutOut]


class PayoutLineOut(Schema):
    run_id: str
    programme: str
    settled_at: datetime
    gross_won: int
    fee_won: int
    net_won: int
    payments: int


class MerchantSalesOut(Schema):
    merchant: str
    payments: int
    payments_won: int = Field(description="posted voucher payments")
    refunds: int
    refunds_won: int
    net_sales_won: int
    holds: int = Field(description="checkout holds not posted yet (pending)")
    held_won: int
    outstanding_won: int = Field(description="posted and not paid out yet")
    settled_gross_won: int
    fees_won: int
    settled_net_won: int
    payouts: list[PayoutLineOut]
    currency: Literal["KRW"] = "KRW"


class BreakdownOut(Schema):
    key: str
    label: str
    won: int
    payments: int


class NeighbourhoodOut(Schema):
    cell: str
    label: str
    won: int
    payments: int


class ExpiringOut(Schema):
    expired_won: int = Field(description="expired, not swept out of the wallets yet")
    within_30_won: int
    within_90_won: int
    within_365_won: int


class DashboardOut(Schema):
    programme: ProgrammeOut
    at: datetime
    issued_won: int
    issued_bought_won: int
    issued_policy_won: int
    purchases: int
    grants: int
    benefit_won: int = Field(description="discounts or bonuses on purchases, and cashback")
    outstanding_won: int = Field(description="vouchers in wallets (the float the programme owes)")
    held_won: int = Field(description="part of it held by checkouts")
    redeemed_won: int
    payments: int
    by_category: list[BreakdownOut]
    by_neighbourhood: list[NeighbourhoodOut]
    local_won: int = Field(description="spent at local shops of the region")
    brand_won: int = Field(description="spent at brands registered in the region")
    local_share_bp: int | None = Field(description="local shops' share of the spend, basis points")
    expiring: ExpiringOut
    expired_won: int
    settlements: int
    last_settled_at: datetime | None
    settled_gross_won: int
    settled_fee_won: int
    settled_net_won: int
    owed_to_merchants_won: int
    payment_refunds_won: int
    remainder_refunds: int
    remainder_refund_cash_won: int
    remainder_refund_clawback_won: int
    currency: Literal["KRW"] = "KRW"


# --- mapping -------------------------------------------------------------------------------


def programme_out(p: Programme) -> ProgrammeOut:
    return ProgrammeOut(
        code=p.code,
        name_ko=p.name_ko,
        name_en=p.name_en,
        region=RegionRef(code=p.region.code, name_ko=p.region.name_ko, name_en=p.region.name_en),
        benefit=p.benefit,  # type: ignore[arg-type]
        benefit_bp=p.benefit_bp,
        purchase_unit_won=p.purchase_unit_won,
        monthly_purchase_cap_won=p.monthly_purchase_cap_won,
        monthly_cashback_cap_won=p.monthly_cashback_cap_won,
        validity_months=p.validity_months,
        refund_threshold_bp=p.refund_threshold_bp,
        excluded_categories=list(p.excluded_categories or []),
        bought_revenue_cap=p.bought_revenue_cap,  # type: ignore[arg-type]
        settlement_fee_bp=p.settlement_fee_bp,
        settlement_every_days=p.settlement_every_days,
        is_active=p.is_active,
        rules=rules_in_words(p),
    )


def refund_status_out(r: RefundStatus) -> RefundStatusOut:
    return RefundStatusOut(
        refundable=r.refundable,
        used_bp=r.used_bp,
        threshold_bp=r.threshold_bp,
        remainder_won=r.remainder_won,
        cash_won=r.cash_won,
        reason=r.reason,
    )


def wallet_out(v: WalletView) -> WalletOut:
    w = v.wallet
    return WalletOut(
        id=w.pk,
        programme=ProgrammeRef(code=w.programme.code, name=programme_name(w.programme)),
        kind=w.kind,  # type: ignore[arg-type]
        available_won=v.balance.available_won,
        held_won=v.balance.held_won,
        expiring=[LotOut(expires_at=timezone.localtime(at), won=won) for at, won in v.balance.expiring],
        refund=refund_status_out(v.refund),
    )


def statement_line_out(row: StatementRow) -> StatementLineOut:
    line = row.line
    return StatementLineOut(
        at=timezone.localtime(line.at),
        ref=line.transfer_id,
        kind=line.kind,
        state=line.state,
        amount_won=line.amount_won,
        held_won=line.held_won,
        balance_after_won=row.balance_after_won,
    )


def purchase_out(p: VoucherPurchase) -> PurchaseOut:
    return PurchaseOut(
        id=p.pk,
        wallet_id=p.wallet_id,
        programme=p.wallet.programme.code,
        request_id=p.request_id,
        face_won=p.face_won,
        paid_won=p.paid_won,
        benefit_won=p.benefit_won,
        provider=p.provider,
        purchased_at=timezone.localtime(p.purchased_at),
        expires_at=timezone.localtime(p.expires_at),
    )


def refund_out(r: VoucherRefund) -> RefundOut:
    return RefundOut(
        id=r.pk,
        wallet_id=r.wallet_id,
        request_id=r.request_id,
        remainder_won=r.remainder_won,
        cash_won=r.cash_won,
        clawback_won=r.clawback_won,
        used_bp=r.used_bp,
        refunded_at=timezone.localtime(r.refunded_at),
    )


def settlement_out(s: Settlement) -> SettlementOut:
    payouts = s.payouts.select_related("merchant").order_by("merchant__name", "merchant_id")
    return SettlementOut(
        run_id=s.run_id,
        programme=s.programme.code,
        period_end=timezone.localtime(s.period_end),
        gross_won=s.gross_won,
        fee_won=s.fee_won,
        net_won=s.net_won,
        payouts=[
            PayoutOut(
                merchant=p.merchant.slug,
                merchant_name=p.merchant.name,
                gross_won=p.gross_won,
                fee_won=p.fee_won,
                net_won=p.net_won,
                payments=p.payments,
            )
            for p in payouts
        ],
    )


def merchant_sales_out(slug: str, m: MerchantSales) -> MerchantSalesOut:
    return MerchantSalesOut(
        merchant=slug,
        payments=m.payments,
        payments_won=m.payments_won,
        refunds=m.refunds,
        refunds_won=m.refunds_won,
        net_sales_won=m.net_sales_won,
        holds=m.holds,
        held_won=m.held_won,
        outstanding_won=m.outstanding_won,
        settled_gross_won=m.settled_gross_won,
        fees_won=m.fees_won,
        settled_net_won=m.settled_net_won,
        payouts=[
            PayoutLineOut(
                run_id=p.run_id,
                programme=p.programme_code,
                settled_at=timezone.localtime(p.settled_at),
                gross_won=p.gross_won,
                fee_won=p.fee_won,
                net_won=p.net_won,
                payments=p.payments,
            )
            for p in m.payouts
        ],
    )


def dashboard_out(d: Dashboard) -> DashboardOut:
    share = d.local_share
    return DashboardOut(
        programme=programme_out(d.programme),
        at=timezone.localtime(d.now),
        issued_won=d.issued_won,
        issued_bought_won=d.issued_bought_won,
        issued_policy_won=d.issued_policy_won,
        purchases=d.purchases,
        grants=d.grants,
        benefit_won=d.benefit_won,
        outstanding_won=d.outstanding_won,
        held_won=d.held_won,
        redeemed_won=d.redeemed_won,
        payments=d.payments,
        by_category=[
            BreakdownOut(key=b.key, label=b.label, won=b.won, payments=b.payments) for b in d.by_category
        ],
        by_neighbourhood=[
            NeighbourhoodOut(cell=n.cell, label=n.label, won=n.won, payments=n.payments)
            for n in d.by_neighbourhood
        ],
        local_won=d.local_won,
        brand_won=d.brand_won,
        local_share_bp=None if share is None else round(share * 10_000),
        expiring=ExpiringOut(
            expired_won=d.expiring.expired_won,
            within_30_won=d.expiring.within_30_won,
            within_90_won=d.expiring.within_90_won,
            within_365_won=d.expiring.within_365_won,
        ),
        expired_won=d.expired_won,
        settlements=d.settlements,
        last_settled_at=None if d.last_settled_at is None else timezone.localtime(d.last_settled_at),
        settled_gross_won=d.settled_gross_won,
        settled_fee_won=d.settled_fee_won,
        settled_net_won=d.settled_net_won,
        owed_to_merchants_won=d.owed_to_merchants_won,
        payment_refunds_won=d.payment_refunds_won,
        remainder_refunds=d.remainder_refunds,
        remainder_refund_cash_won=d.remainder_refund_cash_won,
        remainder_refund_clawback_won=d.remainder_refund_clawback_won,
    )
