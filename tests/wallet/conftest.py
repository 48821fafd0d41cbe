"""Ledger fixtures: a fixed clock, a resident wallet, a merchant receivable and a 16-shard
programme float; `tables()` snapshots every ledger row to show that a refusal wrote nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from hyperlocal.wallet.models import AccountKind, AccountShard, LedgerAccount, Transfer
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
