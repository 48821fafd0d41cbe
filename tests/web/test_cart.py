"""The cart page and the add-to-cart controls: holds, quantities, substitution, refusals."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from hyperlocal.inventory.models import Stock
from hyperlocal.orders.models import CartLine, StockHold
from tests.web.shop_world import Shop

CART = reverse("web:cart")
LINE = reverse("web:cart_line")


def reserved(shop: Shop, product_id: int) -> int:
    return Stock.objects.get(hub=shop.hub, product_id=product_id).reserved


@pytest.mark.django_db
def test_the_cart_needs_a_login(client: Client) -> None:
    response = client.get(CART)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))
    assert client.post(LINE, {"product": 1, "quantity": 1, "substitution": "allow"}).status_code == 302


@pytest.mark.django_db
def test_an_empty_cart_says_so(shop: Shop, shopper: Client) -> None:
    response = shopper.get(CART)
    assert response.status_code == 200
    assert "Your cart is empty." in response.content.decode()


@pytest.mark.django_db
def test_adding_holds_stock_and_shows_the_timer_and_totals(shop: Shop, shopper: Client) -> None:
    tangerine = shop.world.tangerine
    response = shopper.post(
        LINE, {"product": tangerine.pk, "quantity": 2, "substitution": "ask", "next": CART}
    )
    assert response.status_code == 302
    line = CartLine.objects.get(cart__user=shop.world.resident, product=tangerine)
    assert (line.quantity, line.substitution) == (2, "ask")
    assert StockHold.objects.get(product=tangerine).quantity == 2
    assert reserved(shop, tangerine.pk) == 2

    page = shopper.get(CART).content.decode()
    assert "held for 15 more minutes" in page
    assert "37,800원" in page  # 2 x 18,900
    assert "제주 감귤 3kg" in page
    assert 'id="cart-count">1<' in page  # the navigation's badge


@pytest.mark.django_db
def test_htmx_add_answers_with_the_control_and_the_badge(shop: Shop, shopper: Client) -> None:
    candy = shop.world.candy
    response = shopper.post(
        LINE,
        {"product": candy.pk, "quantity": 1, "substitution": "allow", "compact": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "1 in cart" in body
    assert 'hx-swap-oob="true">1</span>' in body
    assert 'name="quantity" value="2"' in body  # the next tap adds one more


@pytest.mark.django_db
def test_quantity_and_substitution_change_on_the_cart_page(shop: Shop, shopper: Client) -> None:
    tangerine = shop.world.tangerine
    shopper.post(LINE, {"product": tangerine.pk, "quantity": 1, "substitution": "allow"})
    response = shopper.post(
        LINE,
        {"product": tangerine.pk, "quantity": 3, "substitution": "never", "from": "cart"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "56,700원" in response.content.decode()
    line = CartLine.objects.get(product=tangerine)
    assert (line.quantity, line.substitution) == (3, "never")
    assert reserved(shop, tangerine.pk) == 3
    # Quantity 0 removes the line and gives the units back.
    shopper.post(LINE, {"product": tangerine.pk, "quantity": 0, "substitution": "never"})
    assert not CartLine.objects.filter(product=tangerine).exists()
    assert reserved(shop, tangerine.pk) == 0


@pytest.mark.django_db
def test_a_line_the_hubs_cannot_serve_is_flagged(shop: Shop, shopper: Client) -> None:
    rice = shop.world.rice  # no hub holds any
    shopper.post(LINE, {"product": rice.pk, "quantity": 1, "substitution": "allow"})
    page = shopper.get(CART).content.decode()
    assert "not available now" in page
    assert "Some items cannot be delivered now" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"quantity": -1, "substitution": "allow"}, 422),
        ({"quantity": 1000, "substitution": "allow"}, 422),
        ({"quantity": "two", "substitution": "allow"}, 422),
        ({"quantity": 1, "substitution": "maybe"}, 422),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    shop: Shop, shopper: Client, data: dict[str, object], status: int
) -> None:
    response = shopper.post(LINE, {"product": shop.world.tangerine.pk, **data})
    assert response.status_code == status
    assert "The cart was not changed" in response.content.decode()
    assert not CartLine.objects.exists()
    assert reserved(shop, shop.world.tangerine.pk) == 0


@pytest.mark.django_db
def test_an_unknown_product_is_refused(shop: Shop, shopper: Client) -> None:
    response = shopper.post(LINE, {"product": 987654, "quantity": 1, "substitution": "allow"})
    assert response.status_code == 404
    assert "does not exist" in response.content.decode()
    assert not CartLine.objects.exists()
    htmx = shopper.post(
        LINE, {"product": 987654, "quantity": 1, "substitution": "allow"}, HTTP_HX_REQUEST="true"
    )
    assert htmx.status_code == 404
    assert "does not exist" in htmx.content.decode()


@pytest.mark.django_db
def test_product_pages_carry_the_add_control(shop: Shop, shopper: Client, client: Client) -> None:
    tangerine = shop.world.tangerine
    detail = shopper.get(reverse("web:product", args=[tangerine.pk])).content.decode()
    assert "Add to cart" in detail
    assert 'name="substitution"' in detail
    listing = shopper.get(reverse("web:products")).content.decode()
    assert f'id="add-{tangerine.pk}"' in listing
    # Visitors are asked to log in instead.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Log in to buy" in client.get(reverse("web:product", args=[tangerine.pk])).content.decode()
