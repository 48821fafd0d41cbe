"""Fixtures shared by the whole suite."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # keeps the pure geo tests runnable without Django (-p no:django)
    from hyperlocal.regions.models import Region


@pytest.fixture
def mapo(db: None) -> Region:
    """Mapo-gu with its 16 dongs and their cells, from the shipped public data."""
    from hyperlocal.regions.services import load_mapo

    return load_mapo()
