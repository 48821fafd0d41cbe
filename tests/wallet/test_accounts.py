"""open_account and balance."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from hyperlocal.errors import InvalidInput, NotFound
from hyperlocal.wallet.errors import TransferIdReused
from hyperlocal.wallet.models import AccountKind, AccountShard, LedgerAccount
from hyperlocal.wallet.services import Balance, balance, open_account, transfer
from tests.wallet.conftest import NOW, tables

pytestmark = pytest.mark.django_db


def test_open_account_writes_its_shards_with_the_flags(wallet: LedgerAccount) -> None:
    rows = list(
        AccountShard.objects.filter(account=wallet).values_list("shard_no", "debits_must_not_exceed_credits")
    )
    assert rows == [(0, True)]


def test_open_account_is_idempotent_by_code(float_account: LedgerAccount) -> None:
    with transaction.atomic():
        again = open_account("float", AccountKind.PROGRAMME_FLOAT, shards=16, now=NOW)
    assert again.pk == float_account.pk
    assert AccountShard.objects.filter(account=float_account).count() == 16


def test_open_account_same_code_other_attributes_is_409(float_account: LedgerAccount) -> None:
    before = tables()
    with pytest.raises(TransferIdReused) as err, transaction.atomic():
        open_account("float", AccountKind.PROGRAMME_FLOAT, shards=8, now=NOW)
    assert err.value.status_code == 409
    assert err.value.code == "account_code_reused"
    assert tables() == before


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "piggy_bank"}, "kind"),
        ({"shards": 0}, "shards"),
        ({"shards": 65}, "shards"),
        ({"shards": 2, "debits_must_not_exceed_credits": True}, "shards"),
        (
            {"debits_must_not_exceed_credits": True, "credits_must_not_exceed_debits": True},
            "credits_must_not_exceed_debits",
        ),
        ({"code": ""}, "code"),
        ({"code": "expired/x"}, "code"),
    ],
)
def test_open_account_bad_input_is_422_and_writes_nothing(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"code": "acc", "kind": AccountKind.FEES, "now": NOW, **kwargs}
    with pytest.raises(InvalidInput) as err, transaction.atomic():
        open_account(**args)  # type: ignore[arg-type]
    assert err.value.field == field
    assert not LedgerAccount.objects.exists()


def test_database_refuses_a_sharded_account_with_a_limit(db: None) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.create(
            code="x",
            kind=AccountKind.RESIDENT_WALLET,
            debits_must_not_exceed_credits=True,
            shards=4,
            created_at=NOW,
        )


def test_database_refuses_a_shard_below_its_limit(wallet: LedgerAccount) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountShard.objects.filter(account=wallet).update(debits_posted=1)


def test_balance_sums_the_shards(funded: LedgerAccount, float_account: LedgerAccount) -> None:
    with transaction.atomic():
        for i in range(20):
            transfer(f"back-{i}", funded, float_account, 100, kind="refund", now=NOW)
    assert balance("float") == Balance(debits_posted=10_000, credits_posted=2_000)
    assert balance("float").net == -8_000
    assert AccountShard.objects.filter(account=float_account, credits_posted__gt=0).count() > 1
    assert balance(funded).available == 8_000


def test_balance_of_unknown_account_is_404(db: None) -> None:
    with pytest.raises(NotFound):
        balance("nobody")
