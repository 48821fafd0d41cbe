"""Dispatch's periodic jobs, run by `hyperlocal worker` (see settings.PERIODIC_JOBS)."""

from __future__ import annotations

from django.conf import settings

from hyperlocal.dispatch.services import autopilot, rota, rounds
from hyperlocal.worker.periodic import owns_transactions


@owns_transactions
def run_dispatch_rounds() -> int:
    """A dispatch round for every open hub with work; how many shipments got a courier. Each
    round reads and solves outside any transaction and writes in its own."""
    return rounds.run_due_rounds()


def advance_simulated_couriers() -> int:
    """The demo's simulated couriers move on to now; how many moves they made."""
    return autopilot.advance()


def pick_waiting_shipments() -> int:
    """The demo's simulated pickers pack what nobody started; how many shipments were packed."""
    return autopilot.pick_waiting(after_minutes=settings.DISPATCH_AUTOPICK_AFTER_MIN)


def roll_demo_rota() -> int:
    """The demo's couriers keep shifts for today and tomorrow; how many shifts were planned."""
    return rota.roll_rota()
