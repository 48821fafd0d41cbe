"""A child process for test_killed_payment.py: a wallet payment or a voucher purchase that
stops half way through its transaction and waits there to be killed.

    python tests/wallet/procs_killed.py payment|purchase idle|lock

The ids and amounts come in KILL_* environment variables; DATABASE_URL names the test
database. Once part of the transaction is written it prints "WAITING <backend pid>" and
waits: `idle` sleeps with the transaction open (the server sees it idle in transaction);
`lock` waits inside the server for an advisory lock that the test holds (with
client_connection_check_interval set, so that the server notices the dead client while the
query waits). Should it ever get past that, it commits and prints "COMMITTED".
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timedelta
from typing import Any

import django

ADVISORY_KEY = 0x57A11E7  # the lock the test holds while the child waits


def stop_here(wait: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
        assert row is not None
        if wait == "lock":
            cursor.execute("SET client_connection_check_interval = '100ms'")
        print(f"WAITING {row[0]}", flush=True)
        if wait == "lock":
            cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_KEY])
        else:
            time.sleep(600)


def pay(wait: str, now: datetime) -> None:
    """The hold and its (partial) post, one transaction, as a checkout and a delivery would."""
    from hyperlocal.wallet.models import MerchantAccount, Wallet
    from hyperlocal.wallet.services.spending import pay_hold, pay_post

    wallet = Wallet.objects.select_related("programme", "account", "user").get(
        pk=int(os.environ["KILL_WALLET"])
    )
    account = MerchantAccount.objects.select_related("merchant", "account").get(
        pk=int(os.environ["KILL_MERCHANT_ACCOUNT"])
    )
    payment_id = os.environ["KILL_ID"]
    hold = pay_hold(
        wallet,
        account,
        int(os.environ["KILL_WON"]),
        transfer_id=payment_id,
        timeout=timedelta(hours=1),
        now=now,
    )
    pay_post(
        wallet,
        hold.id,
        transfer_id=f"{payment_id}/post",
        amount_won=int(os.environ["KILL_POST_WON"]),
        now=now,
    )
    stop_here(wait)


def buy(wait: str, now: datetime) -> None:
    """A purchase stopped after the monthly cap is held and posted, before the wallet is
    credited."""
    from hyperlocal.accounts.models import User
    from hyperlocal.wallet.models import Programme
    from hyperlocal.wallet.services import ledger, purchases

    post_pending = ledger.post_pending

    def post_then_stop(*args: Any, **kwargs: Any) -> Any:
        posted = post_pending(*args, **kwargs)
        stop_here(wait)
        return posted

    purchases.post_pending = post_then_stop  # type: ignore[attr-defined]
    purchases.buy_vouchers(
        User.objects.get(pk=int(os.environ["KILL_USER"])),
        Programme.objects.get(pk=int(os.environ["KILL_PROGRAMME"])),
        int(os.environ["KILL_WON"]),
        request_id=os.environ["KILL_ID"],
        payment_token="tok_test_ok",
        now=now,
    )


def main() -> None:
    what, wait = sys.argv[1], sys.argv[2]
    django.setup()
    from django.db import transaction

    now = datetime.fromisoformat(os.environ["KILL_NOW"])
    with transaction.atomic():
        if what == "payment":
            pay(wait, now)
        else:
            buy(wait, now)
    print("COMMITTED", flush=True)


if __name__ == "__main__":
    main()
