"""check_ledger finds balances out of step with their transfers, and the command reports it."""

from __future__ import annotations

import pytest
from django.db import transaction

from hyperlocal.cli import main
from hyperlocal.wallet.models import AccountShard, LedgerAccount
from hyperlocal.wallet.services import check_ledger, transfer
from tests.wallet.conftest import NOW

pytestmark = pytest.mark.django_db


def test_sound_ledger_has_no_problems(
    funded: LedgerAccount, merchant: LedgerAccount, capsys: pytest.CaptureFixture[str]
) -> None:
    with transaction.atomic():
        transfer("p", funded, merchant, 10, kind="payment", pending=True, now=NOW)
    assert check_ledger() == []
    main(["check_ledger"])
    assert "the ledger balances" in capsys.readouterr().out


def test_a_tampered_shard_is_reported(
    funded: LedgerAccount, float_account: LedgerAccount, capsys: pytest.CaptureFixture[str]
) -> None:
    AccountShard.objects.filter(account=funded).update(credits_posted=10_500)
    problems = check_ledger()
    assert [(p.account, p.shard_no) for p in problems] == [("wallet:1", 0), ("", None)]
    assert "transfers give [0, 0, 0, 10000]" in problems[0].message
    assert "credits posted 10500" in problems[1].message
    with pytest.raises(SystemExit) as exited:
        main(["check_ledger"])
    assert exited.value.code == 1
    assert "wallet:1 shard 0: kept [0, 0, 0, 10500]" in capsys.readouterr().out


def test_a_missing_shard_row_is_reported(funded: LedgerAccount, float_account: LedgerAccount) -> None:
    AccountShard.objects.filter(account=float_account).exclude(debits_posted=0).delete()
    messages = [p.message for p in check_ledger()]
    assert any(m.startswith("no shard row for [0, 10000, 0, 0]") for m in messages)
    assert "15 shard rows, 16 expected" in messages
