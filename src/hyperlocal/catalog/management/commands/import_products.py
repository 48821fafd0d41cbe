"""`hyperlocal import_products FILE [--merchant SLUG]`: products from CSV, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from hyperlocal.catalog.imports import HELP, import_products
from hyperlocal.imports import ImportFailed


class Command(BaseCommand):
    help = "Import products from a CSV file. " + HELP

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--merchant", help="slug of the merchant every row belongs to")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        try:
            with transaction.atomic():
                report = import_products(data, path.name, merchant_slug=options["merchant"])
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"nothing was imported: {len(exc.errors)} bad row(s)") from None
        self.stdout.write(self.style.SUCCESS(str(report)))
