"""A resident logs in, sees their neighbourhood on the map, verifies it by GPS and finds a
regional specialty, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.factories import HONGDAE
from tests.web.world import PASSWORD, World


@pytest.mark.browser
def test_resident_sees_neighbourhood_and_finds_a_regional_specialty(
    live_server: LiveServer, world: World, context: BrowserContext, page: Page
) -> None:
    failed: list[str] = []
    page.on("pageerror", lambda error: failed.append(str(error)))
    page.on("response", lambda r: failed.append(r.url) if "/static/" in r.url and r.status >= 400 else None)

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", world.resident.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form [type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    # The neighbourhood map: Leaflet has drawn the cells as SVG paths.
    page.wait_for_selector("#map[data-ready=true]")
    cells = page.locator("#map svg path.nb-cell")
    assert cells.count() > 1
    assert page.locator("#map svg path.nb-home").count() == 1
    assert page.locator("#map svg path.dong").count() == 16
    expect(page.locator("#verification-status")).to_contain_text("Verified on")

    # Verify again from home: the browser's position is posted and the server agrees.
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"latitude": HONGDAE.lat, "longitude": HONGDAE.lng})
    page.click("#verify-button")
    expect(page.locator(".message.success")).to_contain_text("Neighbourhood verified")

    # Products: tick the specialty filter and search; htmx swaps the results in place.
    page.click(".site-nav >> text=Products")
    page.check("#id_specialty")
    page.fill("#id_q", "감귤")
    page.wait_for_url(re.compile(r"q=%EA%B0%90%EA%B7%A4"))
    results = page.locator("#results")
    expect(results).to_contain_text("제주 감귤 3kg")
    expect(results).to_contain_text("18,900원")
    expect(results).not_to_contain_text("감귤맛 사탕")  # matches the words, but no specialty
    assert "specialty=on" in page.url

    page.fill("#id_q", "tangerine")
    page.wait_for_url(re.compile(r"q=tangerine"))
    expect(results).to_contain_text("Jeju tangerines 3 kg")
    expect(results).not_to_contain_text("Tangerine-flavoured candy")
    assert page.locator("header.site-header").count() == 1  # a fragment was swapped, not a page

    assert failed == []
