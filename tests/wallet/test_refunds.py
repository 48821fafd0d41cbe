"""The remainder refund: threshold, cash versus clawback split, who may ask, repeats."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import RevenueBand
from hyperlocal.errors import Conflict, InvalidInput, NotFound
from hyperlocal.wallet.models import Programme, VoucherKind, Wallet
from hyperlocal.wallet.services import check_ledger
from hyperlocal.wallet.services.accounts import balance
from hyperlocal.wallet.services.grants import grant_vouchers
from hyperlocal.wallet.services.purchases import buy_vouchers
from hyperlocal.wallet.services.refunds import refund_remainder
from hyperlocal.wallet.services.spending import pay_hold, pay_post
from hyperlocal.wallet.services.wallets import merchant_account_for, wallet_for
from tests.factories import MerchantFactory, UserFactory
from tests.wallet.conftest import NOW, tables


def spend(wallet: Wallet, amount: int, n: int) -> None:
    merchant = MerchantFactory(revenue_band=RevenueBand.UNDER_300M)
    with transaction.atomic():
        account = merchant_account_for(wallet.programme, merchant, now=NOW)
        hold = pay_hold(wallet, account, amount, transfer_id=f"pay{n}", timeout=timedelta(hours=2), now=NOW)
        pay_post(wallet, hold.id, transfer_id=f"pay{n}/post", now=NOW)


@pytest.fixture
def bought(programme: Programme, resident: User) -> Wallet:
    with transaction.atomic():
        buy_vouchers(resident, programme, 100_000, request_id="b", payment_token="tok_test_ok", now=NOW)
    return wallet_for(resident, programme, VoucherKind.BOUGHT, now=NOW)


def test_refund_below_threshold_is_refused_and_writes_nothing(bought: Wallet, resident: User) -> None:
    spend(bought, 59_000, 1)
    before = tables()
    with pytest.raises(InvalidInput, match=r"used 59\.0 %"):
        refund_remainder(resident, bought, request_id="r", now=NOW)
    assert tables() == before


def test_refund_pays_the_paid_share_and_claws_back_the_discount(bought: Wallet, resident: User) -> None:
    spend(bought, 60_000, 1)
    with transaction.atomic():
        refund = refund_remainder(resident, bought, request_id="r", now=NOW)
    assert (refund.remainder_won, refund.cash_won, refund.clawback_won, refund.used_bp) == (
        40_000,
        36_000,
        4_000,
        6000,
    )
    assert balance(bought.account).available == 0
    assert refund_remainder(resident, bought, request_id="r", now=NOW).pk == refund.pk
    with pytest.raises(Conflict, match="nothing left"):
        refund_remainder(resident, bought, request_id="r2", now=NOW)
    assert check_ledger() == []


def test_another_residents_wallet_is_not_found(bought: Wallet) -> None:
    with pytest.raises(NotFound):
        refund_remainder(UserFactory(), bought, request_id="r", now=NOW)


def test_policy_vouchers_are_not_refundable(programme: Programme, resident: User) -> None:
    with transaction.atomic():
        grant_vouchers(programme, [resident.pk], 50_000, batch="allowance-2025", granted_by=None, now=NOW)
    wallet = wallet_for(resident, programme, VoucherKind.POLICY, now=NOW)
    with pytest.raises(InvalidInput, match="policy-issued"):
        refund_remainder(resident, wallet, request_id="r", now=NOW)
