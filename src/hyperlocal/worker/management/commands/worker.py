"""`hyperlocal worker`: the long-running process for periodic work (expired cart holds now;
dispatch rounds and voucher expiry join it later)."""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from hyperlocal.worker.periodic import configured_jobs, run_due, seconds_until_next


class Command(BaseCommand):
    help = "Run periodic jobs (settings.PERIODIC_JOBS) until stopped; --once runs each job once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run every job once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = configured_jobs()
        if options["once"]:
            ran = run_due(jobs)
            self.stdout.write(f"ran {len(ran)} of {len(jobs)} jobs")
            return
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"worker: {len(jobs)} periodic jobs; Ctrl-C stops")
        while not stopping:
            # A long-lived process must drop connections the database has closed meanwhile.
            close_old_connections()
            run_due(jobs)
            # Sleep in short steps so that a stop signal is honoured within a second.
            deadline = time.monotonic() + seconds_until_next(jobs)
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
        self.stdout.write("worker stopped")
