"""Shared by the wallet's stateful, concurrency and kill tests: residents and merchants made
without the (untyped) factories, and a snapshot of every row that money or its records live
in, to show that a refused or killed request wrote nothing."""

from __future__ import annotations

from itertools import count
from typing import Any

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import BusinessCategory, Merchant, RevenueBand
from hyperlocal.regions.models import Region
from hyperlocal.wallet.models import (
    AccountShard,
    LedgerAccount,
    MerchantAccount,
    Settlement,
    SettlementPayout,
    Transfer,
    VoucherGrant,
    VoucherHold,
    VoucherPurchase,
    VoucherRefund,
    Wallet,
)

MODELS: tuple[Any, ...] = (
    LedgerAccount,
    AccountShard,
    Transfer,
    Wallet,
    MerchantAccount,
    VoucherPurchase,
    VoucherGrant,
    VoucherRefund,
    VoucherHold,
    Settlement,
    SettlementPayout,
)


def snapshot() -> list[list[tuple[Any, ...]]]:
    return [list(m.objects.order_by("pk").values_list()) for m in MODELS]


# Rows that services change after inserting them; the others are only ever inserted.
CHANGING: tuple[Any, ...] = (AccountShard, Wallet, VoucherHold, Settlement)


def fingerprint() -> list[Any]:
    """A cheaper snapshot for a step of the state machine: every row of the tables whose rows
    change, and how many rows the insert-only ones have (no service deletes a row)."""
    return [
        list(m.objects.order_by("pk").values_list()) if m in CHANGING else m.objects.count() for m in MODELS
    ]


_serial = count(1)


def new_resident() -> User:
    n = next(_serial)
    return User.objects.create_user(
        f"wallet-resident-{n}", f"wallet-resident-{n}@example.test", "pw-not-used"
    )


def new_merchant(
    *,
    region: Region | None = None,
    category: str = BusinessCategory.GROCERY,
    band: str = RevenueBand.UNDER_300M,
) -> Merchant:
    """A merchant of Mapo-gu (the `mapo` fixture loads it) unless another region is given."""
    n = next(_serial)
    return Merchant.objects.create(
        name=f"Wallet Test Shop {n}",
        slug=f"wallet-test-shop-{n}",
        region=region or Region.objects.get(code="11440"),
        business_category=category,
        revenue_band=band,
    )
