"""`hyperlocal build_demo --seed N [--force] [--households N]`: the demo city of Mapo-gu."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from hyperlocal.errors import DomainError
from hyperlocal.simulation.demo import DEFAULT_HOUSEHOLDS, STEPS, build_demo, demo_summary
from hyperlocal.simulation.management.console import console_for, summary_table

DEFAULT_SEED = 20240601


class Command(BaseCommand):
    help = (
        "Build the deterministic demo city on Mapo-gu's real dongs: households, vacant spaces, "
        "hubs, merchants, products, couriers and demo logins. A re-run with the same seed reuses it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"default {DEFAULT_SEED}")
        parser.add_argument(
            "--households", type=int, default=DEFAULT_HOUSEHOLDS, help=f"default {DEFAULT_HOUSEHOLDS:,}"
        )
        parser.add_argument("--force", action="store_true", help="delete the demo city there is and rebuild")

    def handle(self, *args: Any, **options: Any) -> None:
        console = console_for(self.stdout)
        progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<45}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        task = progress.add_task("checking for a demo city", total=len(STEPS))

        def step(description: str) -> None:
            progress.update(task, description=description, completed=STEPS.index(description))

        try:
            with progress, transaction.atomic():
                outcome = build_demo(
                    seed=options["seed"],
                    households=options["households"],
                    force=options["force"],
                    progress=step,
                )
                progress.update(task, completed=len(STEPS))
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        build = outcome.build
        if outcome.reused:
            title = f"Reusing the demo city built {build.built_at:%Y-%m-%d %H:%M} (seed {build.seed})"
        else:
            title = f"Built the demo city for seed {build.seed} in {build.seconds:.1f} s"
        console.print(summary_table(demo_summary(), title=title))
