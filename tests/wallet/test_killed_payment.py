"""PostgreSQL: a process killed in the middle of a wallet payment (after its hold and post are
written) or of a voucher purchase (after the monthly cap is held and posted, before the
wallet is credited) leaves nothing behind: no transfer of it, balances unchanged, no
purchase, the ledger sound; and the same request goes through afterwards.

The child (procs_killed.py) runs against the test database, so the fixture data is committed
first (transactional tests). It waits either idle in its open transaction or inside the
server, on an advisory lock this test holds; either way it is SIGKILLed while it waits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction

from hyperlocal.accounts.models import User
from hyperlocal.wallet.models import (
    MerchantAccount,
    Programme,
    Transfer,
    VoucherHold,
    VoucherKind,
    VoucherPurchase,
    Wallet,
)
from hyperlocal.wallet.services import check_ledger
from hyperlocal.wallet.services.accounts import balance
from hyperlocal.wallet.services.caps import PURCHASE, cap_account
from hyperlocal.wallet.services.purchases import buy_vouchers
from hyperlocal.wallet.services.spending import pay_hold, pay_post
from hyperlocal.wallet.services.wallets import merchant_account_for, wallet_for
from tests.wallet.conftest import NOW
from tests.wallet.procs_killed import ADVISORY_KEY
from tests.wallet.stateful_fixtures import new_merchant, snapshot

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("procs_killed.py")
WAIT_S = 30


def _test_database_url() -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{s['NAME']}"


def _query(sql: str, params: list[int]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@contextmanager
def advisory_lock(held: bool) -> Iterator[None]:
    """The test's advisory lock (a child in `lock` mode waits for it), released at the end."""
    if not held:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])


def kill_in_the_middle(what: str, wait: str, **env: object) -> None:
    """Start the child, wait until it has written part of its transaction, check that none of
    it is visible, SIGKILL it, and wait until the server has dropped its session."""
    before = snapshot()
    with advisory_lock(wait == "lock"):
        child = subprocess.Popen(
            [sys.executable, str(CHILD), what, wait],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "tests.settings",
                "DATABASE_URL": _test_database_url(),
                "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
                "KILL_NOW": NOW.isoformat(),
                **{f"KILL_{k.upper()}": str(v) for k, v in env.items()},
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None
            line = child.stdout.readline()  # the child has written part of its transaction
            assert line.startswith("WAITING "), (line, child.stderr.read() if child.stderr else "")
            backend = int(line.split()[1])
            locks = "SELECT count(*) FROM pg_locks WHERE pid = %s AND granted AND locktype = 'transactionid'"
            assert _query(locks, [backend]) > 0  # it holds a transaction id: it wrote rows
            if wait == "lock":  # it waits inside the server, for the lock this test holds
                waiting = (
                    "SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted AND locktype = 'advisory'"
                )
                deadline = time.monotonic() + WAIT_S
                while not _query(waiting, [backend]) and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert _query(waiting, [backend]) == 1
            assert snapshot() == before  # nothing of it is visible outside
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=WAIT_S)
        assert child.returncode == -signal.SIGKILL
        # The server notices the dead client (while the test still holds the lock, in `lock`
        # mode) and rolls its transaction back.
        alive = "SELECT count(*) FROM pg_stat_activity WHERE pid = %s"
        deadline = time.monotonic() + WAIT_S
        while _query(alive, [backend]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _query(alive, [backend]) == 0, "the killed client's session is still open"
    assert snapshot() == before


@pytest.mark.parametrize("wait", ["idle", "lock"])
def test_a_payment_killed_half_way_leaves_no_partial_transfer(
    programme: Programme, resident: User, wait: str
) -> None:
    with transaction.atomic():
        buy_vouchers(resident, programme, 100_000, request_id="funds", payment_token="tok_test_ok", now=NOW)
    wallet = wallet_for(resident, programme, VoucherKind.BOUGHT, now=NOW)
    account = merchant_account_for(programme, new_merchant(), now=NOW)
    before = [balance(wallet.account), balance(account.account)]

    kill_in_the_middle(
        "payment",
        wait,
        wallet=wallet.pk,
        merchant_account=account.pk,
        id="pay-1",
        won=30_000,
        post_won=20_000,
    )

    assert not Transfer.objects.filter(id__startswith="pay-1").exists()
    assert [balance(wallet.account), balance(account.account)] == before
    assert not VoucherHold.objects.exists()
    assert VoucherPurchase.objects.count() == 1
    assert check_ledger() == []
    # The payment's ids were never claimed: the same payment goes through now.
    with transaction.atomic():
        w = Wallet.objects.select_related("programme", "account", "user").get(pk=wallet.pk)
        a = MerchantAccount.objects.select_related("merchant", "account").get(pk=account.pk)
        hold = pay_hold(w, a, 30_000, transfer_id="pay-1", timeout=timedelta(hours=1), now=NOW)
        pay_post(w, hold.id, transfer_id="pay-1/post", amount_won=20_000, now=NOW)
    assert balance(wallet.account).available == 80_000
    assert check_ledger() == []


@pytest.mark.parametrize("wait", ["idle", "lock"])
def test_a_purchase_killed_between_cap_and_credit_leaves_nothing(
    programme: Programme, resident: User, wait: str
) -> None:
    with transaction.atomic():  # the wallet and the month's cap account exist already
        buy_vouchers(resident, programme, 100_000, request_id="first", payment_token="tok_test_ok", now=NOW)
    wallet = wallet_for(resident, programme, VoucherKind.BOUGHT, now=NOW)
    cap = cap_account(programme, resident, PURCHASE, now=NOW)
    before = [balance(wallet.account), balance(cap)]

    kill_in_the_middle("purchase", wait, user=resident.pk, programme=programme.pk, id="second", won=200_000)

    assert not Transfer.objects.filter(id__startswith=f"buy/{wallet.pk}/second").exists()
    assert [balance(wallet.account), balance(cap)] == before
    assert list(VoucherPurchase.objects.values_list("request_id", flat=True)) == ["first"]
    assert check_ledger() == []
    # Nothing of it stayed, the cap included: the same purchase goes through now.
    with transaction.atomic():
        buy_vouchers(resident, programme, 200_000, request_id="second", payment_token="tok_test_ok", now=NOW)
    assert balance(wallet.account).available == 300_000
    assert balance(cap).available == 700_000 - 300_000
    assert check_ledger() == []
