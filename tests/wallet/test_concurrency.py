"""PostgreSQL with real threads: concurrent spends never overdraw a wallet, and concurrent
transfers into a 16-shard account all land without deadlocks."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import close_old_connections, connection, transaction

from hyperlocal.wallet.errors import InsufficientFunds
from hyperlocal.wallet.models import AccountKind, AccountShard
from hyperlocal.wallet.services import balance, check_ledger, open_account, transfer
from tests.wallet.conftest import NOW

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
THREADS = 32


def run_threads(work: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def client(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_32_concurrent_spends_never_overdraw_the_wallet() -> None:
    with transaction.atomic():
        float_ = open_account("float", AccountKind.PROGRAMME_FLOAT, shards=16, now=NOW)
        wallet = open_account(
            "wallet", AccountKind.RESIDENT_WALLET, debits_must_not_exceed_credits=True, now=NOW
        )
        merchant = open_account("merchant", AccountKind.MERCHANT_RECEIVABLE, now=NOW)
        transfer("grant", float_, wallet, 10_000, kind="grant", now=NOW)
    outcomes: list[bool] = []

    def spend(n: int) -> None:
        try:
            with transaction.atomic():  # each spends 700 > 10,000 / 32: only 14 can
                transfer(f"pay-{n}", wallet, merchant, 700, kind="payment", pending=n % 2 == 0, now=NOW)
            outcomes.append(True)
        except InsufficientFunds:
            outcomes.append(False)

    assert run_threads(spend) == []
    assert outcomes.count(True) == 14
    left = balance(wallet)
    assert left.available == 10_000 - 14 * 700
    assert left.available >= 0
    assert check_ledger() == []


def test_concurrent_transfers_into_a_sharded_account_all_land() -> None:
    with transaction.atomic():
        target = open_account("float", AccountKind.PROGRAMME_FLOAT, shards=16, now=NOW)
        sources = [open_account(f"clearing-{n}", AccountKind.CASH_CLEARING, now=NOW) for n in range(THREADS)]

    def pay_in(n: int) -> None:
        for i in range(5):
            with transaction.atomic():
                transfer(f"in-{n}-{i}", sources[n], target, 100 + n, kind="purchase", now=NOW)

    assert run_threads(pay_in) == []
    assert balance(target).credits_posted == sum(5 * (100 + n) for n in range(THREADS))
    assert AccountShard.objects.filter(account=target, credits_posted__gt=0).count() > 8
    assert check_ledger() == []
