"""The local-currency "done when", in a real browser: the resident opens /wallet/, sees the
price of the vouchers (10 % off), buys 50,000 won of them with the test card and sees the
balance; fills a cart, pays part of the order with vouchers at checkout (#voucher_won) and
the rest by card; the order page shows what was paid how, and the wallet shows the hold."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from hyperlocal.catalog.models import BusinessCategory
from hyperlocal.orders.models import Order, Payment
from hyperlocal.wallet.models import BenefitKind, Programme, VoucherHold, VoucherPurchase, Wallet
from hyperlocal.wallet.services import check_ledger, open_programme
from tests.e2e.test_order_flow import log_in, watch
from tests.web.shop_world import build_shop
from tests.web.world import World


def mapo_love(world: World) -> Programme:
    """The demo district's programme, as the demo opens it."""
    with transaction.atomic():
        return open_programme(
            code="mapo-love",
            name_ko="마포사랑상품권",
            region=world.tangerine.merchant.region,
            benefit=BenefitKind.DISCOUNT,
            monthly_purchase_cap_won=700_000,
            now=timezone.now(),
            name_en="Mapo Love Voucher",
            benefit_bp=1000,
            refund_threshold_bp=6000,
            settlement_fee_bp=100,
            excluded_categories=[BusinessCategory.ENTERTAINMENT],
        )


@pytest.mark.browser
def test_resident_buys_vouchers_and_pays_part_of_an_order_with_them(
    live_server: LiveServer, world: World, page: Page
) -> None:
    build_shop(world)
    mapo_love(world)
    base = live_server.url
    failed: list[str] = []
    watch(page, failed)

    # The wallet: nothing yet, the price of the vouchers, the test card plainly labelled.
    log_in(page, base, world.resident.username)
    page.click("#nav-wallet")
    page.wait_for_url(f"{base}/wallet/")
    expect(page.locator("#no-vouchers")).to_be_visible()
    buy = page.locator("#buy-mapo-love")
    expect(buy.locator(".buy-price")).to_have_text("pay 90,000 won, receive 100,000 won")
    expect(buy.locator(".test-payment")).to_contain_text("moves no money")
    buy.locator("input[name=amount_won]").fill("50000")
    expect(buy.locator(".buy-price")).to_have_text("pay 45,000 won, receive 50,000 won")
    buy.locator(".buy-button").click()
    page.wait_for_url(f"{base}/wallet/")
    expect(page.locator(".messages")).to_contain_text(
        "You bought 50,000 won of Mapo Love Voucher for 45,000 won."
    )
    wallet = Wallet.objects.get(user=world.resident)
    card = page.locator(f"#wallet-{wallet.pk}")
    expect(card).to_have_attribute("data-available", "50000")
    expect(card.locator(".available")).to_have_text("50,000원")
    assert VoucherPurchase.objects.get().paid_won == 45_000

    # A cart: two boxes of tangerines (18,900 won each) and a bag of candy (1,500 won).
    page.goto(f"{base}/products/{world.tangerine.pk}/")
    control = page.locator(f"#add-{world.tangerine.pk}")
    control.locator("input[name=quantity]").fill("2")
    control.locator("button[type=submit]").click()
    expect(page.locator(f"#add-{world.tangerine.pk}")).to_contain_text("2 in your cart")
    page.goto(f"{base}/products/{world.candy.pk}/")
    page.locator(f"#add-{world.candy.pk} button[type=submit]").click()
    expect(page.locator("#cart-count")).to_have_text("2")
    page.click("#nav-cart")
    expect(page.locator("#cart-total")).to_have_text("39,300원")

    # Checkout: the vouchers could pay the whole basket; the resident pays 30,000 won with them.
    page.click("#to-checkout")
    expect(page.locator("#checkout-total")).to_have_text("39,300원")
    voucher_won = page.locator("#voucher_won")
    expect(voucher_won).to_be_visible()
    page.locator("#use-vouchers").click()
    expect(voucher_won).to_have_value("39300")
    voucher_won.fill("30000")
    page.click("#pay-button")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    order = Order.objects.get(customer=world.resident)
    rows = {p.tender: p.authorised_won for p in Payment.objects.filter(order=order)}
    assert rows == {"card": 9_300, "voucher": 30_000}
    assert sum(h.held_won for h in VoucherHold.objects.filter(order=order)) == 30_000

    # The order page says what was paid how.
    payments = page.locator("#payments")
    expect(payments.locator('[data-tender="voucher"]')).to_contain_text("30,000원")
    expect(payments.locator('[data-tender="card"]')).to_contain_text("9,300원")

    # The wallet shows the hold: 20,000 won left to spend, 30,000 won held until delivery.
    page.click("#nav-wallet")
    card = page.locator(f"#wallet-{wallet.pk}")
    expect(card).to_have_attribute("data-available", "20000")
    expect(card).to_have_attribute("data-held", "30000")
    expect(card.locator(".held-won")).to_have_text("30,000원")
    page.click(f"#wallet-{wallet.pk} .statement-link")
    expect(page.locator("tr.kind-payment.state-pending")).to_contain_text("(-30,000원)")

    assert check_ledger() == []
    assert failed == []
