"""Settlement runs: every merchant receivable of a programme paid out net of the fee.

For each receivable whose posted balance (credits posted minus debits posted) is positive, a
run moves the fee to the programme's fees account (kind "settlement_fee") and the rest to its
cash account (kind "payout", what the bank transfer pays the merchant), and records a
SettlementPayout next to the transfers. Pending holds are not settled: only posted money is.
A receivable below zero (a payment refunded after it was settled) is left for the next run,
which nets it against new sales, and is reported (`carried_over`).

Idempotent by run id: a repeat returns the existing Settlement and writes nothing; a run id
used by another programme is a Conflict (409). Runs of one programme are serialised by a lock
on the programme row, and the receivables' shard rows are locked while a run reads and pays
them, so that the balances, the payment counts and the payouts agree with each other.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.errors import Conflict, InvalidInput, NotFound
from hyperlocal.wallet.models import AccountShard, Transfer, TransferState
from hyperlocal.wallet.programmes import MerchantAccount, Programme, Settlement, SettlementPayout
from hyperlocal.wallet.services.clean import clean_id, clean_now
from hyperlocal.wallet.services.ledger import transfer
from hyperlocal.wallet.services.money import share_of

log = logging.getLogger(__name__)

# Transfer ids are f"{run_id}/payout/{merchant_id}" and the ledger takes at most 100 characters.
RUN_ID_MAX_LENGTH = 64
PAYMENT = "payment"
FEE = "settlement_fee"
PAYOUT = "payout"
POSTED_STATES = (TransferState.POSTED, TransferState.POSTING)


@dataclass(frozen=True)
class CarriedOver:
    """A receivable below zero, left for the next run to net against new sales."""

    merchant_id: int
    merchant_name: str
    balance_won: int


def clean_run_id(run_id: object) -> str:
    value = clean_id(run_id, field="run_id")
    if len(value) > RUN_ID_MAX_LENGTH:
        raise InvalidInput(
            f"run_id is at most {RUN_ID_MAX_LENGTH} characters, got {len(value)}",
            field="run_id",
            code="invalid_id",
        )
    return value


def default_run_id(programme: Programme, now: datetime) -> str:
    """One run per programme and local day: "<code>/<YYYY-MM-DD>" (the job's and the command's)."""
    return f"{programme.code}/{timezone.localdate(now).isoformat()}"


def last_settlement(programme: Programme) -> Settlement | None:
    return Settlement.objects.filter(programme=programme).order_by("-period_end", "-pk").first()


def settlement_due(programme: Programme, now: datetime) -> bool:
    """True when the programme was never settled, or its last run was at least
    `settlement_every_days` local days before `now` (by calendar day in the local zone, so that
    a daily run is due every day whatever the hour the worker gets to it)."""
    clean_now(now)
    last = last_settlement(programme)
    if last is None:
        return True
    days = (timezone.localdate(now) - timezone.localdate(last.period_end)).days
    return days >= programme.settlement_every_days


def _lock_programme(programme: Programme) -> None:
    locked = Programme.objects.select_for_update().filter(pk=programme.pk).values_list("pk", flat=True)
    if not list(locked):
        raise NotFound(
            f"no voucher programme {programme.code!r}", field="programme", code="programme_not_found"
        )


def _positions(programme: Programme) -> list[tuple[MerchantAccount, int]]:
    """Every receivable of the programme and its posted balance, its shard rows locked (in
    the ledger's (account, shard) order) until the run commits."""
    accounts = {
        ma.account_id: ma
        for ma in MerchantAccount.objects.filter(programme=programme).select_related("merchant", "account")
    }
    shards = (
        AccountShard.objects.select_for_update(of=("self",))
        .filter(account_id__in=list(accounts))
        .order_by("account_id", "shard_no")
        .values_list("account_id", "credits_posted", "debits_posted")
    )
    net: dict[int, int] = defaultdict(int)
    for account_id, credits, debits in shards:
        net[account_id] += credits - debits
    return sorted(((accounts[a], won) for a, won in net.items()), key=lambda p: p[0].merchant_id)


def _payments_since(programme: Programme, since: datetime | None) -> dict[int, int]:
    """Posted payments credited to each receivable (by account id) after `since`."""
    payments = Transfer.objects.filter(
        credit_account__merchant__programme=programme, kind=PAYMENT, state__in=POSTED_STATES
    )
    if since is not None:
        payments = payments.filter(created_at__gt=since)
    rows = payments.values("credit_account_id").annotate(n=Count("id")).values_list("credit_account_id", "n")
    return dict(rows)


def _existing(run_id: str, programme: Programme) -> Settlement | None:
    existing = Settlement.objects.filter(run_id=run_id).first()
    if existing is not None and existing.programme_id != programme.pk:
        raise Conflict(
            f"settlement run id {run_id!r} was used for another programme; use a new id",
            field="run_id",
            code="run_id_reused",
        )
    return existing


def run_settlement(
    programme: Programme, *, run_id: str, now: datetime, created_by: User | None = None
) -> Settlement:
    """Pay every receivable of `programme` with a positive posted balance, net of
    `settlement_fee_bp` (rounded half up to the won). Runs in the caller's transaction (its
    writes in a savepoint: a refusal leaves nothing). Returns the Settlement (the existing
    one on a repeat of `run_id`)."""
    run_id = clean_run_id(run_id)
    clean_now(now)
    with transaction.atomic():
        _lock_programme(programme)
        existing = _existing(run_id, programme)
        if existing is not None:
            return existing
        previous = last_settlement(programme)
        positions = _positions(programme)
        counts = _payments_since(programme, previous.period_end if previous else None)
        try:
            with transaction.atomic():
                settlement = Settlement.objects.create(
                    programme=programme, run_id=run_id, period_end=now, created_at=now, created_by=created_by
                )
        except IntegrityError:  # a concurrent run of another programme took the id first
            _existing(run_id, programme)
            raise Conflict(
                f"settlement run id {run_id!r} is in use", field="run_id", code="run_id_reused"
            ) from None
        payouts = []
        for ma, gross in positions:
            if gross <= 0:
                continue
            fee = share_of(gross, programme.settlement_fee_bp)
            net = gross - fee
            if fee:
                transfer(
                    f"{run_id}/fee/{ma.merchant_id}",
                    ma.account,
                    programme.fees_account,
                    fee,
                    kind=FEE,
                    now=now,
                )
            if net:
                transfer(
                    f"{run_id}/payout/{ma.merchant_id}",
                    ma.account,
                    programme.cash_account,
                    net,
                    kind=PAYOUT,
                    now=now,
                )
            payouts.append(
                SettlementPayout(
                    settlement=settlement,
                    merchant_id=ma.merchant_id,
                    merchant_account=ma,
                    gross_won=gross,
                    fee_won=fee,
                    net_won=net,
                    payments=counts.get(ma.account_id, 0),
                )
            )
        SettlementPayout.objects.bulk_create(payouts)
        settlement.gross_won = sum(p.gross_won for p in payouts)
        settlement.fee_won = sum(p.fee_won for p in payouts)
        settlement.net_won = sum(p.net_won for p in payouts)
        settlement.save(update_fields=["gross_won", "fee_won", "net_won"])
    for ma, won in positions:
        if won < 0:
            log.warning(
                "settlement %s: %s owes %s won (refunds after settlement); left for the next run",
                run_id,
                ma.merchant,
                -won,
            )
    return settlement


def carried_over(programme: Programme) -> list[CarriedOver]:
    """Receivables of the programme below zero now (a refund after their sales were settled):
    the next run nets them. One query."""
    rows = (
        MerchantAccount.objects.filter(programme=programme)
        .values("merchant_id", "merchant__name")
        .annotate(
            won=Coalesce(Sum("account__shard_rows__credits_posted"), 0)
            - Coalesce(Sum("account__shard_rows__debits_posted"), 0)
        )
        .filter(won__lt=0)
        .order_by("merchant_id")
    )
    return [CarriedOver(r["merchant_id"], r["merchant__name"], r["won"]) for r in rows]
