"""What the pages read: the board's flags (open shipments only) and the customer's tracking."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hyperlocal.dispatch.selectors import hub_flags, tracking_for
from hyperlocal.dispatch.services.records import ensure_records
from hyperlocal.orders.models import OrderStatus, Shipment
from tests.dispatch.conftest import NEAR, Fleet

S = OrderStatus


def _shipments(fleet: Fleet) -> dict[str, Shipment]:
    statuses = [
        S.PLACED,
        S.PICKING,
        S.PACKED,
        S.OUT_FOR_DELIVERY,
        S.DELIVERY_FAILED,
        S.DELIVERED,
        S.CANCELLED,
        S.RETURNED,
        S.REFUNDED,
    ]
    made = {status: fleet.shipment(NEAR) for status in statuses}
    for status, shipment in made.items():
        Shipment.objects.filter(pk=shipment.pk).update(status=status)
    ensure_records(s.pk for s in made.values())
    return made


def test_the_board_flags_only_open_shipments(fleet: Fleet) -> None:
    made = _shipments(fleet)
    flags = hub_flags(fleet.hub)
    assert set(flags) == {
        made[s].pk for s in (S.PLACED, S.PICKING, S.PACKED, S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED)
    }
    with CaptureQueriesContext(connection) as queries:
        hub_flags(fleet.hub)
    assert len(queries) == 1


@pytest.mark.parametrize(
    ("status", "on_its_way"),
    [
        (S.PLACED, True),
        (S.PICKING, True),
        (S.PACKED, True),
        (S.OUT_FOR_DELIVERY, True),
        (S.DELIVERY_FAILED, False),
        (S.DELIVERED, False),
        (S.CANCELLED, False),
        (S.RETURNED, False),
        (S.REFUNDED, False),
    ],
)
def test_tracking_says_whether_the_delivery_is_still_to_come(
    fleet: Fleet, status: str, on_its_way: bool
) -> None:
    shipment = fleet.shipment(NEAR)
    Shipment.objects.filter(pk=shipment.pk).update(status=status)
    ensure_records([shipment.pk])
    assert tracking_for([shipment.pk])[shipment.pk].on_its_way is on_its_way
