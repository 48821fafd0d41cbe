"""Static files from installed xstatic packages, so that nothing is fetched from a CDN.

Add to STATICFILES_FINDERS; works with whitenoise's WHITENOISE_USE_FINDERS (it lists the
files with the storage's `prefix`, and serves each from `storage.path`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Literal, overload

import xstatic.pkg.leaflet
from django.contrib.staticfiles.finders import BaseFinder
from django.contrib.staticfiles.utils import get_files
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, Storage

# URL prefix under STATIC_URL -> directory of the installed package.
PACKAGES: dict[str, str] = {"leaflet": str(xstatic.pkg.leaflet.BASE_DIR)}


class XStaticFinder(BaseFinder):
    """Serves each package of PACKAGES under its prefix, e.g. `leaflet/leaflet.js`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storages: dict[str, FileSystemStorage] = {}
        for prefix, root in PACKAGES.items():
            storage = FileSystemStorage(location=root)
            storage.prefix = prefix  # type: ignore[attr-defined]
            self.storages[prefix] = storage

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    @overload
    def find(self, path: str, find_all: Literal[False] = False) -> str | None: ...
    @overload
    def find(self, path: str, find_all: Literal[True]) -> list[str]: ...

    def find(self, path: str, find_all: bool = False) -> str | list[str] | None:
        found = self._find(path)
        if find_all:
            return [found] if found else []
        return found

    def _find(self, path: str) -> str | None:
        prefix, _, rest = path.partition("/")
        storage = self.storages.get(prefix)
        if storage is None or not rest:
            return None
        try:
            return storage.path(rest) if storage.exists(rest) else None
        except SuspiciousFileOperation:  # "../" outside the package: not ours to serve
            return None

    def list(self, ignore_patterns: Iterable[str] | None) -> Iterator[tuple[str, Storage]]:
        for storage in self.storages.values():
            for path in get_files(storage, list(ignore_patterns or [])):
                yield path, storage
