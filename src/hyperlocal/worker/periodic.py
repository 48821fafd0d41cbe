"""Periodic jobs that the `hyperlocal worker` process runs: each is a plain function named by
its dotted path in settings.PERIODIC_JOBS with an interval in seconds. A domain exposes the
function; the worker knows nothing about what it does."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


@dataclass
class PeriodicJob:
    name: str
    interval_s: float
    run: Callable[[], object]
    due_at: float = field(default=0.0)


def configured_jobs() -> list[PeriodicJob]:
    return [
        PeriodicJob(name=path, interval_s=float(interval), run=import_string(path))
        for path, interval in settings.PERIODIC_JOBS
    ]


def owns_transactions(run: Callable[[], object]) -> Callable[[], object]:
    """Mark a job that opens its own transactions (say, slow reads and a solver first, then a
    short write): the worker then runs it outside the transaction it wraps other jobs in, so
    that no lock is held while it thinks (on SQLite, the database's write lock)."""
    run.owns_transactions = True  # type: ignore[attr-defined]
    return run


def run_due(jobs: Sequence[PeriodicJob], *, clock: Callable[[], float] = time.monotonic) -> list[str]:
    """Run every job that is due, each in its own transaction (unless it owns_transactions);
    a failing job is logged and retried at its next interval, so that one broken job never
    stops the others."""
    ran = []
    for job in jobs:
        now = clock()
        if now < job.due_at:
            continue
        job.due_at = now + job.interval_s
        try:
            if getattr(job.run, "owns_transactions", False):
                result = job.run()
            else:
                with transaction.atomic():
                    result = job.run()
        except Exception:
            log.exception("periodic job %s failed", job.name)
            continue
        # Quiet when there was nothing to do; a job returns something truthy when it acted.
        if result:
            log.info("periodic job %s: %s", job.name, result)
        ran.append(job.name)
    return ran


def seconds_until_next(jobs: Sequence[PeriodicJob], *, clock: Callable[[], float] = time.monotonic) -> float:
    if not jobs:
        return 60.0
    return max(0.0, min(job.due_at for job in jobs) - clock())
