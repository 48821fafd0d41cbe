"""The merchant's stock page: its products in each hub with a low-stock flag, and inbound
shipments (announce one, see its status); only the merchant's staff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hyperlocal.inventory.models import InboundShipment, Stock
from tests.web.conftest import english
from tests.web.shop_world import Shop

STOCK = reverse("web:merchant_stock")


def local_input(delta: timedelta) -> str:
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.django_db
def test_only_merchant_staff_see_the_stock_page(shop: Shop, client: Client, shopper: Client) -> None:
    assert client.get(STOCK).status_code == 302
    assert shopper.get(STOCK).status_code == 403
    assert english(Client(), shop.operator).get(STOCK).status_code == 403
    owner = english(Client(), shop.merchant_owner)
    response = owner.get(STOCK)
    assert response.status_code == 200
    home = owner.get(reverse("web:home")).content.decode()
    assert f'href="{STOCK}"' in home  # "Stock" in the navigation


@pytest.mark.django_db
def test_stock_per_hub_with_the_low_flag(shop: Shop) -> None:
    owner = english(Client(), shop.merchant_owner)
    tangerine = shop.world.tangerine
    page = owner.get(STOCK).content.decode()
    assert "제주 감귤 3kg" in page
    assert "Seogyo Hub" in page
    assert "low-flag" not in page  # 10 on hand, low at 5
    # Other merchants' products are not listed.
    assert "감귤맛 사탕" not in page
    Stock.objects.filter(hub=shop.hub, product=tangerine).update(reserved=6)
    page = owner.get(STOCK).content.decode()
    assert "low-flag" in page
    assert "1 running low" in page


@pytest.mark.django_db
def test_announcing_an_inbound_shipment(shop: Shop) -> None:
    owner = english(Client(), shop.merchant_owner)
    tangerine = shop.world.tangerine
    data = {
        "hub": shop.hub.pk,
        "expected_at": local_input(timedelta(days=1)),
        "product_0": tangerine.pk,
        "quantity_0": 24,
        "note": "first box of the season",
    }
    response = owner.post(STOCK, data)
    assert response.status_code == 302
    inbound = InboundShipment.objects.get()
    assert (inbound.hub, inbound.merchant, inbound.status) == (shop.hub, tangerine.merchant, "expected")
    assert list(inbound.lines.values_list("product_id", "quantity_sent")) == [(tangerine.pk, 24)]
    page = owner.get(STOCK).content.decode()
    assert "24 × 제주 감귤 3kg" in page
    assert "Expected" in page or "expected" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"quantity_0": ""},  # a product without its quantity
        {"quantity_0": 0},
        {"product_0": ""},  # nothing to send
        {"hub": 987654},
        {"expected_at": "tomorrow"},
    ],
)
def test_bad_inbound_is_refused_and_changes_nothing(shop: Shop, change: dict[str, object]) -> None:
    owner = english(Client(), shop.merchant_owner)
    data = {
        "hub": shop.hub.pk,
        "expected_at": local_input(timedelta(days=1)),
        "product_0": shop.world.tangerine.pk,
        "quantity_0": 5,
        **change,
    }
    response = owner.post(STOCK, data)
    assert response.status_code == 422
    assert "Not sent:" in response.content.decode()
    assert not InboundShipment.objects.exists()


@pytest.mark.django_db
def test_a_service_refusal_is_shown(shop: Shop) -> None:
    owner = english(Client(), shop.merchant_owner)
    data = {
        "hub": shop.hub.pk,
        "expected_at": local_input(timedelta(days=200)),  # beyond what may be announced
        "product_0": shop.world.tangerine.pk,
        "quantity_0": 5,
    }
    response = owner.post(STOCK, data)
    assert response.status_code == 422
    assert "90 days" in response.content.decode()
    assert not InboundShipment.objects.exists()
