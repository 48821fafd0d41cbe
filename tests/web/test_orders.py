"""The resident's orders: the list, the tracking page (refreshed by htmx), cancelling while
allowed, answering a substitution question; nobody sees another's order."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from hyperlocal.inventory.models import Stock
from hyperlocal.orders import services as orders
from hyperlocal.orders.models import LineStatus, OrderStatus, Payment
from tests.factories import UserFactory
from tests.web.conftest import english
from tests.web.shop_world import Shop, place


@pytest.mark.django_db
def test_orders_need_a_login(client: Client) -> None:
    for url in (reverse("web:orders"), reverse("web:order", args=[1])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.django_db
def test_the_list_and_the_tracking_page(shop: Shop, shopper: Client) -> None:
    order = place(shop, (shop.world.tangerine, 2, "allow"), (shop.world.candy, 1, "ask"))
    listing = shopper.get(reverse("web:orders"))
    assert listing.status_code == 200
    assert order.code in listing.content.decode()

    response = shopper.get(reverse("web:order", args=[order.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-status="placed"' in page
    assert "Seogyo Hub" in page
    assert "Promised by" in page
    assert "order placed" in page  # the timeline
    assert 'hx-trigger="every 10s"' in page
    assert "Cancel the order" in page

    fragment = shopper.get(reverse("web:order", args=[order.pk]) + "?part=tracking", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert 'id="tracking"' in fragment.content.decode()


@pytest.mark.django_db
def test_another_residents_order_is_not_found(shop: Shop) -> None:
    order = place(shop, (shop.world.tangerine, 1, "allow"))
    other = english(Client(), UserFactory(username="neighbour"))
    assert other.get(reverse("web:order", args=[order.pk])).status_code == 404
    assert other.post(reverse("web:order_cancel", args=[order.pk])).status_code == 404
    assert orders.get_customer_order(shop.world.resident, order.pk).status == OrderStatus.PLACED


@pytest.mark.django_db
def test_cancelling_while_placed_releases_stock_and_voids_the_payment(shop: Shop, shopper: Client) -> None:
    order = place(shop, (shop.world.tangerine, 2, "allow"))
    stock = Stock.objects.get(hub=shop.hub, product=shop.world.tangerine)
    assert stock.reserved == 2
    response = shopper.post(reverse("web:order_cancel", args=[order.pk]), {"reason": "changed my mind"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Stock.objects.get(pk=stock.pk).reserved == 0
    assert Payment.objects.get(order=order).status == Payment.Status.VOIDED
    assert "Cancel the order" not in shopper.get(reverse("web:order", args=[order.pk])).content.decode()


@pytest.mark.django_db
def test_cancelling_after_picking_started_is_refused(shop: Shop, shopper: Client) -> None:
    order = place(shop, (shop.world.tangerine, 1, "allow"))
    with transaction.atomic():
        orders.start_picking(shop.operator, order.shipments.get())
    response = shopper.post(reverse("web:order_cancel", args=[order.pk]), {"reason": ""})
    assert response.status_code in (403, 409)
    assert "Not cancelled:" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PICKING


@pytest.mark.django_db
@pytest.mark.parametrize(("answer", "expected"), [("yes", LineStatus.SUBSTITUTED), ("no", LineStatus.SHORT)])
def test_answering_a_substitution_question(shop: Shop, shopper: Client, answer: str, expected: str) -> None:
    order = place(shop, (shop.world.candy, 2, "ask"))
    line = order.lines.get()
    lollipop = Stock.objects.get(hub=shop.hub, product__name_en="Lollipop").product
    with transaction.atomic():
        orders.record_pick(shop.operator, line, picked=0, substitute_id=lollipop.pk, substitute_quantity=2)
    page = shopper.get(reverse("web:order", args=[order.pk])).content.decode()
    assert "Your answer is needed" in page
    assert "막대사탕" in page

    url = reverse("web:order_answer", args=[order.pk, line.pk])
    assert shopper.post(url, {"accept": "maybe"}).status_code == 422
    line.refresh_from_db()
    assert line.status == LineStatus.PROPOSED

    response = shopper.post(url, {"accept": answer})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.status == expected
    # A second answer finds no question.
    again = shopper.post(url, {"accept": answer})
    assert again.status_code == 409
    assert "Not answered:" in again.content.decode()
