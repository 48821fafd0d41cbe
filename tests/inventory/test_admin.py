"""Stock, movement and inbound admin pages: counters read-only, changes through services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import Merchant, Product
from hyperlocal.hubs.models import Hub, Zone
from hyperlocal.inventory.models import InboundShipment, Stock
from hyperlocal.inventory.services import create_inbound
from tests.factories import UserFactory
from tests.inventory.conftest import stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client: Client) -> Client:
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def shipment(hub: Hub, merchant: Merchant, merchant_staff: User, products: list[Product]) -> InboundShipment:
    return create_inbound(
        merchant_staff,
        merchant=merchant,
        hub=hub,
        expected_at=timezone.now() + timedelta(hours=1),
        lines=[(products[0].pk, 6)],
    )


@pytest.mark.parametrize("name", ["stock", "stockmovement", "inboundshipment"])
def test_pages_load(
    root: Client, hub: Hub, products: list[Product], shipment: InboundShipment, name: str
) -> None:
    row = stock(hub, products[0], 4)
    assert root.get(reverse(f"admin:inventory_{name}_changelist")).status_code == 200
    assert root.get(reverse(f"admin:inventory_{name}_changelist"), {"q": "Tanger"}).status_code == 200
    obj_id = {
        "stock": row.pk,
        "stockmovement": row.hub.stock_movements.first().pk,
        "inboundshipment": shipment.pk,
    }[name]  # type: ignore[union-attr]
    assert root.get(reverse(f"admin:inventory_{name}_change", args=[obj_id])).status_code == 200


def test_counters_cannot_be_edited(root: Client, hub: Hub, zone: Zone, products: list[Product]) -> None:
    row = stock(hub, products[0], 4)
    url = reverse("admin:inventory_stock_change", args=[row.pk])
    form = {"zone": zone.pk, "bin": "D-4", "low_stock_at": 2, "target_days_of_cover": 5, "on_hand": 999}
    assert root.post(url, form).status_code == 302
    row = Stock.objects.get(pk=row.pk)
    assert (row.on_hand, row.zone_id, row.bin, row.low_stock_at, row.target_days_of_cover) == (
        4,
        zone.pk,
        "D-4",
        2,
        5,
    )


def test_receive_and_cancel_actions(
    root: Client, hub: Hub, products: list[Product], shipment: InboundShipment
) -> None:
    url = reverse("admin:inventory_inboundshipment_changelist")
    root.post(url, {"action": "receive_in_full", "_selected_action": [shipment.pk]})
    shipment.refresh_from_db()
    assert shipment.status == InboundShipment.Status.RECEIVED
    assert Stock.objects.get(hub=hub, product=products[0]).on_hand == 6
    response = root.post(url, {"action": "cancel", "_selected_action": [shipment.pk]}, follow=True)
    assert "no longer expected" in response.content.decode()
    shipment.refresh_from_db()
    assert shipment.status == InboundShipment.Status.RECEIVED


def test_operators_see_their_hubs_only(
    client: Client, hub: Hub, other_hub: Hub, products: list[Product]
) -> None:
    mine = stock(hub, products[0], 4)
    theirs = stock(other_hub, products[0], 4)
    staff_operator = hub.operators.get()
    staff_operator.is_staff = True
    staff_operator.save()
    staff_operator.user_permissions.add(*Permission.objects.filter(content_type__app_label="inventory"))
    client.force_login(staff_operator)
    page = client.get(reverse("admin:inventory_stock_changelist")).content.decode()
    assert reverse("admin:inventory_stock_change", args=[mine.pk]) in page
    assert reverse("admin:inventory_stock_change", args=[theirs.pk]) not in page
