"""`hyperlocal worker`: the long-running process for periodic work (expired cart holds, dispatch
rounds, voucher expiry...) and for queued jobs (site plans) when they are queued in the
database (django-tasks-db): those run in a thread beside the periodic jobs."""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from hyperlocal.worker.periodic import configured_jobs, run_due, seconds_until_next
from hyperlocal.worker.queued import (
    QueuedJobsThread,
    abandon_running_jobs,
    database_backend_alias,
    run_ready_jobs,
)


class Command(BaseCommand):
    help = (
        "Run periodic jobs (settings.PERIODIC_JOBS) and queued jobs (settings.TASKS, database "
        "backend) until stopped; --once runs each periodic job once and the queued jobs ready now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run every job once and exit")
        parser.add_argument(
            "--no-queued-jobs",
            action="store_true",
            help="run the periodic jobs only (queued jobs are run by another worker)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = configured_jobs()
        alias = None if options["no_queued_jobs"] else database_backend_alias()
        if options["once"]:
            ran = run_due(jobs)
            queued = run_ready_jobs() if alias else 0
            self.stdout.write(f"ran {len(ran)} of {len(jobs)} jobs and {queued} queued jobs")
            return
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        queued_jobs = QueuedJobsThread(alias) if alias else None
        if queued_jobs is not None:
            queued_jobs.start()
        what = "and queued jobs" if queued_jobs else "(queued jobs run elsewhere)"
        self.stdout.write(f"worker: {len(jobs)} periodic jobs {what}; Ctrl-C stops")
        try:
            while not stopping:
                # A long-lived process must drop connections the database has closed meanwhile.
                close_old_connections()
                run_due(jobs)
                # Sleep in short steps so that a stop signal is honoured within a second.
                deadline = time.monotonic() + seconds_until_next(jobs)
                while not stopping and time.monotonic() < deadline:
                    time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
        finally:
            if queued_jobs is not None:
                if queued_jobs.running_job:
                    self.stdout.write("worker: waiting for the queued job that is running")
                if not queued_jobs.stop(wait_s=settings.QUEUED_JOBS_STOP_WAIT_S):
                    said = abandon_running_jobs()
                    self.stdout.write(f"worker: a queued job was still running{': ' + said if said else ''}")
        self.stdout.write("worker stopped")
