"""`hyperlocal import_population FILE --source NAME`: a population grid, the whole file or nothing."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from hyperlocal.commands import run_import
from hyperlocal.planning.imports import POPULATION_HELP, import_population_grid


class Command(BaseCommand):
    help = "Import a population grid from CSV. " + POPULATION_HELP

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, help="data set and vintage, e.g. 'SGIS grid 2024'")

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["source"]
        report = run_import(
            options["file"], lambda data, name: import_population_grid(data, name, source=source)
        )
        self.stdout.write(self.style.SUCCESS(str(report)))
