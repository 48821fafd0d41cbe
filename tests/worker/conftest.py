from __future__ import annotations

import pytest

from hyperlocal.regions.models import Region
from tests.orders.conftest import Shop, build_shop


@pytest.fixture
def shop(mapo: Region) -> Shop:
    """A small shop (two hubs with stock, a customer), as the orders tests build it."""
    return build_shop()
