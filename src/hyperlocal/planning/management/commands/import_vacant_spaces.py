"""`hyperlocal import_vacant_spaces FILE`: candidate spaces from CSV or GeoJSON, all or nothing."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from hyperlocal.commands import run_import
from hyperlocal.planning.imports import SPACES_HELP, import_vacant_spaces


class Command(BaseCommand):
    help = "Import candidate vacant spaces. " + SPACES_HELP

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        report = run_import(options["file"], import_vacant_spaces)
        self.stdout.write(self.style.SUCCESS(str(report)))
