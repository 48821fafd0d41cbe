"""The issue's "done when", in real browsers: the resident fills a cart, sees a promise, pays
with the test provider and follows the order, while a second browser context, the hub
operator, starts picking, picks every line and packs it; the resident's tracking page
(refreshing itself) then shows "packed"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from hyperlocal.orders.models import Order
from tests.web.shop_world import Shop, build_shop
from tests.web.world import PASSWORD, World

REFRESH_WAIT_MS = 25_000  # the tracking page polls every 10 s


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form [type=submit]")
    page.wait_for_url(f"{base}/")


def watch(page: Page, failed: list[str]) -> None:
    page.on("pageerror", lambda error: failed.append(str(error)))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 500 else None)


@pytest.mark.browser
def test_resident_orders_and_the_operator_picks_and_packs(
    live_server: LiveServer, world: World, browser: Browser, context: BrowserContext, page: Page
) -> None:
    shop: Shop = build_shop(world)
    base = live_server.url
    failed: list[str] = []
    watch(page, failed)

    # The resident fills a cart: two boxes of tangerines from the product page (htmx)...
    log_in(page, base, world.resident.username)
    page.goto(f"{base}/products/{world.tangerine.pk}/")
    control = page.locator(f"#add-{world.tangerine.pk}")
    control.locator("input[name=quantity]").fill("2")
    control.locator("button[type=submit]").click()
    expect(page.locator(f"#add-{world.tangerine.pk}")).to_contain_text("2 in your cart")
    expect(page.locator("#cart-count")).to_have_text("1")
    # ...and candy from the product list.
    page.goto(f"{base}/products/?q=%EC%82%AC%ED%83%95")  # 사탕
    page.locator(f"#add-{world.candy.pk} button").click()
    expect(page.locator(f"#add-{world.candy.pk}")).to_contain_text("1 in cart")
    expect(page.locator("#cart-count")).to_have_text("2")

    page.click("#nav-cart")
    expect(page.locator("#hold-timer")).to_contain_text(re.compile(r"held for 1[45] more minutes"))
    expect(page.locator("#cart-total")).to_have_text("39,300원")

    # Checkout: the promise, and a plainly labelled test payment.
    page.click("#to-checkout")
    expect(page.locator("#promise")).to_contain_text(re.compile(r"Arrives in about \d+ min from Seogyo Hub"))
    expect(page.locator("#test-payment-note")).to_contain_text("moves no money")
    page.click("#pay-button")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    order = Order.objects.get(customer=world.resident)
    expect(page.locator("#order-status")).to_have_attribute("data-status", "placed")

    # The hub operator, in a second browser context.
    operator_context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="en-GB")
    operator_context.set_default_timeout(15_000)
    try:
        ops = operator_context.new_page()
        watch(ops, failed)
        log_in(ops, base, shop.operator.username)
        ops.click(".site-nav >> text=Board")
        ops.wait_for_url(f"{base}/ops/hubs/{shop.hub.slug}/")
        ops.click(f'[data-order="{order.code}"]')
        ops.click("#start-picking")
        expect(ops.locator("#shipment-status")).to_have_attribute("data-status", "picking")
        expect(page.locator("#order-status")).to_have_attribute(
            "data-status", "picking", timeout=REFRESH_WAIT_MS
        )

        # Pick every line (in walking order: the candy's bin A-02-1 before the tangerines').
        lines = ops.locator(".pick-line .pick-all")
        assert lines.count() == 2
        expect(ops.locator(".pick-line").first).to_contain_text("감귤맛 사탕")
        while ops.locator(".pick-line .pick-all").count():
            ops.locator(".pick-line .pick-all").first.click()
            ops.wait_for_load_state()
        expect(ops.locator(".pick-line.status-picked")).to_have_count(2)
        ops.click("#pack")
        expect(ops.locator("#shipment-status")).to_have_attribute("data-status", "packed")
    finally:
        operator_context.close()

    # The resident's page refreshes itself and shows "packed".
    expect(page.locator("#order-status")).to_have_attribute("data-status", "packed", timeout=REFRESH_WAIT_MS)
    expect(page.locator("#order-status")).to_have_text(re.compile("packed", re.IGNORECASE))
    assert failed == []
