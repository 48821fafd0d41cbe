"""Small builders for the settlement, selector, command and admin tests: a programme opened
through the programme service, merchants with receivables, wallets funded by a grant or a
purchase (ledger transfer plus its business row), payments held and posted as checkout does.
Plain functions (not fixtures), called inside a test's database access."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import BusinessCategory, Merchant, RevenueBand
from hyperlocal.regions.models import Region
from hyperlocal.wallet.models import AccountShard, LedgerAccount, Transfer
from hyperlocal.wallet.programmes import (
    BenefitKind,
    MerchantAccount,
    Programme,
    Settlement,
    SettlementPayout,
    VoucherGrant,
    VoucherKind,
    VoucherPurchase,
    Wallet,
)
from hyperlocal.wallet.services import post_pending, transfer
from hyperlocal.wallet.services.programmes import open_programme
from hyperlocal.wallet.services.wallets import merchant_account_for, wallet_for
from tests.factories import UserFactory

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2025, 3, 3, 10, 0, tzinfo=SEOUL)


def district(code: str = "11440", name: str = "마포구") -> Region:
    region, _ = Region.objects.get_or_create(
        code=code, defaults={"name_ko": name, "name_en": "Mapo-gu", "level": Region.Level.DISTRICT}
    )
    return region


def make_programme(
    code: str = "mapo-love",
    *,
    region: Region | None = None,
    fee_bp: int = 150,
    every_days: int = 1,
    benefit: str = BenefitKind.DISCOUNT,
    now: datetime = NOW,
) -> Programme:
    return open_programme(
        code=code,
        name_ko=f"{code} 상품권",
        region=region or district(),
        benefit=benefit,
        monthly_purchase_cap_won=700_000,
        now=now,
        settlement_fee_bp=fee_bp,
        settlement_every_days=every_days,
    )


def make_shop(
    programme: Programme,
    name: str,
    *,
    kind: str = Merchant.Kind.LOCAL_SHOP,
    category: str = BusinessCategory.GROCERY,
    now: datetime = NOW,
) -> MerchantAccount:
    merchant = Merchant.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        kind=kind,
        region=programme.region,
        business_category=category,
        revenue_band=RevenueBand.UNDER_300M,
    )
    return merchant_account_for(programme, merchant, now=now)


def resident(username: str) -> User:
    user: User = UserFactory(username=username)
    return user


def grant(
    programme: Programme, user: User, won: int, *, batch: str, at: datetime = NOW, days: int = 365
) -> Wallet:
    """Policy vouchers of `won` granted at `at`, expiring `days` later (transfer and row)."""
    wallet = wallet_for(user, programme, VoucherKind.POLICY, now=at)
    transfer(f"grant/{batch}/{user.pk}", programme.budget_account, wallet.account, won, kind="grant", now=at)
    VoucherGrant.objects.create(
        wallet=wallet, batch=batch, face_won=won, granted_at=at, expires_at=at + timedelta(days=days)
    )
    return wallet


def buy(
    programme: Programme,
    user: User,
    paid: int,
    benefit: int,
    *,
    request_id: str,
    at: datetime = NOW,
    days: int = 365,
) -> Wallet:
    """Vouchers bought: `paid` from cash, `benefit` from the budget, expiring `days` later."""
    wallet = wallet_for(user, programme, VoucherKind.BOUGHT, now=at)
    transfer(f"buy/{request_id}", programme.cash_account, wallet.account, paid, kind="purchase", now=at)
    if benefit:
        transfer(
            f"buy/{request_id}/benefit",
            programme.budget_account,
            wallet.account,
            benefit,
            kind="purchase_benefit",
            now=at,
        )
    VoucherPurchase.objects.create(
        wallet=wallet,
        request_id=request_id,
        request_hash="x",
        face_won=paid + benefit,
        paid_won=paid,
        benefit_won=benefit,
        cap_counted_won=paid + benefit,
        provider="fake",
        payment_reference=request_id,
        purchased_at=at,
        expires_at=at + timedelta(days=days),
    )
    return wallet


def hold(wallet: Wallet, ma: MerchantAccount, won: int, tid: str, *, at: datetime = NOW) -> Transfer:
    return transfer(
        tid, wallet.account, ma.account, won, kind="payment", pending=True, timeout=timedelta(hours=3), now=at
    )


def pay(
    wallet: Wallet, ma: MerchantAccount, won: int, tid: str, *, at: datetime = NOW, posted: int | None = None
) -> Transfer:
    """A checkout payment: held, then posted at delivery (`posted` when a short pick lowered it)."""
    hold(wallet, ma, won, tid, at=at)
    return post_pending(f"{tid}/post", tid, posted, now=at)


def refund_payment(
    wallet: Wallet, ma: MerchantAccount, won: int, tid: str, *, at: datetime = NOW
) -> Transfer:
    return transfer(tid, ma.account, wallet.account, won, kind="payment_refund", now=at)


def net(account: LedgerAccount) -> int:
    rows = AccountShard.objects.filter(account=account).values_list("credits_posted", "debits_posted")
    return sum(c - d for c, d in rows)


def snapshot() -> tuple[list[tuple[object, ...]], ...]:
    """Every row a settlement may write, to show that a refusal wrote nothing."""
    return (
        list(AccountShard.objects.order_by("id").values_list()),
        list(Transfer.objects.order_by("id").values_list()),
        list(Settlement.objects.order_by("id").values_list()),
        list(SettlementPayout.objects.order_by("id").values_list()),
    )
