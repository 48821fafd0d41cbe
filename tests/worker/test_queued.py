"""A worker that stops while a queued job still runs after its wait: the domains' stop hooks
(settings.QUEUED_JOBS_ON_STOP) mark what was left running as failed, and the worker says so."""

from __future__ import annotations

import os
import signal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from hyperlocal.worker import queued
from hyperlocal.worker.management.commands import worker as worker_command

CALLED: list[str] = []


def hook_that_acts() -> str:
    CALLED.append("acts")
    return "1 running site plan(s) marked failed"


def hook_with_nothing_to_do() -> str:
    CALLED.append("quiet")
    return ""


def broken_hook() -> str:
    CALLED.append("broken")
    raise RuntimeError("hook exploded")


HOOKS = [f"{__name__}.{name}" for name in ("broken_hook", "hook_with_nothing_to_do", "hook_that_acts")]


def test_the_stop_hooks_all_run_even_after_one_fails(settings: Any) -> None:
    CALLED.clear()
    settings.QUEUED_JOBS_ON_STOP = HOOKS
    assert queued.abandon_running_jobs() == "1 running site plan(s) marked failed"
    assert CALLED == ["broken", "quiet", "acts"]


def test_site_plans_are_among_the_hooks(settings: Any) -> None:
    assert "hyperlocal.planning.services.plans.abandon_running_plans" in settings.QUEUED_JOBS_ON_STOP


class StuckJobs:
    """A queued-jobs thread whose job is still running when the wait ends."""

    def __init__(self, alias: str, **kwargs: Any) -> None:
        self.alias = alias

    def start(self) -> None:
        pass

    running_job = True

    def stop(self, *, wait_s: float = 30.0) -> bool:
        return False


def test_a_worker_stopped_with_a_job_still_running_runs_the_hooks(
    db: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    CALLED.clear()
    settings.QUEUED_JOBS_ON_STOP = HOOKS
    settings.PERIODIC_JOBS = []
    monkeypatch.setattr(worker_command, "database_backend_alias", lambda: "default")
    monkeypatch.setattr(worker_command, "QueuedJobsThread", StuckJobs)

    def terminate(jobs: Any) -> list[str]:
        os.kill(os.getpid(), signal.SIGTERM)  # as `kill` would: the handler sets the stop flag
        return []

    monkeypatch.setattr(worker_command, "run_due", terminate)
    handlers = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    out = StringIO()
    try:
        call_command("worker", stdout=out)
    finally:
        signal.signal(signal.SIGTERM, handlers[0])
        signal.signal(signal.SIGINT, handlers[1])
    text = out.getvalue()
    assert "waiting for the queued job that is running" in text
    assert "a queued job was still running: 1 running site plan(s) marked failed" in text
    assert CALLED == ["broken", "quiet", "acts"]
    assert text.rstrip().endswith("worker stopped")
