"""Split tender fixtures: the `shop` of conftest.py with Mapo-gu's voucher programme opened at
the shop's clock, and the resident's vouchers (policy-issued by a grant, or bought with the
test card). `ledger()` snapshots every ledger and voucher row, `everything()` adds the order
tables, to show that a refused placement wrote nothing anywhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import BusinessCategory, Merchant, Product, RevenueBand
from hyperlocal.orders.models import Order, Payment
from hyperlocal.regions.models import Region
from hyperlocal.wallet.models import AccountShard, LedgerAccount, Transfer
from hyperlocal.wallet.programmes import (
    BenefitKind,
    MerchantAccount,
    Programme,
    VoucherHold,
    VoucherKind,
    Wallet,
)
from hyperlocal.wallet.services.accounts import Balance, balance
from hyperlocal.wallet.services.grants import grant_vouchers
from hyperlocal.wallet.services.programmes import open_programme
from hyperlocal.wallet.services.purchases import buy_vouchers
from hyperlocal.wallet.services.wallets import merchant_account_for, wallet_for
from tests.orders.conftest import Shop, snapshot

MAPO = "11440"


def programme_at(now: datetime, *, validity_months: int = 60) -> Programme:
    """Mapo-gu's discount programme (10 % off; entertainment excluded; bought vouchers only
    at merchants with a yearly revenue under 1 billion won)."""
    with transaction.atomic():
        return open_programme(
            code="mapo-love",
            name_ko="마포사랑상품권",
            region=Region.objects.get(code=MAPO),
            benefit=BenefitKind.DISCOUNT,
            monthly_purchase_cap_won=700_000,
            excluded_categories=[BusinessCategory.ENTERTAINMENT],
            validity_months=validity_months,
            now=now,
        )


def grant(user: User, programme: Programme, won: int, now: datetime, batch: str = "allowance") -> Wallet:
    """Policy-issued vouchers (no card involved)."""
    with transaction.atomic():
        grant_vouchers(programme, [user.pk], won, batch=batch, granted_by=None, now=now)
    return wallet_for(user, programme, VoucherKind.POLICY, now=now)


def buy(user: User, programme: Programme, won: int, now: datetime, request_id: str = "buy-1") -> Wallet:
    with transaction.atomic():
        buy_vouchers(user, programme, won, request_id=request_id, payment_token="tok_test_ok", now=now)
    return wallet_for(user, programme, VoucherKind.BOUGHT, now=now)


def held(wallet: Wallet) -> Balance:
    return balance(wallet.account)


def receivable(programme: Programme, merchant: Merchant, now: datetime) -> Balance:
    return balance(merchant_account_for(programme, merchant, now=now).account)


def exclude(product: Product, *, category: str = BusinessCategory.ENTERTAINMENT) -> Merchant:
    """Put the product's merchant in a category the programme excludes."""
    merchant = product.merchant
    merchant.business_category = category
    merchant.save(update_fields=["business_category"])
    return merchant


def too_big(product: Product) -> Merchant:
    """A merchant above the revenue cap for bought vouchers (policy-issued ones still pay)."""
    merchant = product.merchant
    merchant.revenue_band = RevenueBand.OVER_10B
    merchant.save(update_fields=["revenue_band"])
    return merchant


def ledger() -> tuple[list[tuple[object, ...]], ...]:
    """Every ledger and voucher row."""
    return (
        list(LedgerAccount.objects.order_by("id").values_list()),
        list(AccountShard.objects.order_by("id").values_list()),
        list(Transfer.objects.order_by("id").values_list()),
        list(MerchantAccount.objects.order_by("id").values_list()),
        list(Wallet.objects.order_by("id").values_list()),
        list(VoucherHold.objects.order_by("id").values_list()),
    )


def everything() -> tuple[object, ...]:
    return (snapshot(), ledger())


def tenders(order: Order) -> dict[str, tuple[str, int, int, int]]:
    """Each Payment row of the order by tender: (status, authorised, captured, refunded)."""
    return {
        p.tender: (p.status, p.authorised_won, p.captured_won, p.refunded_won)
        for p in Payment.objects.filter(order=order)
    }


@dataclass
class VoucherShop:
    shop: Shop
    programme: Programme
    wallet: Wallet  # the resident's policy-issued vouchers (50,000 won)

    @property
    def now(self) -> datetime:
        return self.shop.now

    @property
    def customer(self) -> User:
        return self.shop.customer


def voucher_shop(shop: Shop, won: int = 50_000) -> VoucherShop:
    programme = programme_at(shop.now)
    return VoucherShop(shop, programme, grant(shop.customer, programme, won, shop.now))
