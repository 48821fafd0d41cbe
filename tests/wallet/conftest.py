"""Ledger fixtures: a fixed clock, a resident wallet, a merchant receivable and a 16-shard
programme float; `tables()` snapshots every ledger row to show that a refusal wrote nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import BusinessCategory
from hyperlocal.regions.models import Region
from hyperlocal.wallet.models import (
    AccountKind,
    AccountShard,
    BenefitKind,
    LedgerAccount,
    Programme,
    Transfer,
)
from hyperlocal.wallet.services import open_account, transfer

NOW = datetime(2025, 3, 1, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    """Tests marked postgres_only are skipped, visibly, on SQLite."""
    if request.node.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")


@pytest.fixture
def float_account(db: None) -> LedgerAccount:
    with transaction.atomic():
        return open_account("float", AccountKind.PROGRAMME_FLOAT, shards=16, now=NOW)


@pytest.fixture
def wallet(db: None) -> LedgerAccount:
    with transaction.atomic():
        return open_account(
            "wallet:1", AccountKind.RESIDENT_WALLET, debits_must_not_exceed_credits=True, now=NOW
        )


@pytest.fixture
def merchant(db: None) -> LedgerAccount:
    with transaction.atomic():
        return open_account("merchant:1", AccountKind.MERCHANT_RECEIVABLE, now=NOW)


@pytest.fixture
def funded(wallet: LedgerAccount, float_account: LedgerAccount) -> LedgerAccount:
    """The wallet with 10,000 won granted from the float."""
    with transaction.atomic():
        transfer("grant-1", float_account, wallet, 10_000, kind="grant", now=NOW)
    return wallet


def tables() -> tuple[list[tuple[object, ...]], ...]:
    """Every ledger row, to compare before and after a refused request."""
    return (
        list(LedgerAccount.objects.order_by("id").values_list()),
        list(AccountShard.objects.order_by("id").values_list()),
        list(Transfer.objects.order_by("id").values_list()),
    )


# -- programmes ---------------------------------------------------------------------------------


@pytest.fixture
def programme(mapo: Region) -> Programme:
    """Mapo-gu's discount programme: 10 % off, 700,000 won a month, refund after 60 % used,
    fee 1 %, bought vouchers only at merchants with revenue under 1 billion won."""
    from hyperlocal.wallet.services.programmes import open_programme

    with transaction.atomic():
        return open_programme(
            code="mapo-love",
            name_ko="마포사랑상품권",
            region=mapo,
            benefit=BenefitKind.DISCOUNT,
            monthly_purchase_cap_won=700_000,
            benefit_bp=1000,
            settlement_fee_bp=100,
            excluded_categories=[BusinessCategory.ENTERTAINMENT],
            now=NOW,
        )


@pytest.fixture
def resident(db: None) -> User:
    from tests.factories import UserFactory

    return UserFactory()
