"""Inbound shipments: announced by the merchant's staff, received once by the hub (in full,
in part, damaged), or cancelled."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import Merchant, Product
from hyperlocal.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hyperlocal.hubs.models import Hub
from hyperlocal.inventory.models import InboundShipment, MovementKind, Stock, StockMovement
from hyperlocal.inventory.services import (
    ReceivedLine,
    cancel_inbound,
    create_inbound,
    get_inbound,
    receive_inbound,
    stock_mismatches,
)
from tests.factories import ProductFactory
from tests.inventory.conftest import stock

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2024, 6, 3, 9, 0))


def announce(user: User, merchant: Merchant, hub: Hub, lines: list[tuple[int, int]]) -> InboundShipment:
    return create_inbound(
        user, merchant=merchant, hub=hub, expected_at=NOW + timedelta(hours=3), lines=lines, now=NOW
    )


def test_staff_announce_a_shipment(
    hub: Hub, merchant: Merchant, merchant_staff: User, products: list[Product]
) -> None:
    shipment = create_inbound(
        merchant_staff,
        merchant=merchant,
        hub=hub,
        expected_at=NOW + timedelta(hours=3),
        lines=[(products[0].pk, 20), (products[1].pk, 6)],
        note="  morning van ",
        now=NOW,
    )
    assert shipment.status == InboundShipment.Status.EXPECTED
    assert (shipment.note, shipment.created_by_id, shipment.created_at) == (
        "morning van",
        merchant_staff.pk,
        NOW,
    )
    assert [(line.product_id, line.quantity_sent) for line in shipment.lines.all()] == [
        (products[0].pk, 20),
        (products[1].pk, 6),
    ]
    assert not Stock.objects.exists()  # nothing is in stock before it is received


def test_announcing_refuses_bad_lines(
    hub: Hub, merchant: Merchant, merchant_staff: User, products: list[Product], outsider: User
) -> None:
    cases: list[tuple[list[tuple[int, int]], str]] = [
        ([], "lines"),
        ([(products[0].pk, 0)], "lines.0.quantity"),
        ([(products[0].pk, 1), (products[0].pk, 2)], "lines.1.product_id"),
        ([(ProductFactory().pk, 1)], "lines.0.product_id"),  # another merchant's product
        ([(10**12, 1)], "lines.0.product_id"),
    ]
    for lines, field in cases:
        with pytest.raises(InvalidInput) as caught:
            announce(merchant_staff, merchant, hub, lines)
        assert caught.value.field == field
    with pytest.raises(InvalidInput) as caught:
        create_inbound(
            merchant_staff,
            merchant=merchant,
            hub=hub,
            expected_at=datetime(2024, 6, 3, 12),
            lines=[(products[0].pk, 1)],
        )
    assert caught.value.field == "expected_at"
    with pytest.raises(InvalidInput) as caught:
        create_inbound(
            merchant_staff,
            merchant=merchant,
            hub=hub,
            expected_at=NOW - timedelta(days=3),
            lines=[(products[0].pk, 1)],
            now=NOW,
        )
    assert caught.value.field == "expected_at"
    hub.status = Hub.Status.CLOSED
    with pytest.raises(InvalidInput) as caught:
        announce(merchant_staff, merchant, hub, [(products[0].pk, 1)])
    assert caught.value.field == "hub"
    with pytest.raises(NotAllowed):
        announce(outsider, merchant, hub, [(products[0].pk, 1)])
    assert not InboundShipment.objects.exists()


def test_receive_in_full(
    hub: Hub, merchant: Merchant, merchant_staff: User, operator: User, products: list[Product]
) -> None:
    stock(hub, products[0], 4)
    shipment = announce(merchant_staff, merchant, hub, [(products[0].pk, 20), (products[1].pk, 6)])
    received = receive_inbound(operator, shipment, now=NOW + timedelta(hours=3))
    assert (received.status, received.received_by_id) == (InboundShipment.Status.RECEIVED, operator.pk)
    assert [(x.quantity_received, x.quantity_damaged) for x in received.lines.all()] == [(20, 0), (6, 0)]
    assert Stock.objects.get(hub=hub, product=products[0]).on_hand == 24
    assert Stock.objects.get(hub=hub, product=products[1]).on_hand == 6  # a new row
    receipts = StockMovement.objects.filter(inbound_id=shipment.pk, kind=MovementKind.RECEIPT)
    assert sorted(m.on_hand_delta for m in receipts) == [6, 20]
    assert stock_mismatches() == []


def test_receive_partial_and_damaged(
    hub: Hub, merchant: Merchant, merchant_staff: User, operator: User, products: list[Product]
) -> None:
    shipment = announce(merchant_staff, merchant, hub, [(products[0].pk, 20), (products[1].pk, 6)])
    received = receive_inbound(
        operator,
        shipment,
        lines=[
            ReceivedLine(products[0].pk, received=15, damaged=3),
            ReceivedLine(products[1].pk, received=0),
        ],
    )
    assert [(x.quantity_received, x.quantity_damaged) for x in received.lines.all()] == [(15, 3), (0, 0)]
    assert Stock.objects.get(hub=hub, product=products[0]).on_hand == 15  # damaged units never enter stock
    assert not Stock.objects.filter(product=products[1]).exists()
    assert [m.on_hand_delta for m in StockMovement.objects.filter(inbound_id=shipment.pk)] == [15]


def test_receipt_refuses_bad_counts(
    hub: Hub, merchant: Merchant, merchant_staff: User, operator: User, products: list[Product]
) -> None:
    shipment = announce(merchant_staff, merchant, hub, [(products[0].pk, 5), (products[1].pk, 5)])
    cases = [
        ([ReceivedLine(products[0].pk, 5)], "lines"),  # every line must be told
        ([ReceivedLine(products[0].pk, 4, 2), ReceivedLine(products[1].pk, 5)], "lines.0.received"),
        ([ReceivedLine(products[0].pk, -1), ReceivedLine(products[1].pk, 5)], "lines.0.received"),
        ([ReceivedLine(products[2].pk, 1)], "lines.0.product_id"),
        ([ReceivedLine(products[0].pk, 1), ReceivedLine(products[0].pk, 1)], "lines.1.product_id"),
    ]
    for lines, field in cases:
        with pytest.raises(InvalidInput) as caught:
            receive_inbound(operator, shipment, lines=lines)
        assert caught.value.field == field
    shipment.refresh_from_db()
    assert shipment.status == InboundShipment.Status.EXPECTED
    assert not Stock.objects.exists()


def test_received_only_once_and_only_by_the_hub(
    hub: Hub, merchant: Merchant, merchant_staff: User, operator: User, products: list[Product]
) -> None:
    shipment = announce(merchant_staff, merchant, hub, [(products[0].pk, 5)])
    with pytest.raises(NotAllowed):
        receive_inbound(merchant_staff, shipment)
    receive_inbound(operator, shipment)
    with pytest.raises(Conflict) as caught:
        receive_inbound(operator, shipment)  # a stale copy: the database says it is received
    assert caught.value.code == "inbound_not_expected"
    assert Stock.objects.get(hub=hub, product=products[0]).on_hand == 5
    with pytest.raises(Conflict):
        cancel_inbound(merchant_staff, shipment)


def test_cancel_then_no_receipt(
    hub: Hub,
    merchant: Merchant,
    merchant_staff: User,
    operator: User,
    outsider: User,
    products: list[Product],
) -> None:
    shipment = announce(merchant_staff, merchant, hub, [(products[0].pk, 5)])
    with pytest.raises(NotAllowed):
        cancel_inbound(outsider, shipment)
    assert cancel_inbound(merchant_staff, shipment).status == InboundShipment.Status.CANCELLED
    with pytest.raises(Conflict):
        receive_inbound(operator, shipment)
    assert not Stock.objects.exists()


def test_who_sees_a_shipment(
    hub: Hub,
    merchant: Merchant,
    merchant_staff: User,
    operator: User,
    outsider: User,
    products: list[Product],
) -> None:
    shipment = announce(merchant_staff, merchant, hub, [(products[0].pk, 5)])
    assert get_inbound(merchant_staff, shipment.pk).pk == shipment.pk
    assert get_inbound(operator, shipment.pk).pk == shipment.pk
    with pytest.raises(NotAllowed):
        get_inbound(outsider, shipment.pk)
    with pytest.raises(NotFound):
        get_inbound(operator, shipment.pk + 1000)
