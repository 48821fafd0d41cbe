"""A delivery end to end in real browsers: the resident places an order, the hub operator
packs it on the board, a dispatch round gives it to the courier (the service, as the worker
runs it: the board has no round button), and the courier, in a phone-sized context, follows
"My route" from the menu, clocks in, picks up, reads the proof code off the resident's order
page and delivers with it; the resident's page then shows "delivered"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from hyperlocal.accounts.roles import Role, grant_role
from hyperlocal.dispatch.models import Courier, Shift
from hyperlocal.dispatch.services.rounds import run_round
from hyperlocal.orders.models import Order
from tests.e2e.test_order_flow import log_in, watch
from tests.factories import UserFactory
from tests.web.shop_world import Shop, build_shop
from tests.web.world import World


def _courier(shop: Shop) -> Courier:
    user = UserFactory(username="rider", display_name="Rider Kim")
    grant_role(user, Role.COURIER)
    courier = Courier.objects.create(user=user, mode="bike", capacity_items=10, home_hub=shop.hub)
    now = timezone.now()
    Shift.objects.create(
        courier=courier, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=6)
    )
    return courier


def _operator_packs(browser: Browser, base: str, shop: Shop, order: Order, failed: list[str]) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    try:
        ops = context.new_page()
        watch(ops, failed)
        log_in(ops, base, shop.operator.username)
        ops.goto(f"{base}/ops/hubs/{shop.hub.slug}/")
        ops.click(f'[data-order="{order.code}"]')
        ops.click("#start-picking")
        expect(ops.locator("#shipment-status")).to_have_attribute("data-status", "picking")
        while ops.locator(".pick-line .pick-all").count():
            ops.locator(".pick-line .pick-all").first.click()
            ops.wait_for_load_state()
        ops.click("#pack")
        expect(ops.locator("#shipment-status")).to_have_attribute("data-status", "packed")
    finally:
        context.close()


@pytest.mark.browser
def test_the_courier_delivers_with_the_code_on_the_residents_page(
    live_server: LiveServer, world: World, browser: Browser, context: BrowserContext, page: Page
) -> None:
    shop = build_shop(world)
    courier = _courier(shop)
    base = live_server.url
    failed: list[str] = []
    watch(page, failed)

    # The resident orders a box of tangerines and pays with the test provider.
    log_in(page, base, world.resident.username)
    page.goto(f"{base}/products/{world.tangerine.pk}/")
    page.locator(f"#add-{world.tangerine.pk} button[type=submit]").click()
    expect(page.locator("#cart-count")).to_have_text("1")
    page.goto(f"{base}/checkout/")
    page.click("#pay-button")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    order = Order.objects.get(customer=world.resident)

    _operator_packs(browser, base, shop, order, failed)

    # The courier, on a phone-sized screen: the menu leads to the route; clock in.
    rider_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    rider_context.set_default_timeout(15_000)
    try:
        rider = rider_context.new_page()
        watch(rider, failed)
        log_in(rider, base, courier.user.username)
        rider.click("#nav-courier")
        rider.wait_for_url(f"{base}/courier/")
        rider.click("#clock-in")
        expect(rider.locator("#clock-out")).to_be_visible()

        # A dispatch round (the worker's job) plans the trip; the courier picks it up.
        outcome = run_round(shop.hub, strategy="greedy")
        assert outcome.assigned == {order.shipments.get().pk: courier.pk}
        rider.reload()
        expect(rider.locator("main")).to_contain_text(order.code)
        rider.click("#picked-up")
        expect(rider.locator("#next-stop")).to_contain_text(order.code)

        # The resident's page shows the courier, the ETA and the code to tell at the door.
        page.reload()
        expect(page.locator("#order-status")).to_have_attribute("data-status", "out_for_delivery")
        expect(page.locator("main")).to_contain_text("Courier: Rider Kim")
        expect(page.locator("main")).to_contain_text(re.compile(r"Arriving about \d\d:\d\d"))
        code = page.locator(".proof-code").inner_text().strip()
        assert re.fullmatch(r"\d{4}", code)

        rider.fill("#proof-code", code)
        rider.click("#delivered")
        expect(rider.locator("main")).to_contain_text("Delivered.")
        expect(rider.locator("#next-stop")).to_have_count(0)
    finally:
        rider_context.close()

    page.reload()
    expect(page.locator("#order-status")).to_have_attribute("data-status", "delivered")
    assert failed == []
