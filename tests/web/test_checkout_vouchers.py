"""Checkout with local-currency vouchers on the pages: how much they can pay, a button that
fills the field, the lines they cannot pay and why, paying part of the order with them, and
the order page saying what was paid how (in Korean too)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hyperlocal.orders.models import CartLine, Order, Payment
from hyperlocal.wallet.programmes import Programme
from hyperlocal.wallet.services.accounts import balance
from tests.orders.tender_fixtures import everything, exclude, grant, programme_at
from tests.web.shop_world import Shop
from tests.web.test_checkout import key_of

CHECKOUT = reverse("web:checkout")
LINE = reverse("web:cart_line")


@pytest.fixture
def programme(shop: Shop) -> Programme:
    """Mapo-gu's programme; the resident holds 50,000 won of policy-issued vouchers."""
    programme = programme_at(timezone.now())
    grant(shop.world.resident, programme, 50_000, timezone.now())
    return programme


def fill(client: Client, shop: Shop) -> None:
    """A tangerine box (18,900 won) and a candy (1,500 won) whose merchant takes no vouchers."""
    exclude(shop.world.candy)
    for product in (shop.world.tangerine, shop.world.candy):
        response = client.post(LINE, {"product": product.pk, "quantity": 1, "substitution": "allow"})
        assert response.status_code == 302


def test_the_page_offers_the_vouchers_and_says_what_they_cannot_pay(
    shop: Shop, shopper: Client, programme: Programme
) -> None:
    fill(shopper, shop)
    page = shopper.get(CHECKOUT).content.decode()
    assert 'name="voucher_won" id="voucher_won"' in page
    assert "Your vouchers can pay up to 18,900원 of this order (you have 50,000원)." in page
    assert re.search(r'id="use-vouchers" data-max="18900"[^>]*>Use my vouchers \(max 18,900원\)', page)
    reasons = re.search(r'<ul class="voucher-reasons" id="voucher-reasons">(.*?)</ul>', page, re.S)
    assert reasons is not None
    assert "감귤맛 사탕" in reasons.group(1)
    assert "excluded from the programme" in reasons.group(1)
    assert "제주 감귤" not in reasons.group(1)


def test_no_vouchers_no_voucher_field(shop: Shop, shopper: Client) -> None:
    fill(shopper, shop)
    page = shopper.get(CHECKOUT).content.decode()
    assert "voucher_won" not in page


def test_paying_part_with_vouchers_and_the_order_page_says_how(
    shop: Shop, shopper: Client, programme: Programme
) -> None:
    fill(shopper, shop)
    key = key_of(shopper.get(CHECKOUT).content.decode())
    form = {
        "delivery": "instant",
        "idempotency_key": key,
        "payment_token": "tok_test_ok",
        "voucher_won": "10000",
    }
    response = shopper.post(CHECKOUT, form)
    assert response.status_code == 302, response.content.decode()
    order = Order.objects.get()
    assert order.total_won == 18_900 + 1_500 + 3_000
    rows = {p.tender: p.authorised_won for p in Payment.objects.filter(order=order)}
    assert rows == {"card": order.total_won - 10_000, "voucher": 10_000}
    assert not CartLine.objects.exists()
    wallet = shop.world.resident.voucher_wallets.get()
    assert balance(wallet.account).debits_pending == 10_000

    page = shopper.get(reverse("web:order", args=[order.pk])).content.decode()
    voucher = re.search(r'data-tender="voucher">(.*?)</tr>', page, re.S)
    card = re.search(r'data-tender="card">(.*?)</tr>', page, re.S)
    assert voucher is not None
    assert card is not None
    assert "Local-currency vouchers" in voucher.group(1)
    assert "10,000원" in voucher.group(1)
    assert "Card" in card.group(1)
    assert "13,400원" in card.group(1)
    assert "10,000 won of your vouchers held" in page  # the timeline


def test_more_than_the_vouchers_can_pay_is_refused_and_nothing_changes(
    shop: Shop, shopper: Client, programme: Programme
) -> None:
    fill(shopper, shop)
    key = key_of(shopper.get(CHECKOUT).content.decode())
    before = everything()
    form = {
        "delivery": "instant",
        "idempotency_key": key,
        "payment_token": "tok_test_ok",
        "voucher_won": "20000",
    }
    response = shopper.post(CHECKOUT, form)
    assert response.status_code == 422
    page = response.content.decode()
    assert "only 18,900 won of this order can be paid with your vouchers" in page
    assert 'value="20000"' in page  # what the resident typed stays, with a new key
    assert everything() == before
    bad = shopper.post(CHECKOUT, form | {"voucher_won": "-5"})
    assert bad.status_code == 422
    assert everything() == before


def test_in_korean(shop: Shop, programme: Programme) -> None:
    client = Client()
    client.force_login(shop.world.resident)
    fill(client, shop)
    page = client.get(CHECKOUT).content.decode()
    assert "<legend>지역화폐</legend>" in page
    assert "지역화폐 쓰기(최대 18,900원)" in page
    assert "지역화폐로 이 주문에서 최대 18,900원까지 낼 수 있습니다(보유 50,000원)." in page
    key = key_of(page)
    form = {
        "delivery": "instant",
        "idempotency_key": key,
        "payment_token": "tok_test_ok",
        "voucher_won": "5000",
    }
    assert client.post(CHECKOUT, form).status_code == 302
    order = Order.objects.get()
    page = client.get(reverse("web:order", args=[order.pk])).content.decode()
    assert "결제 수단" in page
    assert re.search(r'data-tender="voucher">\s*<th>지역화폐', page)
    assert re.search(r'data-tender="card">\s*<th>카드', page)
    assert "지역화폐 5,000원 보류" in page
