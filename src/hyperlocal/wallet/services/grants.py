"""Policy-issued vouchers: a programme grants an amount to a list of residents (a batch)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from hyperlocal.accounts.models import User
from hyperlocal.errors import Conflict, InvalidInput
from hyperlocal.wallet.programmes import Programme, VoucherGrant, VoucherKind
from hyperlocal.wallet.services.clean import clean_amount, clean_id, clean_now
from hyperlocal.wallet.services.ledger import transfer
from hyperlocal.wallet.services.purchases import add_months
from hyperlocal.wallet.services.wallets import wallet_for

MAX_BATCH = 100_000
BATCH_MAX_LENGTH = 60  # VoucherGrant.batch


def grant_vouchers(
    programme: Programme,
    user_ids: Sequence[int],
    face_won: int,
    *,
    batch: str,
    granted_by: User | None,
    now: datetime,
) -> int:
    """Grant `face_won` of policy-issued vouchers to each listed resident, from the programme's
    budget. Idempotent per (resident, batch): running a batch again grants nobody twice; the
    same batch with another amount is a Conflict (409). Returns how many residents received
    vouchers now."""
    clean_now(now)
    batch = clean_id(batch, field="batch")
    if len(batch) > BATCH_MAX_LENGTH:
        raise InvalidInput(f"batch is at most {BATCH_MAX_LENGTH} characters", field="batch")
    amount = clean_amount(face_won, field="face_won")
    ids = sorted(set(user_ids))
    if not ids or len(ids) > MAX_BATCH:
        raise InvalidInput(f"a grant lists 1 to {MAX_BATCH} residents", field="user_ids")
    users = list(User.objects.filter(pk__in=ids, is_active=True))
    missing = set(ids) - {u.pk for u in users}
    if missing:
        raise InvalidInput(
            f"no active user with id {', '.join(map(str, sorted(missing)[:10]))}", field="user_ids"
        )
    granted = 0
    with transaction.atomic():
        for user in users:
            wallet = wallet_for(user, programme, VoucherKind.POLICY, now=now)
            given = (
                VoucherGrant.objects.filter(wallet=wallet, batch=batch)
                .values_list("face_won", flat=True)
                .first()
            )
            if given is not None:
                if given != amount:
                    raise Conflict(
                        f"batch {batch!r} granted {given:,} won each; a new amount needs a new batch name",
                        field="batch",
                        code="grant_batch_reused",
                    )
                continue
            transfer(
                f"grant/{programme.code}/{batch}/{user.pk}",
                programme.budget_account,
                wallet.account,
                amount,
                kind="grant",
                now=now,
            )
            # A concurrent run of the batch got the same transfer back (same id): its row wins.
            VoucherGrant.objects.bulk_create(
                [
                    VoucherGrant(
                        wallet=wallet,
                        batch=batch,
                        face_won=amount,
                        granted_by=granted_by,
                        granted_at=now,
                        expires_at=add_months(now, programme.validity_months),
                    )
                ],
                ignore_conflicts=True,
            )
            granted += 1
    return granted
