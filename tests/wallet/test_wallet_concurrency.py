"""PostgreSQL with real threads (each its own connection, released together by a barrier)
through the programme services: 32 spends from one wallet never overdraw it, 32 purchases
never exceed the monthly cap, 32 repeats of one purchase make one purchase, and concurrent
cashback stays within its monthly cap. No other error and no deadlock; the ledger is sound."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection, transaction
from django.db.models import Sum

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import Merchant
from hyperlocal.errors import Conflict
from hyperlocal.orders.payments import PaymentProvider, ProviderResult, TestPaymentProvider
from hyperlocal.regions.models import Region
from hyperlocal.wallet.errors import InsufficientFunds
from hyperlocal.wallet.models import BenefitKind, Programme, Transfer, VoucherKind, VoucherPurchase, Wallet
from hyperlocal.wallet.services import check_ledger
from hyperlocal.wallet.services.accounts import balance
from hyperlocal.wallet.services.caps import CASHBACK, PURCHASE, cap_account
from hyperlocal.wallet.services.programmes import open_programme
from hyperlocal.wallet.services.purchases import buy_vouchers
from hyperlocal.wallet.services.spending import pay_hold, pay_post
from hyperlocal.wallet.services.wallets import merchant_account_for, wallet_for
from tests.wallet.conftest import NOW
from tests.wallet.stateful_fixtures import new_merchant

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
THREADS = 32
JOIN_TIMEOUT_S = 120  # a thread still running then is stuck (a deadlock PostgreSQL missed)


def run_threads(work: Callable[[int], str]) -> list[str]:
    """Run work(0..31) in 32 threads started together; returns each one's outcome. Any
    exception is an outcome too (its class name), so that the caller sees every error."""
    outcomes: list[str] = [""] * THREADS
    start = threading.Barrier(THREADS)

    def client(n: int) -> None:
        try:
            start.wait()
            outcomes[n] = work(n)
        except BaseException as exc:
            outcomes[n] = f"{type(exc).__name__}: {exc}"
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN_TIMEOUT_S)
    assert not [t for t in threads if t.is_alive()], "threads still running: a deadlock?"
    return outcomes


class SlowCard(TestPaymentProvider):
    """The test provider, taking its time to authorise: every purchase of a race is still
    open when the others arrive."""

    def authorise(self, amount_won: int, *, token: str, reference_hint: str) -> ProviderResult:
        time.sleep(0.2)
        return super().authorise(amount_won, token=token, reference_hint=reference_hint)


def buy(
    user: User,
    programme: Programme,
    amount: int,
    request_id: str,
    *,
    now_us: int = 0,
    provider: PaymentProvider | None = None,
) -> int:
    with transaction.atomic():
        return buy_vouchers(
            user,
            programme,
            amount,
            request_id=request_id,
            payment_token="tok_test_ok",
            now=NOW + timedelta(microseconds=now_us),
            provider=provider,
        ).pk


def spend(wallet_id: int, merchant: Merchant, amount: int, transfer_id: str) -> None:
    """A payment as the checkout and the delivery make it: hold, then post, one transaction."""
    with transaction.atomic():
        wallet = Wallet.objects.select_related("programme", "account", "user").get(pk=wallet_id)
        account = merchant_account_for(wallet.programme, merchant, now=NOW)
        hold = pay_hold(wallet, account, amount, transfer_id=transfer_id, timeout=timedelta(hours=1), now=NOW)
        pay_post(wallet, hold.id, transfer_id=f"{transfer_id}/post", now=NOW)


def test_32_concurrent_spends_never_overdraw_the_wallet(programme: Programme, resident: User) -> None:
    buy(resident, programme, 100_000, "funds")
    wallet = wallet_for(resident, programme, VoucherKind.BOUGHT, now=NOW)
    merchant = new_merchant()
    merchant_account_for(programme, merchant, now=NOW)

    def pay(n: int) -> str:
        try:
            spend(wallet.pk, merchant, 7_000, f"pay-{n}")  # 100,000 // 7,000: 14 can
        except InsufficientFunds:
            return "refused"
        return "paid"

    outcomes = run_threads(pay)
    assert sorted(set(outcomes)) == ["paid", "refused"], outcomes
    assert outcomes.count("paid") == 100_000 // 7_000
    left = balance(wallet.account)
    assert (left.available, left.debits_pending) == (100_000 - 14 * 7_000, 0)
    assert check_ledger() == []


def test_32_concurrent_purchases_never_exceed_the_monthly_cap(programme: Programme, resident: User) -> None:
    """Cold: the wallet and the month's cap account are opened by the racing purchases."""

    def purchase(n: int) -> str:
        try:
            buy(resident, programme, 50_000, f"buy-{n}", now_us=n)  # 700,000 // 50,000: 14 can
        except Conflict as exc:
            return exc.code
        return "bought"

    outcomes = run_threads(purchase)
    assert sorted(set(outcomes)) == ["bought", "monthly_cap_reached"], outcomes
    assert outcomes.count("bought") == 700_000 // 50_000
    wallet = Wallet.objects.get(user=resident, programme=programme, kind=VoucherKind.BOUGHT)
    assert VoucherPurchase.objects.filter(wallet=wallet).aggregate(s=Sum("cap_counted_won"))["s"] == 700_000
    assert balance(wallet.account).available == 700_000
    assert balance(cap_account(programme, resident, PURCHASE, now=NOW)).available == 0
    assert check_ledger() == []


@pytest.mark.parametrize("same_instant", [False, True])
def test_32_concurrent_repeats_of_one_purchase_make_one(
    programme: Programme, resident: User, same_instant: bool
) -> None:
    """The same request id from 32 clients at once, each at its own instant or (a pinned
    clock) all at the same one; the wallet and the cap account exist, and the card takes its
    time, so that the repeats really overlap."""
    buy(resident, programme, 10_000, "before")
    outcomes = run_threads(
        lambda n: str(
            buy(
                resident,
                programme,
                50_000,
                "the-same",
                now_us=0 if same_instant else n + 1,
                provider=SlowCard(),
            )
        )
    )
    assert len(set(outcomes)) == 1, outcomes
    assert outcomes[0].isdigit(), outcomes
    wallet = Wallet.objects.get(user=resident, programme=programme, kind=VoucherKind.BOUGHT)
    assert VoucherPurchase.objects.filter(wallet=wallet, request_id="the-same").get().pk == int(outcomes[0])
    assert balance(wallet.account).available == 60_000
    assert balance(cap_account(programme, resident, PURCHASE, now=NOW)).debits_posted == 60_000
    assert check_ledger() == []


@pytest.fixture
def cashback_programme(mapo: Region) -> Programme:
    """10 % cashback on every payment, at most 5,000 won a month per person."""
    with transaction.atomic():
        return open_programme(
            code="mapo-cashback",
            name_ko="마포 캐시백",
            region=mapo,
            benefit=BenefitKind.CASHBACK,
            monthly_purchase_cap_won=700_000,
            benefit_bp=1000,
            monthly_cashback_cap_won=5_000,
            now=NOW,
        )


def test_concurrent_cashback_stays_within_the_monthly_cap(
    cashback_programme: Programme, resident: User
) -> None:
    buy(resident, cashback_programme, 400_000, "funds")
    wallet = wallet_for(resident, cashback_programme, VoucherKind.BOUGHT, now=NOW)
    merchant = new_merchant()
    merchant_account_for(cashback_programme, merchant, now=NOW)

    def pay(n: int) -> str:
        spend(wallet.pk, merchant, 10_000, f"pay-{n}")  # 1,000 won cashback asked by each
        return "paid"

    outcomes = run_threads(pay)
    assert outcomes == ["paid"] * THREADS, outcomes
    given = Transfer.objects.filter(kind="cashback", credit_account=wallet.account).aggregate(s=Sum("amount"))
    assert given["s"] == 5_000
    cap = cap_account(cashback_programme, resident, CASHBACK, now=NOW)
    assert balance(cap).available == 0
    assert balance(wallet.account).available == 400_000 - THREADS * 10_000 + 5_000
    assert check_ledger() == []
