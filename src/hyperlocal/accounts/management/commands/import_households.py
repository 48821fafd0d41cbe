"""`hyperlocal import_households FILE`: households from CSV, the whole file or nothing."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hyperlocal.accounts.imports import COLUMNS_HELP, import_households
from hyperlocal.imports import ImportFailed


class Command(BaseCommand):
    help = "Import households from a CSV file. " + COLUMNS_HELP

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        try:
            with transaction.atomic():
                report = import_households(data, path.name)
        except ImportFailed as exc:
            rows = "\n".join(f"  {e}" for e in exc.errors)
            raise CommandError(f"nothing was imported: {len(exc.errors)} bad row(s):\n{rows}") from None
        self.stdout.write(self.style.SUCCESS(str(report)))
