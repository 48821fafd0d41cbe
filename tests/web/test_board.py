"""The hub's live order board: for the hub's operators only, columns by status, countdown to
each promise, late ones marked, refreshed every 5 seconds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hyperlocal.orders.models import Shipment
from tests.web.conftest import english
from tests.web.shop_world import Shop, place


def board_url(shop: Shop) -> str:
    return reverse("web:board", args=[shop.hub.slug])


@pytest.mark.django_db
def test_the_board_is_for_the_hubs_operators(shop: Shop, client: Client, shopper: Client) -> None:
    login = client.get(board_url(shop))
    assert login.status_code == 302
    assert login["Location"].startswith(reverse("web:login"))
    assert shopper.get(board_url(shop)).status_code == 403
    assert english(Client(), shop.stranger).get(reverse("web:ops")).status_code == 403
    assert shopper.get(reverse("web:pick_list", args=[shop.hub.slug])).status_code == 403
    assert english(Client(), shop.operator).get(reverse("web:board", args=["no-such-hub"])).status_code == 404


@pytest.mark.django_db
def test_an_operator_with_one_hub_lands_on_its_board(shop: Shop, operator_client: Client) -> None:
    response = operator_client.get(reverse("web:ops"))
    assert response.status_code == 302
    assert response["Location"] == board_url(shop)
    home = operator_client.get(reverse("web:home")).content.decode()
    assert f'href="{reverse("web:ops")}"' in home  # "Board" in the navigation


@pytest.mark.django_db
def test_cards_sit_in_their_column_with_a_countdown_and_late_ones_are_red(
    shop: Shop, operator_client: Client
) -> None:
    on_time = place(shop, (shop.world.tangerine, 1, "allow"), key="one")
    late = place(shop, (shop.world.candy, 1, "allow"), key="two")
    # The second one's promise has passed.
    now = timezone.now()
    Shipment.objects.filter(order=late).update(
        promised_from=now - timedelta(hours=1), promised_by=now - timedelta(minutes=5)
    )

    response = operator_client.get(board_url(shop))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'hx-trigger="every 5s"' in page
    placed_column = page.split('data-status="placed"')[1].split('data-status="picking"')[0]
    assert on_time.code in placed_column
    assert late.code in placed_column
    late_card = page.split(f'data-order="{late.code}"')[0].rsplit("<a", 1)[1]
    assert "late" in late_card
    on_time_card = page.split(f'data-order="{on_time.code}"')[0].rsplit("<a", 1)[1]
    assert "late" not in on_time_card
    assert "late 5 min" in page or "late 6 min" in page
    assert "1 late" in page

    fragment = operator_client.get(board_url(shop) + "?part=board", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert on_time.code in fragment.content.decode()


@pytest.mark.django_db
def test_the_pick_list_walks_zone_then_bin(shop: Shop, operator_client: Client) -> None:
    place(shop, (shop.world.tangerine, 2, "allow"), (shop.world.candy, 1, "allow"))
    response = operator_client.get(reverse("web:pick_list", args=[shop.hub.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    # The candy is in bin A-02-1, the tangerines in B-01-1: the candy comes first.
    assert page.index("A-02-1") < page.index("B-01-1")
    assert page.index("감귤맛 사탕") < page.index("제주 감귤 3kg")
