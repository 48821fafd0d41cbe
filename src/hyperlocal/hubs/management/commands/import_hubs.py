"""`hyperlocal import_hubs FILE`: hubs from CSV or GeoJSON, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from hyperlocal.errors import DomainError
from hyperlocal.hubs.imports import HELP, import_hubs
from hyperlocal.imports import ImportFailed


class Command(BaseCommand):
    help = "Import hubs from a CSV or GeoJSON file. " + HELP

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        try:
            with transaction.atomic():
                report = import_hubs(data, path.name)
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"nothing was imported: {len(exc.errors)} bad row(s)") from None
        except DomainError as exc:  # e.g. the travel-time model is unavailable
            raise CommandError(f"nothing was imported: {exc.message}") from None
        self.stdout.write(self.style.SUCCESS(str(report)))
