"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Where /usr/bin/chromium is missing the tests are skipped with a visible reason; with CI=true
a missing browser is a failure, so that CI never silently skips them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import LazySettings
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from hyperlocal.regions.models import Region
from tests.web.world import World, build_world

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
# thread with a running loop unless told that this is safe (it is: nothing here is async).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
XSTATIC_FINDER = "hyperlocal.web.finders.XStaticFinder"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM} (install Debian's chromium package)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: CI must run the browser tests")
        pytest.skip(f"{reason}: browser tests skipped")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture(autouse=True)
def _leaflet_static(settings: LazySettings) -> None:
    """Serve Leaflet from the xstatic package even before the project settings list the finder."""
    if XSTATIC_FINDER not in settings.STATICFILES_FINDERS:
        settings.STATICFILES_FINDERS = [*settings.STATICFILES_FINDERS, XSTATIC_FINDER]


@pytest.fixture
def world(transactional_db: None, mapo: Region) -> World:
    return build_world()
