"""`hyperlocal import_products FILE [--merchant SLUG]`: products from CSV, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hyperlocal.catalog.imports import HELP, import_products
from hyperlocal.commands import run_import


class Command(BaseCommand):
    help = "Import products from a CSV file. " + HELP

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--merchant", help="slug of the merchant every row belongs to")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        report = run_import(
            path,
            lambda data, name: import_products(data, name, merchant_slug=options["merchant"]),
            self.stderr,
        )
        self.stdout.write(self.style.SUCCESS(str(report)))
