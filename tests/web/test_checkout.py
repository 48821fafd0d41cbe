"""Checkout: the promise and why this hub, the test payment, the idempotency key of each
form, slots, and refusals that change nothing."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hyperlocal.hubs.services import refresh_service_area
from hyperlocal.inventory.models import Stock
from hyperlocal.inventory.services import receive_opening_stock
from hyperlocal.orders.models import CartLine, DeliverySlot, FulfilmentPolicy, Order, Payment, PromiseKind
from tests.factories import HubFactory, UserFactory
from tests.web.conftest import english
from tests.web.shop_world import Shop

CHECKOUT = reverse("web:checkout")
LINE = reverse("web:cart_line")


def fill_cart(client: Client, shop: Shop, quantity: int = 2) -> None:
    response = client.post(
        LINE, {"product": shop.world.tangerine.pk, "quantity": quantity, "substitution": "allow"}
    )
    assert response.status_code == 302


def key_of(page: str) -> str:
    found = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page)
    assert found, "the form carries an idempotency key"
    return found.group(1)


def tomorrow_noon() -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


@pytest.mark.django_db
def test_checkout_needs_a_login(client: Client) -> None:
    response = client.get(CHECKOUT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.django_db
def test_the_page_shows_the_promise_the_hub_and_the_test_payment(shop: Shop, shopper: Client) -> None:
    fill_cart(shopper, shop)
    response = shopper.get(CHECKOUT)
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r"Arrives in about \d+ min from Seogyo Hub", page)
    assert "Which hub, and why" in page
    assert "test payment provider that moves no money" in page
    assert "37,800원" in page
    assert re.search(r"Delivery</th><td class=\"num\">free", page)  # from 30,000 won delivery is free
    # Each render carries a new key, so that two open forms are two attempts.
    assert key_of(page) != key_of(shopper.get(CHECKOUT).content.decode())


@pytest.mark.django_db
def test_paying_places_the_order_once_even_when_sent_twice(shop: Shop, shopper: Client) -> None:
    fill_cart(shopper, shop)
    key = key_of(shopper.get(CHECKOUT).content.decode())
    form = {"delivery": "instant", "idempotency_key": key, "payment_token": "tok_test_ok"}
    first = shopper.post(CHECKOUT, form)
    assert first.status_code == 302
    order = Order.objects.get()
    assert first["Location"] == reverse("web:order", args=[order.pk])
    assert order.customer == shop.world.resident
    assert order.total_won == 2 * 18_900  # free delivery from 30,000 won
    assert Payment.objects.get(order=order).provider == "test"
    assert not CartLine.objects.exists()
    stock = Stock.objects.get(hub=shop.hub, product=shop.world.tangerine)
    assert stock.reserved == 2  # the hold became the order's reservation

    again = shopper.post(CHECKOUT, form)  # the double submit
    assert again.status_code == 302
    assert again["Location"] == first["Location"]
    assert Order.objects.count() == 1
    assert Stock.objects.get(pk=stock.pk).reserved == 2


@pytest.mark.django_db
def test_a_declined_test_card_places_nothing_and_keeps_the_cart(shop: Shop, shopper: Client) -> None:
    fill_cart(shopper, shop)
    key = key_of(shopper.get(CHECKOUT).content.decode())
    response = shopper.post(
        CHECKOUT, {"delivery": "instant", "idempotency_key": key, "payment_token": "tok_test_decline"}
    )
    assert response.status_code == 402
    page = response.content.decode()
    assert "Not ordered:" in page
    assert key_of(page) != key  # a retry is a new attempt
    assert not Order.objects.exists()
    assert CartLine.objects.get().quantity == 2


@pytest.mark.django_db
def test_a_slot_delivery(shop: Shop, shopper: Client) -> None:
    starts = tomorrow_noon()
    DeliverySlot.objects.create(
        hub=shop.hub, starts_at=starts, ends_at=starts + timedelta(hours=1), capacity=2
    )
    fill_cart(shopper, shop, quantity=1)
    page = shopper.get(CHECKOUT).content.decode()
    assert starts.isoformat() in page
    assert "2 places left" in page
    response = shopper.post(
        CHECKOUT,
        {
            "delivery": "slot",
            "slot": starts.isoformat(),
            "idempotency_key": key_of(page),
            "payment_token": "tok_test_ok",
        },
    )
    assert response.status_code == 302
    shipment = Order.objects.get().shipments.get()
    assert shipment.promise_kind == PromiseKind.SLOT
    assert shipment.promised_from == starts
    assert DeliverySlot.objects.get(starts_at=starts).booked == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"delivery": "rocket"}, 422),
        ({"delivery": "slot"}, 422),  # no slot chosen
        ({"delivery": "slot", "slot": "2020-01-01T12:00:00+09:00"}, 422),  # no such slot
        ({"delivery": "instant", "idempotency_key": ""}, 422),
        ({"delivery": "instant", "payment_token": "tok_stolen"}, 422),
    ],
)
def test_bad_input_places_nothing(shop: Shop, shopper: Client, form: dict[str, str], status: int) -> None:
    fill_cart(shopper, shop)
    data = {"idempotency_key": "a" * 32, "payment_token": "tok_test_ok", **form}
    response = shopper.post(CHECKOUT, data)
    assert response.status_code == status
    assert "Not ordered:" in response.content.decode()
    assert not Order.objects.exists()
    assert CartLine.objects.count() == 1


@pytest.mark.django_db
def test_an_empty_cart_and_a_resident_without_home_are_told(shop: Shop, shopper: Client) -> None:
    empty = shopper.get(CHECKOUT)
    assert empty.status_code == 422
    assert "Your cart is empty." in empty.content.decode()
    response = shopper.post(CHECKOUT, {"delivery": "instant", "idempotency_key": "b" * 32})
    assert response.status_code == 422
    assert not Order.objects.exists()

    homeless = UserFactory(username="nohome")
    client = english(Client(), homeless)
    client.post(LINE, {"product": shop.world.tangerine.pk, "quantity": 1, "substitution": "allow"})
    page = client.get(CHECKOUT)
    assert page.status_code == 422
    assert "home" in page.content.decode()


@pytest.mark.django_db
def test_a_basket_no_single_hub_holds_is_split_into_two_shipments(shop: Shop, shopper: Client) -> None:
    # A second hub round the corner holds the rice that the first one lacks.
    other = HubFactory(
        name="Hapjeong Hub", slug="hapjeong", lat=37.5550, lng=126.9200, promise_minutes=20, prep_minutes=8
    )
    refresh_service_area(other)
    FulfilmentPolicy.objects.create(hub=other)
    receive_opening_stock(other, shop.world.rice, 5)
    fill_cart(shopper, shop, quantity=1)
    shopper.post(LINE, {"product": shop.world.rice.pk, "quantity": 1, "substitution": "allow"})

    page = shopper.get(CHECKOUT).content.decode()
    assert "two shipments from two hubs" in page
    assert "Shipment 1" in page
    assert "Shipment 2" in page
    response = shopper.post(
        CHECKOUT, {"delivery": "instant", "idempotency_key": key_of(page), "payment_token": "tok_test_ok"}
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert set(order.shipments.values_list("hub__slug", flat=True)) == {"seogyo", "hapjeong"}
    assert Payment.objects.filter(order=order).count() == 1
    tracking = shopper.get(response["Location"]).content.decode()
    assert "Hapjeong Hub" in tracking
    assert "Seogyo Hub" in tracking
    assert "Shipment 2" in tracking
