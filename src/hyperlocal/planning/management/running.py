"""Running a file import from a command: one transaction, bad rows as a CommandError."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import CommandError
from django.db import transaction

from hyperlocal.imports import ImportFailed, ImportReport


def run_import(path: Path, handler: Callable[[bytes, str], ImportReport]) -> ImportReport:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    try:
        with transaction.atomic():
            return handler(data, path.name)
    except ImportFailed as exc:
        rows = "\n".join(f"  {e}" for e in exc.errors)
        raise CommandError(f"nothing was imported: {len(exc.errors)} bad row(s):\n{rows}") from None
