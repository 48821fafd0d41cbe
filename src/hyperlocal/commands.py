"""What the import commands share: read the file, import it in one transaction, and turn a
refused file into a CommandError that lists every bad row (also written to stderr)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import CommandError, OutputWrapper
from django.db import transaction

from hyperlocal.errors import DomainError
from hyperlocal.imports import ImportFailed, ImportReport


def run_import(
    path: Path, handler: Callable[[bytes, str], ImportReport], stderr: OutputWrapper | None = None
) -> ImportReport:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    try:
        with transaction.atomic():
            return handler(data, path.name)
    except ImportFailed as exc:
        if stderr is not None:
            for error in exc.errors:
                stderr.write(str(error))
        rows = "\n".join(f"  {e}" for e in exc.errors)
        raise CommandError(f"nothing was imported: {len(exc.errors)} bad row(s):\n{rows}") from None
    except DomainError as exc:  # e.g. the travel-time model is unavailable
        raise CommandError(f"nothing was imported: {exc.message}") from None
