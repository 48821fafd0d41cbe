"""`hyperlocal dispatch`: dispatch rounds for one or more hubs, once or every N seconds."""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, transaction

from hyperlocal.dispatch.services import rounds
from hyperlocal.errors import DomainError
from hyperlocal.hubs.models import Hub


class Command(BaseCommand):
    help = "Run dispatch rounds for the given hubs (default: every open hub), once or every N seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hub", action="append", default=[], metavar="SLUG", help="a hub (repeatable)")
        parser.add_argument("--once", action="store_true", help="one round per hub, then exit")
        parser.add_argument("--every", type=float, default=None, metavar="N", help="seconds between rounds")
        parser.add_argument("--strategy", choices=["greedy", "optimised"], default=None)

    def _hubs(self, slugs: list[str]) -> list[Hub]:
        if not slugs:
            return list(Hub.objects.filter(status=Hub.Status.OPEN).order_by("pk"))
        hubs = {h.slug: h for h in Hub.objects.filter(slug__in=slugs)}
        missing = [s for s in slugs if s not in hubs]
        if missing:
            raise CommandError(f"no hub with the slug {', '.join(missing)}")
        return [hubs[s] for s in dict.fromkeys(slugs)]

    def _round(self, hubs: list[Hub], strategy: str | None) -> None:
        for hub in hubs:
            try:
                with transaction.atomic():
                    outcome = rounds.run_round(hub, strategy=strategy)
            except DomainError as exc:
                self.stderr.write(f"{hub.slug}: {exc.message}")
                continue
            r = outcome.round
            self.stdout.write(
                f"{hub.slug}: {r.strategy} {r.shipments} open, {r.couriers} couriers -> "
                f"{r.assigned} assigned, {r.waiting} waiting, {r.late} late ({r.seconds:.2f} s)"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every is not None and every <= 0:
            raise CommandError("--every must be a positive number of seconds")
        if options["once"] == (every is not None):
            raise CommandError("give either --once or --every N")
        hubs = self._hubs(options["hub"])
        if options["once"]:
            self._round(hubs, options["strategy"])
            return
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            close_old_connections()
            self._round(hubs, options["strategy"])
            deadline = time.monotonic() + float(every)
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
