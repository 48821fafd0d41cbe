"""Queued jobs (django-tasks) in the `hyperlocal worker` process.

When the default task backend is django-tasks-db's database backend, the worker runs its
queued jobs with that package's own worker loop (claim a ready job with a row lock, run it,
record the outcome) in a thread beside the periodic jobs, so that a long job (a site plan's
solver) never holds up a dispatch round. Another backend (a broker's) has its own workers:
then nothing runs here. Jobs know nothing of which backend runs them.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

log = logging.getLogger(__name__)

# After an unexpected error (the database gone for a moment), wait this long before polling again.
RESTART_AFTER_S = 5.0


def database_backend_alias(alias: str = DEFAULT_TASK_BACKEND_ALIAS) -> str | None:
    """The alias when that backend keeps its queue in the database (ours to run), else None."""
    try:
        backend = task_backends[alias]
    except Exception:  # not configured: nothing queued here
        return None
    return alias if isinstance(backend, DatabaseBackend) else None


def _worker(alias: str, *, interval: float, batch: bool, max_tasks: int | None = None) -> Worker:
    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name=alias,
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=f"hyperlocal-{get_random_string(16)}",
        excluded_queue_names=[],
    )


def abandon_running_jobs() -> str:
    """A stopping worker whose queued job still runs after the wait: each domain's hook
    (settings.QUEUED_JOBS_ON_STOP) marks what its jobs left running in this process as failed,
    so that nobody waits for a sweep. Returns what they said."""
    said = []
    for path in getattr(settings, "QUEUED_JOBS_ON_STOP", []):
        try:
            result = import_string(path)()
        except Exception:
            log.exception("the stop hook %s failed", path)
            continue
        if result:
            said.append(str(result))
    return "; ".join(said)


def run_ready_jobs(*, max_tasks: int | None = None) -> int:
    """Run the jobs ready now, one after another, then return how many ran (`worker --once`)."""
    alias = database_backend_alias()
    if alias is None:
        return 0
    worker = _worker(alias, interval=0.0, batch=True, max_tasks=max_tasks)
    worker.run()
    return worker._run_tasks


class QueuedJobsThread:
    """django-tasks-db's worker loop in a thread, restarted after an unexpected error, stopped
    between jobs (a job that is running is left to finish within `stop`'s wait)."""

    def __init__(self, alias: str, *, interval: float | None = None) -> None:
        self.alias = alias
        self.interval = settings.QUEUED_JOBS_POLL_S if interval is None else interval
        self._stopping = threading.Event()
        self._worker: Worker | None = None
        self._thread = threading.Thread(target=self._loop, name="queued-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _loop(self) -> None:
        try:
            while not self._stopping.is_set():
                self._worker = _worker(self.alias, interval=self.interval, batch=False)
                if self._stopping.is_set():
                    break
                try:
                    self._worker.run()
                except Exception:
                    log.exception("the queued-jobs loop failed; restarting in %ss", RESTART_AFTER_S)
                    close_old_connections()
                    self._stopping.wait(RESTART_AFTER_S)
        finally:
            connection.close()

    def stop(self, *, wait_s: float = 30.0) -> bool:
        """Ask the loop to stop after the job it runs (if any); True when it has stopped."""
        self._stopping.set()
        if self._worker is not None:
            self._worker.running = False
        deadline = time.monotonic() + wait_s
        while self._thread.is_alive() and time.monotonic() < deadline:
            if self._worker is not None:
                self._worker.running = False  # a worker made just before the flag was set
            self._thread.join(timeout=0.2)
        return not self._thread.is_alive()

    @property
    def running_job(self) -> bool:
        return bool(self._worker is not None and self._worker.running_task)
