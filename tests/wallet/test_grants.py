"""Policy grants: one per resident and batch; a batch reused with another amount is refused."""

from __future__ import annotations

import pytest
from django.db import transaction

from hyperlocal.accounts.models import User
from hyperlocal.errors import Conflict
from hyperlocal.wallet.models import Programme, VoucherKind
from hyperlocal.wallet.services.accounts import balance
from hyperlocal.wallet.services.grants import grant_vouchers
from hyperlocal.wallet.services.wallets import wallet_for
from tests.wallet.conftest import NOW, tables


def test_a_grant_batch_reused_with_another_amount_is_409(programme: Programme, resident: User) -> None:
    with transaction.atomic():
        assert grant_vouchers(programme, [resident.pk], 50_000, batch="b1", granted_by=None, now=NOW) == 1
        assert grant_vouchers(programme, [resident.pk], 50_000, batch="b1", granted_by=None, now=NOW) == 0
    before = tables()
    with pytest.raises(Conflict, match="new batch name"):
        grant_vouchers(programme, [resident.pk], 60_000, batch="b1", granted_by=None, now=NOW)
    assert tables() == before
    assert balance(wallet_for(resident, programme, VoucherKind.POLICY, now=NOW).account).available == 50_000
