"""`hyperlocal import_hubs FILE`: hubs from CSV or GeoJSON, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hyperlocal.commands import run_import
from hyperlocal.hubs.imports import HELP, import_hubs


class Command(BaseCommand):
    help = "Import hubs from a CSV or GeoJSON file. " + HELP

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        report = run_import(path, import_hubs, self.stderr)
        self.stdout.write(self.style.SUCCESS(str(report)))
