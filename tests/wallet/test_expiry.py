"""Expiry: vouchers leave the wallet at their validity's end, oldest first; never spent after."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import RevenueBand
from hyperlocal.wallet.errors import InsufficientFunds
from hyperlocal.wallet.models import Programme, VoucherKind
from hyperlocal.wallet.services import check_ledger
from hyperlocal.wallet.services.accounts import balance
from hyperlocal.wallet.services.expiry import expire_vouchers
from hyperlocal.wallet.services.purchases import add_months, buy_vouchers
from hyperlocal.wallet.services.spending import pay_hold, pay_post
from hyperlocal.wallet.services.wallets import Lot, merchant_account_for, remaining_by_expiry, wallet_for
from tests.factories import MerchantFactory
from tests.wallet.conftest import NOW


def test_remaining_by_expiry_spends_soonest_first() -> None:
    a, b = NOW, NOW + timedelta(days=30)
    lots = [Lot(NOW, a, 100), Lot(NOW, b, 50)]
    assert remaining_by_expiry(lots, 0) == [(a, 100), (b, 50)]
    assert remaining_by_expiry(lots, 120) == [(b, 30)]
    assert remaining_by_expiry(lots, 150) == []


def test_expired_vouchers_are_swept_and_cannot_be_spent(programme: Programme, resident: User) -> None:
    with transaction.atomic():
        buy_vouchers(resident, programme, 100_000, request_id="old", payment_token="tok_test_ok", now=NOW)
    later = NOW + timedelta(days=200)
    with transaction.atomic():
        buy_vouchers(resident, programme, 50_000, request_id="new", payment_token="tok_test_ok", now=later)
    wallet = wallet_for(resident, programme, VoucherKind.BOUGHT, now=NOW)
    merchant = MerchantFactory(revenue_band=RevenueBand.UNDER_300M)
    with transaction.atomic():
        account = merchant_account_for(programme, merchant, now=later)
        hold = pay_hold(wallet, account, 30_000, transfer_id="p1", timeout=timedelta(hours=1), now=later)
        pay_post(wallet, hold.id, transfer_id="p1/post", now=later)
    expiry = add_months(NOW, 60) + timedelta(seconds=1)
    # 30,000 of the first lot were spent: 70,000 won expire, 50,000 stay.
    with pytest.raises(InsufficientFunds), transaction.atomic():
        pay_hold(wallet, account, 60_000, transfer_id="p2", timeout=timedelta(hours=1), now=expiry)
    # The refused spend rolled back with its sweep; the expiry job sweeps the wallet.
    with transaction.atomic():
        assert expire_vouchers(now=expiry) == 1
        assert expire_vouchers(now=expiry) == 0
    assert balance(wallet.account).available == 50_000
    assert balance(programme.float_account).net == 70_000
    assert check_ledger() == []
