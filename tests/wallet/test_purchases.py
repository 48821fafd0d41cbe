"""Buying vouchers: price, cap, idempotency, declines (tables unchanged on every refusal)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from hyperlocal.accounts.models import User
from hyperlocal.errors import Conflict, InvalidInput
from hyperlocal.orders.errors import PaymentDeclined
from hyperlocal.wallet.errors import TransferIdReused
from hyperlocal.wallet.models import Programme, VoucherKind, VoucherPurchase
from hyperlocal.wallet.services import check_ledger
from hyperlocal.wallet.services.accounts import balance
from hyperlocal.wallet.services.purchases import add_months, buy_vouchers
from hyperlocal.wallet.services.wallets import wallet_for
from tests.wallet.conftest import NOW, tables


def buy(
    user: User, programme: Programme, amount: int, request_id: str = "r1", token: str = "tok_test_ok"
) -> VoucherPurchase:
    with transaction.atomic():
        return buy_vouchers(user, programme, amount, request_id=request_id, payment_token=token, now=NOW)


def test_discount_purchase_pays_less_and_credits_face_value(programme: Programme, resident: User) -> None:
    p = buy(resident, programme, 100_000)
    assert (p.face_won, p.paid_won, p.benefit_won) == (100_000, 90_000, 10_000)
    wallet = wallet_for(resident, programme, VoucherKind.BOUGHT, now=NOW)
    assert balance(wallet.account).available == 100_000
    assert balance(programme.cash_account).net == -90_000
    assert balance(programme.budget_account).net == -10_000
    assert p.expires_at == add_months(NOW, 60)
    assert check_ledger() == []


def test_repeat_returns_first_purchase_and_other_body_is_refused(
    programme: Programme, resident: User
) -> None:
    first = buy(resident, programme, 50_000)
    assert buy(resident, programme, 50_000).pk == first.pk
    before = tables()
    with pytest.raises(TransferIdReused):
        buy(resident, programme, 60_000)
    assert tables() == before


def test_monthly_cap_counts_every_purchase_of_the_month(programme: Programme, resident: User) -> None:
    buy(resident, programme, 500_000, "a")
    buy(resident, programme, 200_000, "b")
    before = tables()
    with pytest.raises(Conflict, match="allows 0 won more"):
        buy(resident, programme, 10_000, "c")
    assert tables() == before
    with transaction.atomic():  # next month the cap starts again
        buy_vouchers(
            resident,
            programme,
            10_000,
            request_id="d",
            payment_token="tok_test_ok",
            now=NOW + timedelta(days=31),
        )
    assert check_ledger() == []


@pytest.mark.parametrize(
    ("amount", "code"), [(0, "InvalidInput"), (15_000, "not_a_unit"), (800_000, "above_cap")]
)
def test_bad_amounts_are_422(programme: Programme, resident: User, amount: int, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        buy(resident, programme, amount)
    assert caught.value.code == code or code == "InvalidInput"


def test_declined_card_writes_nothing(programme: Programme, resident: User) -> None:
    wallet_for(resident, programme, VoucherKind.BOUGHT, now=NOW)
    buy(resident, programme, 10_000, "warm")  # the month's cap account exists
    before = tables()
    with pytest.raises(PaymentDeclined):
        buy(resident, programme, 10_000, "x", token="tok_test_decline")
    assert tables() == before
