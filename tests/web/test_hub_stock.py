"""The operator's stock page: low stock, and what to reorder from the recent sales rate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hyperlocal.inventory.models import MovementKind, Stock, StockMovement
from tests.web.conftest import english
from tests.web.shop_world import Shop


def stock_url(shop: Shop) -> str:
    return reverse("web:hub_stock", args=[shop.hub.slug])


@pytest.mark.django_db
def test_only_the_hubs_operators_see_its_stock(shop: Shop, client: Client, shopper: Client) -> None:
    assert client.get(stock_url(shop)).status_code == 302  # to the login page
    assert shopper.get(stock_url(shop)).status_code == 403
    assert english(Client(), shop.stranger).get(stock_url(shop)).status_code == 403
    assert english(Client(), shop.operator).get(reverse("web:hub_stock", args=["nowhere"])).status_code == 404


@pytest.mark.django_db
def test_low_stock_and_reorder_suggestions(shop: Shop, operator_client: Client) -> None:
    hub, candy, tangerine = shop.hub, shop.world.candy, shop.world.tangerine
    Stock.objects.filter(hub=hub, product=candy).update(low_stock_at=10_000)
    # 28 tangerines sold over the last two weeks: 2 a day; 3 days of cover wants 6 units.
    StockMovement.objects.create(
        hub=hub,
        product=tangerine,
        kind=MovementKind.PICK,
        on_hand_delta=-28,
        reserved_delta=0,
        created_at=timezone.now() - timedelta(days=3),
    )
    Stock.objects.filter(hub=hub, product=tangerine).update(on_hand=2)
    page = operator_client.get(stock_url(shop))
    assert page.status_code == 200
    html = page.content.decode()
    low, reorder = html.split("Reorder suggestions")
    assert candy.name_ko in low
    assert (tangerine.name_en or tangerine.name_ko) in reorder
    assert "<strong>4</strong>" in reorder  # 6 wanted - 2 available
    assert (candy.name_en or candy.name_ko) not in reorder  # nothing sold: nothing to reorder
