"""Screenshots of a running hyperlocal for the README, at a phone and a desktop width.

    python scripts/screenshots.py --url http://127.0.0.1:8000 \
        --username <resident> --password <password> \
        --admin-username <admin> --admin-password <password> \
        --operator-username <hub operator> --operator-password <password> \
        --merchant-username <merchant staff> --merchant-password <password> \
        --planner-username <hub operator or platform admin> --planner-password <password>

Drives Debian's Chromium (/usr/bin/chromium) through Playwright; never downloads a browser.
Korean text needs a Korean font on the machine (e.g. Debian's fonts-nanum or fonts-noto-cjk).
Saves docs/screenshots/{home,products,hub,admin}-{phone,desktop}.png.

With an operator login it also takes the commerce tour, which changes the demo: the resident
empties the cart, adds the first --cart-items products of the search to it and PLACES ONE ORDER
with the test payment (no money moves); the operator then starts picking that order. So each
run leaves one more order, in picking, in the demo. It saves
{cart,checkout,order,board,picking,hub-stock}-{size}.png, and merchant-stock-{size}.png with a
merchant login. The new shots are cut at --max-height pixels when the page is taller, and
every PNG is re-encoded smaller with Pillow. With a courier login too, the operator packs the
order, the courier clocks in (courier-{size}.png), and the script waits for the demo's worker to
give the order to a courier (order-courier-{size}.png).

With a programme admin login (--programme-username) it also takes the local-currency pages:
the resident's vouchers (wallet-{size}.png), the programme admin's dashboard
(programme-{size}.png) and, with a merchant login, the merchant's voucher sales
(merchant-vouchers-{size}.png). It buys nothing.

With a planner login (--planner-username: a hub operator or a platform admin, e.g. the demo's
demo-admin) it also takes the site planner: it ASKS FOR ONE SITE PLAN (maximal covering with
--plan-p new sites within a --plan-promise minute ride and the comparison up to --plan-curve;
this adds a plan to the demo's list, and the demo's worker runs it), waits for it to finish,
and saves the form with the recent plans (planning-{size}.png) and the done plan with its map
(plan-{size}.png). It opens no hub.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlparse

from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

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
SMALL_PNG_BYTES = 400_000  # above this, a shot is reduced to a 256-colour palette


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


def new_context(
    browser: Browser, args: argparse.Namespace, size: str, *, touch: bool = True
) -> BrowserContext:
    mobile = size == "phone"
    context = browser.new_context(
        viewport=SIZES[size],
        device_scale_factor=2 if mobile else 1,
        is_mobile=mobile and touch,
        has_touch=mobile and touch,
        locale=args.lang,
    )
    context.add_cookies([{"name": "django_language", "value": args.lang, "url": args.url.rstrip("/") + "/"}])
    return context


def save(
    page: Page,
    path: Path,
    args: argparse.Namespace,
    *,
    full_page: bool = True,
    cut: bool = True,
    keep: str = "",
) -> None:
    """A screenshot of the page, cut at --max-height device pixels (but below the element
    `keep` if there is one: the checkout's pay button), then made smaller. The home and hub
    pages are not cut: their README rows describe the whole page."""
    if full_page and cut:
        scale = page.evaluate("window.devicePixelRatio") or 1
        height = page.evaluate("document.documentElement.scrollHeight")
        width = page.viewport_size["width"] if page.viewport_size else 0
        tallest = int(args.max_height / scale)
        box = page.locator(keep).first.bounding_box() if keep and page.locator(keep).count() else None
        if box is not None:
            tallest = max(tallest, int(box["y"] + box["height"] + 16))
        if height > tallest:
            page.screenshot(
                path=path, full_page=True, clip={"x": 0, "y": 0, "width": width, "height": tallest}
            )
        else:
            page.screenshot(path=path, full_page=True)
    else:
        page.screenshot(path=path, full_page=full_page)
    shrink(path)


def shrink(path: Path) -> None:
    """Re-encode the PNG with Pillow's optimiser, keeping whichever file is smaller; a palette
    of 256 colours if it is still too big."""
    original = path.read_bytes()
    with Image.open(io.BytesIO(original)) as image:
        image.load()
    smaller = io.BytesIO()
    image.save(smaller, format="PNG", optimize=True)
    if smaller.tell() < len(original):
        path.write_bytes(smaller.getvalue())
    if path.stat().st_size > SMALL_PNG_BYTES:
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def shoot(browser: Browser, args: argparse.Namespace, size: str, out: Path) -> None:
    base = args.url.rstrip("/") + "/"
    mobile = size == "phone"
    context = new_context(browser, args, size)
    page = context.new_page()

    log_in(page, base, "/login/", args.username, args.password)
    goto(page, base)
    wait_for_map(page)
    save(page, out / f"home-{size}.png", args, cut=False)

    goto(page, urljoin(base, "/products/?" + urlencode({"q": args.query, "specialty": "on"})))
    save(page, out / f"products-{size}.png", args, full_page=not mobile)

    goto(page, urljoin(base, args.hub or first_hub_path(page, base)))
    wait_for_map(page)
    save(page, out / f"hub-{size}.png", args, cut=False)
    context.close()

    if args.admin_username:
        context = new_context(browser, args, size, touch=False)
        page = context.new_page()
        log_in(page, base, "/admin/login/", args.admin_username, args.admin_password)
        goto(page, urljoin(base, args.admin_path))
        save(page, out / f"admin-{size}.png", args, full_page=False)
        context.close()


# -- the commerce tour: cart, checkout, order, then the hub's and the merchant's screens ---------


def empty_cart(page: Page, base: str) -> None:
    goto(page, urljoin(base, "/cart/"))
    for _ in range(100):
        remove = page.locator(".remove-form [type=submit]")
        if not remove.count():
            return
        with page.expect_navigation():  # the plain form post (no htmx): the cart page again
            remove.first.evaluate("button => button.form.submit()")
        page.wait_for_load_state("networkidle")
    sys.exit("could not empty the resident's cart")


def fill_cart(page: Page, base: str, args: argparse.Namespace) -> None:
    """Adds the first --cart-items products of the search with their add-to-cart buttons."""
    empty_cart(page, base)
    goto(page, urljoin(base, "/products/?" + urlencode({"q": args.query, "specialty": "on"})))
    controls = page.locator("form.add-control")
    if controls.count() < args.cart_items:
        sys.exit(
            f"the search {args.query!r} shows {controls.count()} products; --cart-items is {args.cart_items}"
        )
    for n in range(args.cart_items):
        form_id = controls.nth(n).get_attribute("id")
        page.click(f"#{form_id} .add-button")
        try:
            page.wait_for_selector(f"#{form_id} .in-cart", timeout=10_000)
        except PlaywrightTimeout:
            feedback = page.locator(f"#{form_id} .add-feedback")
            feedback_text = feedback.inner_text() if feedback.count() else ""
            sys.exit(
                f"adding product {n + 1} of the search to the cart failed: {feedback_text or 'no answer'}"
            )


def place_order(page: Page, base: str) -> str:
    """Pays with the test card that pays; returns the path of the order's tracking page."""
    goto(page, urljoin(base, "/checkout/"))
    if not page.locator("#pay-button").count():
        problem = page.locator("#checkout-problem, .promise-line").first
        sys.exit(
            f"checkout offers no payment: {problem.inner_text() if problem.count() else 'no reason shown'}"
        )
    page.check("input[name=payment_token][value=tok_test_ok]")
    page.click("#pay-button")
    page.wait_for_load_state("networkidle")
    path = urlparse(page.url).path
    if not path.startswith("/orders/"):
        message = page.locator(".message.error").first
        sys.exit(f"the order was not placed: {message.inner_text() if message.count() else page.url}")
    return path


def tour(browser: Browser, args: argparse.Namespace, sizes: list[str], out: Path) -> None:
    base = args.url.rstrip("/") + "/"

    # The resident: one context per size, sharing the server-side cart.
    contexts = {size: new_context(browser, args, size) for size in sizes}
    pages = {size: context.new_page() for size, context in contexts.items()}
    for page in pages.values():
        log_in(page, base, "/login/", args.username, args.password)
    first = pages[sizes[0]]
    fill_cart(first, base, args)
    for size, page in pages.items():
        goto(page, urljoin(base, "/cart/"))
        save(page, out / f"cart-{size}.png", args)
        goto(page, urljoin(base, "/checkout/"))
        save(page, out / f"checkout-{size}.png", args, keep="#pay-button")
    order_path = place_order(first, base)
    for size, page in pages.items():
        goto(page, urljoin(base, order_path))
        save(page, out / f"order-{size}.png", args)
    shipment_ids = [str(s.get_attribute("data-shipment")) for s in first.locator("[data-shipment]").all()]
    for context in contexts.values():
        context.close()
    if not shipment_ids:
        sys.exit(f"{order_path} shows no shipment")

    # The operator: the board, then the order's shipment once picking has started.
    contexts = {size: new_context(browser, args, size) for size in sizes}
    pages = {size: context.new_page() for size, context in contexts.items()}
    for page in pages.values():
        log_in(page, base, "/login/", args.operator_username, args.operator_password)
    first = pages[sizes[0]]
    shipment_path = ""
    for shipment_id in shipment_ids:
        response = first.goto(urljoin(base, f"/ops/shipments/{shipment_id}/"))
        if response is not None and response.ok:
            shipment_path = f"/ops/shipments/{shipment_id}/"
            break
    if not shipment_path:
        sys.exit(
            f"{args.operator_username!r} operates none of the hubs of {order_path}: choose another --query"
        )
    board_path = str(first.locator("main a[href^='/ops/hubs/']").first.get_attribute("href"))
    for size, page in pages.items():
        goto(page, urljoin(base, board_path))
        save(page, out / f"board-{size}.png", args)
    goto(first, urljoin(base, shipment_path))
    if not first.locator("#start-picking").count():
        sys.exit(f"{shipment_path} offers no 'start picking' (someone else took the order?)")
    first.click("#start-picking")
    first.wait_for_load_state("networkidle")
    if first.locator("#shipment-status").get_attribute("data-status") != "picking":
        sys.exit(f"picking did not start at {shipment_path}")
    for size, page in pages.items():
        goto(page, urljoin(base, shipment_path))
        save(page, out / f"picking-{size}.png", args)
        goto(page, urljoin(base, board_path + "stock/"))
        save(page, out / f"hub-stock-{size}.png", args)
    if args.courier_username:
        # Pack it, so that a dispatch round of the demo's worker gives it to a courier.
        goto(first, urljoin(base, shipment_path))
        while first.locator(".pick-line .pick-all").count():
            first.locator(".pick-line .pick-all").first.click()
            first.wait_for_load_state("networkidle")
        first.click("#pack")
        first.wait_for_load_state("networkidle")
    for context in contexts.values():
        context.close()

    if args.courier_username:
        courier_tour(browser, args, sizes, out, order_path)

    if args.merchant_username:
        for size in sizes:
            context = new_context(browser, args, size)
            page = context.new_page()
            log_in(page, base, "/login/", args.merchant_username, args.merchant_password)
            goto(page, urljoin(base, "/merchant/stock/"))
            save(page, out / f"merchant-stock-{size}.png", args)
            context.close()


def voucher_tour(browser: Browser, args: argparse.Namespace, sizes: list[str], out: Path) -> None:
    """The local-currency pages of the resident, the programme admin and the merchant."""
    base = args.url.rstrip("/") + "/"
    logins = [(args.username, args.password, "/wallet/", "wallet")]
    logins.append((args.programme_username, args.programme_password, "/programme/", "programme"))
    if args.merchant_username:
        logins.append(
            (args.merchant_username, args.merchant_password, "/merchant/vouchers/", "merchant-vouchers")
        )
    for username, password, path, name in logins:
        for size in sizes:
            context = new_context(browser, args, size)
            page = context.new_page()
            log_in(page, base, "/login/", username, password)
            goto(page, urljoin(base, path))
            save(page, out / f"{name}-{size}.png", args)
            context.close()


def planner_tour(browser: Browser, args: argparse.Namespace, sizes: list[str], out: Path) -> None:
    """The site planner: one plan asked for at the first size, then its page at every size."""
    base = args.url.rstrip("/") + "/"
    contexts = {size: new_context(browser, args, size) for size in sizes}
    pages = {size: context.new_page() for size, context in contexts.items()}
    for page in pages.values():
        log_in(page, base, "/login/", args.planner_username, args.planner_password)
    first = pages[sizes[0]]
    goto(first, urljoin(base, "/planning/"))
    form = first.locator("#plan-form")
    if not form.count():
        sys.exit(f"{args.planner_username!r} gets no plan form at /planning/ (a hub operator or admin?)")
    form.locator("select[name=model]").select_option("mclp")
    form.locator("input[name=p]").fill(str(args.plan_p))
    form.locator("input[name=promise_minutes]").fill(str(args.plan_promise))
    form.locator("input[name=curve_up_to]").fill(str(args.plan_curve))
    with first.expect_navigation():
        form.locator("#run-plan").click()
    first.wait_for_load_state("networkidle")
    plan_path = urlparse(first.url).path
    if not plan_path.startswith("/planning/plans/"):
        message = first.locator(".message.error, .field .error").first
        sys.exit(f"the plan was not asked for: {message.inner_text() if message.count() else first.url}")
    # The page polls the plan and reloads itself when it is done; the demo's worker runs it.
    try:
        first.wait_for_selector(
            "#plan-status[data-status=done], #plan-status[data-status=failed]", timeout=300_000
        )
    except PlaywrightTimeout:
        sys.exit(f"{plan_path} did not finish within five minutes: is the demo's worker running?")
    if first.locator("#plan-status").get_attribute("data-status") != "done":
        error = first.locator("#plan-error")
        sys.exit(f"{plan_path} failed: {error.inner_text() if error.count() else 'no reason shown'}")
    for size, page in pages.items():
        goto(page, urljoin(base, "/planning/"))
        save(page, out / f"planning-{size}.png", args)
        goto(page, urljoin(base, plan_path))
        wait_for_map(page)
        save(page, out / f"plan-{size}.png", args)
    for context in contexts.values():
        context.close()


def courier_tour(
    browser: Browser, args: argparse.Namespace, sizes: list[str], out: Path, order_path: str
) -> None:
    """The courier's route page (clocked in), then the resident's order once a courier has it:
    the demo's worker runs a dispatch round every minute, so this waits for up to three."""
    base = args.url.rstrip("/") + "/"
    for size in sizes:
        context = new_context(browser, args, size)
        page = context.new_page()
        log_in(page, base, "/login/", args.courier_username, args.courier_password)
        goto(page, urljoin(base, "/courier/"))
        if page.locator("#clock-in").count():
            page.click("#clock-in")
            page.wait_for_load_state("networkidle")
        save(page, out / f"courier-{size}.png", args)
        context.close()
    contexts = {size: new_context(browser, args, size) for size in sizes}
    pages = {size: context.new_page() for size, context in contexts.items()}
    for page in pages.values():
        log_in(page, base, "/login/", args.username, args.password)
    first = pages[sizes[0]]
    for _ in range(36):
        goto(first, urljoin(base, order_path))
        if first.locator(".proof-code").count():
            break
        first.wait_for_timeout(5000)
    else:
        sys.exit(f"no courier took {order_path} within three minutes: is the demo's worker running?")
    for size, page in pages.items():
        goto(page, urljoin(base, order_path))
        save(page, out / f"order-courier-{size}.png", args)
    for context in contexts.values():
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
    parser.add_argument(
        "--operator-username", default="", help="a hub operator; no commerce tour (and no order) without it"
    )
    parser.add_argument("--operator-password", default="")
    parser.add_argument(
        "--merchant-username", default="", help="merchant staff; needs the operator login too"
    )
    parser.add_argument("--merchant-password", default="")
    parser.add_argument(
        "--courier-username",
        default="",
        help="a courier; the operator then packs the order and the tour waits for its courier",
    )
    parser.add_argument("--courier-password", default="")
    parser.add_argument(
        "--programme-username", default="", help="a programme admin: the local-currency pages too"
    )
    parser.add_argument("--programme-password", default="")
    parser.add_argument(
        "--planner-username",
        default="",
        help="a hub operator or platform admin: asks for one site plan and shoots the planner",
    )
    parser.add_argument("--planner-password", default="")
    parser.add_argument("--plan-p", default=3, type=int, help="new sites in the planner's plan")
    parser.add_argument("--plan-curve", default=6, type=int, help="compare p = 1 to this in the plan")
    parser.add_argument(
        "--plan-promise", default=15, type=float, help="the plan's ride promise in minutes (bike)"
    )
    parser.add_argument("--cart-items", default=3, type=int, help="how many products of the search to order")
    parser.add_argument("--hub", default="", help="path of a hub page (default: the first hub listed)")
    parser.add_argument("--query", default="감귤", help="the specialty search to show (and to order from)")
    parser.add_argument("--lang", default="ko", choices=["ko", "en"])
    parser.add_argument("--out", default="docs/screenshots", type=Path)
    parser.add_argument("--sizes", default="phone,desktop", help="comma-separated: phone, desktop")
    parser.add_argument(
        "--max-height", default=2500, type=int, help="cut full-page shots at this many pixels"
    )
    args = parser.parse_args()
    sizes = [size.strip() for size in args.sizes.split(",") if size.strip()]
    unknown = [size for size in sizes if size not in SIZES]
    if unknown or not sizes:
        sys.exit(f"--sizes takes phone and/or desktop, not {','.join(unknown) or 'nothing'}")
    if args.cart_items < 1:
        sys.exit("--cart-items must be at least 1")
    if args.merchant_username and not args.operator_username:
        sys.exit("the merchant's page is part of the commerce tour: give --operator-username too")
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for size in sizes:
                shoot(browser, args, size, args.out)
            if args.operator_username:
                tour(browser, args, sizes, args.out)
            if args.programme_username:
                voucher_tour(browser, args, sizes, args.out)
            if args.planner_username:
                planner_tour(browser, args, sizes, args.out)
        finally:
            browser.close()
    for png in sorted(args.out.glob("*.png")):
        print(f"{png}  {png.stat().st_size // 1000} kB")


if __name__ == "__main__":
    main()
