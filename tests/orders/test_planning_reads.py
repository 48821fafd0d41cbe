"""Orders per delivery cell for site planning: counted and valued over a period, cancelled
orders and other regions left out."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from hyperlocal.orders.models import OrderStatus
from hyperlocal.orders.services import CellOrders, orders_by_cell
from hyperlocal.regions.models import Region
from tests.planning.helpers import DONG, dong_cells
from tests.planning.helpers import order as place_order

NOW = timezone.make_aware(datetime(2025, 6, 30, 12, 0))


def test_orders_by_cell_over_a_period(mapo: Region) -> None:
    a, b = dong_cells(count=2)
    place_order(a, 10_000, at=NOW - timedelta(days=1))
    place_order(a, 15_000, at=NOW - timedelta(days=5))
    place_order(b, 40_000, at=NOW - timedelta(days=2))
    place_order(b, 99_000, at=NOW - timedelta(days=2), status=OrderStatus.CANCELLED)
    place_order(b, 99_000, at=NOW - timedelta(days=40))  # before the period
    place_order(b, 99_000, at=NOW + timedelta(days=1))  # after it
    seogyo = Region.objects.get(code=DONG)
    since = NOW - timedelta(days=28)
    assert orders_by_cell([seogyo.pk], since, NOW) == {
        a: CellOrders(2, 25_000, DONG),
        b: CellOrders(1, 40_000, DONG),
    }
    other = Region.objects.filter(parent=mapo).exclude(pk=seogyo.pk).first()
    assert other is not None
    assert orders_by_cell([other.pk], since, NOW) == {}
    assert orders_by_cell([], since, NOW) == {}
