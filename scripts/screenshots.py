"""Screenshots of a running hyperlocal for the README, at a phone and a desktop width.

    python scripts/screenshots.py --url http://127.0.0.1:8000 \
        --username <resident> --password <password> \
        --admin-username <admin> --admin-password <password>

Drives Debian's Chromium (/usr/bin/chromium) through Playwright; never downloads a browser.
Korean text needs a Korean font on the machine (e.g. Debian's fonts-nanum or fonts-noto-cjk).
Saves docs/screenshots/{home,products,hub,admin}-{phone,desktop}.png.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlencode, urljoin

from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 900},
}


def log_in(page: Page, base: str, path: str, username: str, password: str) -> None:
    page.goto(urljoin(base, path))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form [type=submit], #content form [type=submit]")
    page.wait_for_load_state("networkidle")
    if page.locator("input[name=password]").count():
        sys.exit(f"could not log in as {username!r} at {path}")


def goto(page: Page, url: str) -> None:
    response = page.goto(url)
    if response is None or not response.ok:
        sys.exit(f"{url} answered {response.status if response else 'nothing'}")
    page.wait_for_load_state("networkidle")


def wait_for_map(page: Page) -> None:
    page.wait_for_selector("#map[data-ready=true]", timeout=15_000)
    page.wait_for_timeout(300)  # let Leaflet finish drawing after fitBounds


def first_hub_path(page: Page, base: str) -> str:
    page.goto(urljoin(base, "/hubs/"))
    link = page.locator(".cards a").first
    if not link.count():
        sys.exit("no hub is listed at /hubs/")
    return str(link.get_attribute("href"))


def shoot(browser: Browser, args: argparse.Namespace, size: str, out: Path) -> None:
    base = args.url.rstrip("/") + "/"
    mobile = size == "phone"
    context = browser.new_context(
        viewport=SIZES[size],
        device_scale_factor=2 if mobile else 1,
        is_mobile=mobile,
        has_touch=mobile,
        locale=args.lang,
    )
    context.add_cookies([{"name": "django_language", "value": args.lang, "url": base}])
    page = context.new_page()

    log_in(page, base, "/login/", args.username, args.password)
    goto(page, base)
    wait_for_map(page)
    page.screenshot(path=out / f"home-{size}.png", full_page=True)

    goto(page, urljoin(base, "/products/?" + urlencode({"q": args.query, "specialty": "on"})))
    page.screenshot(path=out / f"products-{size}.png", full_page=not mobile)

    goto(page, urljoin(base, args.hub or first_hub_path(page, base)))
    wait_for_map(page)
    page.screenshot(path=out / f"hub-{size}.png", full_page=True)
    context.close()

    if args.admin_username:
        context = browser.new_context(
            viewport=SIZES[size], device_scale_factor=2 if mobile else 1, locale=args.lang
        )
        context.add_cookies([{"name": "django_language", "value": args.lang, "url": base}])
        page = context.new_page()
        log_in(page, base, "/admin/login/", args.admin_username, args.admin_password)
        goto(page, urljoin(base, args.admin_path))
        page.screenshot(path=out / f"admin-{size}.png", full_page=False)
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", required=True, help="a resident with a household")
    parser.add_argument("--password", required=True)
    parser.add_argument("--admin-username", default="", help="a staff user; no admin screenshot without it")
    parser.add_argument("--admin-password", default="")
    parser.add_argument("--admin-path", default="/admin/catalog/product/", help="the changelist to show")
    parser.add_argument("--hub", default="", help="path of a hub page (default: the first hub listed)")
    parser.add_argument("--query", default="감귤", help="the specialty search to show")
    parser.add_argument("--lang", default="ko", choices=["ko", "en"])
    parser.add_argument("--out", default="docs/screenshots", type=Path)
    parser.add_argument("--sizes", default="phone,desktop", help="comma-separated: phone, desktop")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for size in args.sizes.split(","):
                shoot(browser, args, size.strip(), args.out)
        finally:
            browser.close()
    for png in sorted(args.out.glob("*.png")):
        print(png)


if __name__ == "__main__":
    main()
