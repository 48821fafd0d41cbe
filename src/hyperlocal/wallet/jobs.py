"""The wallet's periodic jobs, run by `hyperlocal worker` (see settings.PERIODIC_JOBS)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from hyperlocal.wallet.programmes import Programme
from hyperlocal.wallet.services.settlement import default_run_id, run_settlement, settlement_due
from hyperlocal.worker.periodic import owns_transactions

log = logging.getLogger(__name__)


@owns_transactions
def settle_due_programmes() -> int:
    """A settlement run for every active programme whose settlement is due (run id
    "<code>/<local date>", so that a second worker or a retry the same day repeats nothing).
    Each programme settles in its own transaction: one that fails is logged and retried at
    the next interval, and spares the others. Returns how many programmes were settled."""
    now = timezone.now()
    settled = 0
    for programme in Programme.objects.filter(is_active=True).order_by("pk"):
        try:
            with transaction.atomic():
                if not settlement_due(programme, now):
                    continue
                run_settlement(programme, run_id=default_run_id(programme, now), now=now)
        except Exception:
            log.exception("settlement of programme %s failed", programme.code)
            continue
        settled += 1
    return settled


@owns_transactions
def expire_due_vouchers() -> int:
    """Sweep expired vouchers out of every wallet and release timed-out checkout holds; how
    many wallets lost expired vouchers."""
    from hyperlocal.wallet.services.expiry import expire_vouchers

    return expire_vouchers(now=timezone.now())
