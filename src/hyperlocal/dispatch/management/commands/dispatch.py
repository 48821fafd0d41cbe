"""`hyperlocal dispatch`: dispatch rounds for one or more hubs, once or every N seconds.

Each pass re-reads the hubs (a hub opened or closed meanwhile joins or leaves) and hands them
to the rounds service, which runs and writes each hub's round on its own (see
services.rounds: no outer transaction here, a failing hub spares the others)."""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from hyperlocal.dispatch.services import rounds
from hyperlocal.hubs.models import Hub


class Command(BaseCommand):
    help = "Run dispatch rounds for the given hubs (default: every open hub), once or every N seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hub", action="append", default=[], metavar="SLUG", help="a hub (repeatable)")
        parser.add_argument("--once", action="store_true", help="one round per hub, then exit")
        parser.add_argument("--every", type=float, default=None, metavar="N", help="seconds between rounds")
        parser.add_argument("--strategy", choices=["greedy", "optimised"], default=None)

    def _hubs(self, slugs: list[str]) -> list[Hub]:
        """The named hubs in the order given, else every open hub; read afresh each pass."""
        if not slugs:
            return list(Hub.objects.filter(status=Hub.Status.OPEN).order_by("pk"))
        hubs = {h.slug: h for h in Hub.objects.filter(slug__in=slugs)}
        return [hubs[s] for s in dict.fromkeys(slugs) if s in hubs]

    def _pass(self, slugs: list[str], strategy: str | None) -> None:
        for result in rounds.run_rounds(self._hubs(slugs), strategy=strategy):
            if result.outcome is None:
                self.stderr.write(f"{result.hub.slug}: {result.error}")
                continue
            r = result.outcome.round
            self.stdout.write(
                f"{result.hub.slug}: {r.strategy} {r.shipments} open, {r.couriers} couriers -> "
                f"{r.assigned} assigned, {r.waiting} waiting, {r.late} late ({r.seconds:.2f} s)"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every is not None and every <= 0:
            raise CommandError("--every must be a positive number of seconds")
        if options["once"] == (every is not None):
            raise CommandError("give either --once or --every N")
        slugs: list[str] = options["hub"]
        missing = sorted(set(slugs) - set(Hub.objects.filter(slug__in=slugs).values_list("slug", flat=True)))
        if missing:
            raise CommandError(f"no hub with the slug {', '.join(missing)}")
        if options["once"]:
            self._pass(slugs, options["strategy"])
            return
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            close_old_connections()
            self._pass(slugs, options["strategy"])
            deadline = time.monotonic() + float(every)
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
