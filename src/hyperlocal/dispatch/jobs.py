"""Dispatch's periodic jobs, run by `hyperlocal worker` (see settings.PERIODIC_JOBS)."""

from __future__ import annotations

from hyperlocal.dispatch.services import autopilot, rounds


def run_dispatch_rounds() -> int:
    """A dispatch round for every open hub with work; how many shipments got a courier."""
    return rounds.run_due_rounds()


def advance_simulated_couriers() -> int:
    """The demo's simulated couriers move on to now; how many moves they made."""
    return autopilot.advance()
