"""What every file import shares: reading CSV with line numbers, collecting every bad row,
and refusing the whole file when any row is bad (so that nothing is half-written)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hyperlocal.errors import InvalidInput

MAX_IMPORT_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class RowError:
    line: int  # 1-based line in the file (the header is line 1); 0 for the file as a whole
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass
class ImportReport:
    """The outcome of an import that succeeded: what was created and updated."""

    kind: str
    created: int = 0
    updated: int = 0
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.kind}: {self.created} created, {self.updated} updated"
        return "; ".join([text, *self.notes])


class ImportFailed(InvalidInput):
    """The file was refused; `errors` lists every bad row with its line and reason."""

    def __init__(self, errors: Sequence[RowError], *, kind: str) -> None:
        self.errors = list(errors)
        shown = "; ".join(str(e) for e in self.errors[:20])
        more = f" (and {len(self.errors) - 20} more)" if len(self.errors) > 20 else ""
        super().__init__(
            f"{kind} import refused, nothing was changed: {len(self.errors)} bad row(s): {shown}{more}",
            field=self.errors[0].field if self.errors else None,
        )

    def as_dict(self) -> dict[str, object]:
        body = super().as_dict()
        body["errors"] = [{"line": e.line, "field": e.field, "message": e.message} for e in self.errors]
        return body


def decode(data: bytes, *, kind: str) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFailed([RowError(0, None, f"file is larger than {MAX_IMPORT_BYTES} bytes")], kind=kind)
    try:
        return data.decode("utf-8-sig")  # spreadsheet exports often start with a BOM
    except UnicodeDecodeError as exc:
        raise ImportFailed([RowError(0, None, f"file is not UTF-8 text ({exc.reason})")], kind=kind) from None


def read_csv(
    text: str, *, required: Sequence[str], optional: Sequence[str] = (), kind: str
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) with stripped values; refuse missing or unknown columns and
    rows with the wrong number of cells."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportFailed([RowError(0, None, "file is empty")], kind=kind) from None
    except csv.Error as exc:
        raise ImportFailed([RowError(1, None, f"malformed CSV: {exc}")], kind=kind) from None
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in required and c not in optional]
    problems = []
    if missing:
        problems.append(RowError(1, missing[0], f"missing column(s): {', '.join(missing)}"))
    if unknown:
        problems.append(RowError(1, unknown[0], f"unknown column(s): {', '.join(unknown)}"))
    if len(set(header)) != len(header):
        problems.append(RowError(1, None, "a column name appears twice"))
    if problems:
        raise ImportFailed(problems, kind=kind)
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                yield line, {"__error__": f"expected {len(header)} cells, found {len(cells)}"}
                continue
            yield line, {h: c.strip() for h, c in zip(header, cells, strict=True)}
    except csv.Error as exc:
        raise ImportFailed([RowError(reader.line_num, None, f"malformed CSV: {exc}")], kind=kind) from None


class RowCollector:
    """Collects the bad rows of a file; `raise_if_any` refuses the file when there are any."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.errors: list[RowError] = []

    def add(self, line: int, field: str | None, message: str) -> None:
        self.errors.append(RowError(line, field, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ImportFailed(self.errors, kind=self.kind)


def int_field(
    row: Mapping[str, Any], name: str, *, minimum: int | None = None, default: int | None = None
) -> int:
    """Parse an integer cell; raises ValueError with a message for the row collector."""
    raw = str(row.get(name, "") or "").replace(",", "").strip()
    if raw == "":
        if default is not None:
            return default
        raise ValueError("is required")
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"must be a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ValueError(f"must be at least {minimum}, got {value}")
    return value


def bool_field(row: Mapping[str, Any], name: str, *, default: bool = False) -> bool:
    raw = str(row.get(name, "") or "").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "y", "t"}:
        return True
    if raw in {"0", "false", "no", "n", "f"}:
        return False
    raise ValueError(f"must be true or false, got {raw!r}")
