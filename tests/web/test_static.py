"""Leaflet is served from the installed xstatic package, and the small template filters."""

from __future__ import annotations

from pathlib import Path

import pytest

from hyperlocal.web.finders import XStaticFinder
from hyperlocal.web.templatetags.hyperlocal_web import metres, won


def test_finder_finds_leaflet_files() -> None:
    finder = XStaticFinder()
    found = finder.find("leaflet/leaflet.js")
    assert isinstance(found, str)
    assert Path(found).read_text(encoding="utf-8").lstrip().startswith("/*")
    assert finder.find("leaflet/images/marker-icon.png", find_all=True)
    assert finder.find("leaflet/nothing.js") is None
    assert finder.find("other/leaflet.js") is None
    assert finder.find("other/leaflet.js", find_all=True) == []
    assert finder.find("leaflet/../../../etc/passwd") is None
    assert finder.check() == []


def test_finder_lists_files_with_the_prefix_whitenoise_uses() -> None:
    listed = {(path, getattr(storage, "prefix", None)) for path, storage in XStaticFinder().list(None)}
    assert ("leaflet.js", "leaflet") in listed
    assert ("leaflet.css", "leaflet") in listed
    assert ("images/marker-icon.png", "leaflet") in listed


@pytest.mark.parametrize(
    ("amount", "text"),
    [(0, "0원"), (900, "900원"), (18900, "18,900원"), (1234567, "1,234,567원"), (None, ""), ("x", "")],
)
def test_won(amount: object, text: str) -> None:
    assert won(amount) == text  # type: ignore[arg-type]


def test_metres() -> None:
    assert metres(344.0) == "340 m"
    assert metres(1250.0) == "1.2 km"
    assert metres(None) == ""
