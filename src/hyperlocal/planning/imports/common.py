"""Small pieces the planning imports share."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from hyperlocal.imports import ImportFailed, RowError

T = TypeVar("T")
CHUNK = 2000


def check_text(text: str, kind: str) -> None:
    """PostgreSQL cannot store NUL characters: refuse the file and say where the first one is."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFailed([RowError(line, None, "the file contains a NUL character")], kind=kind)


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]
