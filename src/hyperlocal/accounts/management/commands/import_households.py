"""`hyperlocal import_households FILE`: households from CSV, the whole file or nothing."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from hyperlocal.accounts.imports import COLUMNS_HELP, import_households
from hyperlocal.commands import run_import


class Command(BaseCommand):
    help = "Import households from a CSV file. " + COLUMNS_HELP

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        report = run_import(path, import_households, self.stderr)
        self.stdout.write(self.style.SUCCESS(str(report)))
