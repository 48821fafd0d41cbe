"""The orders API as a resident uses it: cart, quote, placing (idempotent), own orders,
cancelling. Every bad input answers its exact 4xx and leaves every table as it was."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, get_args

import pytest
from django.test import Client
from django.utils import timezone

from hyperlocal.accounts.auth import issue_token
from hyperlocal.accounts.models import User
from hyperlocal.hubs.models import ServiceAreaCell
from hyperlocal.inventory.models import Stock
from hyperlocal.orders.models import (
    Cart,
    CartLine,
    DeliverySlot,
    LineStatus,
    Order,
    OrderStatus,
    Payment,
    StockHold,
    Substitution,
)
from hyperlocal.orders.schemas import LineStatusName, OrderStatusName, PaymentStatusName, SubstitutionChoice
from hyperlocal.regions.models import Region
from tests.factories import UserFactory
from tests.orders.conftest import Shop, build_shop, make_customer, snapshot

API = "/api/orders"


def bearer(user: User) -> dict[str, str]:
    _, key = issue_token(user, "tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


class Api:
    """A django.test.Client speaking JSON as one user (bearer token)."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers = bearer(user) if user is not None else {}

    def get(self, path: str) -> Any:
        return self.client.get(f"{API}{path}", **self.headers)

    def send(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        data = body if isinstance(body, str) else json.dumps(body) if body is not None else ""
        return getattr(self.client, method)(
            f"{API}{path}", data=data, content_type="application/json", **self.headers, **headers
        )

    def place(self, body: Any, key: str | None = "key-1") -> Any:
        extra = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
        return self.send("post", "", body, **extra)


@pytest.fixture
def shop(mapo: Region) -> Shop:
    """Two hubs serving the resident's home, six products with 20 units at each; real time
    (the API has no clock to pin), so slots come from the hubs' own options."""
    return build_shop(now=timezone.now())


@pytest.fixture
def api(shop: Shop) -> Api:
    return Api(shop.customer)


def refused(response: Any, status: int, before: dict[str, object], code: str | None = None) -> dict[str, Any]:
    """The response has `status` (and `code`), and nothing was written."""
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert body["detail"]
    if code is not None:
        assert body["code"] == code, body
    assert snapshot() == before
    return body


def instant(*lines: tuple[int, int], **extra: Any) -> dict[str, Any]:
    return {
        "lines": [{"product_id": p, "quantity": q} for p, q in lines],
        "delivery": {"kind": "instant"},
        **extra,
    }


def reserved(shop: Shop) -> dict[int, int]:
    """product id -> units reserved over both hubs."""
    out: dict[int, int] = {}
    for product_id, units in Stock.objects.filter(reserved__gt=0).values_list("product_id", "reserved"):
        out[product_id] = out.get(product_id, 0) + units
    return out


def test_literals_match_the_models() -> None:
    assert set(get_args(OrderStatusName)) == set(OrderStatus.values)
    assert set(get_args(LineStatusName)) == set(LineStatus.values)
    assert set(get_args(SubstitutionChoice)) == set(Substitution.values)
    assert set(get_args(PaymentStatusName)) == set(Payment.Status.values)


# --- cart ---------------------------------------------------------------------------------


def test_cart_lines_hold_stock_and_give_it_back(shop: Shop, api: Api) -> None:
    p0, p1 = shop.products[:2]
    empty = api.get("/cart").json()
    assert empty["lines"] == []
    assert empty["total_won"] == 0
    assert empty["holds_expire_at"] is None

    cart = api.send("put", f"/cart/lines/{p0.pk}", {"quantity": 2}).json()
    [line] = cart["lines"]
    assert (line["product_id"], line["name"], line["quantity"]) == (p0.pk, p0.name_ko, 2)
    assert (line["unit_price_won"], line["total_won"], line["held"]) == (1000, 2000, 2)
    assert line["available"] is True
    assert line["substitution"] == "allow"
    assert (cart["items_won"], cart["delivery_fee_won"], cart["total_won"]) == (2000, 3000, 5000)
    assert 14 <= cart["minutes_left"] <= 15
    assert cart["holds_expired"] is False
    assert datetime.fromisoformat(cart["holds_expire_at"]) > timezone.now()
    assert cart["plan"]["can_serve"] is True
    assert cart["plan_summary"]
    assert 0 < cart["promise"]["instant_eta_minutes"] <= 60
    assert reserved(shop) == {p0.pk: 2}

    cart = api.send("put", f"/cart/lines/{p1.pk}", {"quantity": 3, "substitution": "never"}).json()
    assert [(ln["product_id"], ln["quantity"], ln["substitution"]) for ln in cart["lines"]] == [
        (p0.pk, 2, "allow"),
        (p1.pk, 3, "never"),
    ]
    assert reserved(shop) == {p0.pk: 2, p1.pk: 3}
    assert api.get("/cart").json()["items_won"] == 2000 + 6000

    cart = api.send("put", f"/cart/lines/{p0.pk}", {"quantity": 5}).json()
    assert [ln["quantity"] for ln in cart["lines"]] == [5, 3]
    assert reserved(shop) == {p0.pk: 5, p1.pk: 3}

    cart = api.send("delete", f"/cart/lines/{p0.pk}").json()
    assert [ln["product_id"] for ln in cart["lines"]] == [p1.pk]
    assert reserved(shop) == {p1.pk: 3}

    cart = api.send("delete", "/cart").json()
    assert cart["lines"] == []
    assert cart["total_won"] == 0
    assert reserved(shop) == {}
    assert StockHold.objects.count() == 0


def test_cart_line_beyond_stock_stays_unavailable(shop: Shop, api: Api) -> None:
    p0 = shop.products[0]
    Stock.objects.filter(product=p0).update(on_hand=1)
    cart = api.send("put", f"/cart/lines/{p0.pk}", {"quantity": 5}).json()
    assert cart["lines"][0]["available"] is False
    assert cart["unavailable"] == [p0.pk]


@pytest.mark.parametrize(
    "body",
    [
        {"quantity": 0},
        {"quantity": -1},
        {"quantity": 100},
        {"quantity": 10**12},
        {"quantity": "2"},
        {"quantity": 2.5},
        {"quantity": True},
        {},
        {"quantity": 1, "substitution": "maybe"},
    ],
)
def test_cart_refuses_bad_quantities(shop: Shop, api: Api, body: dict[str, Any]) -> None:
    before = snapshot()
    refused(api.send("put", f"/cart/lines/{shop.products[0].pk}", body), 422, before, "InvalidInput")


def test_cart_refuses_unknown_products_and_bad_ids(shop: Shop, api: Api) -> None:
    api.send("put", f"/cart/lines/{shop.products[0].pk}", {"quantity": 1})
    before = snapshot()
    body = refused(api.send("put", "/cart/lines/987654321", {"quantity": 1}), 404, before, "unknown_product")
    assert "987654321" in body["detail"]
    for bad in ("0", "-3", str(2**63), "abc"):
        response = api.send("put", f"/cart/lines/{bad}", {"quantity": 1})
        assert response.status_code in (404, 422)  # 404: the path does not even match
        assert snapshot() == before
    refused(api.send("put", f"/cart/lines/{shop.products[0].pk}", "{not json"), 422, before)


def test_cart_needs_a_signed_in_user(shop: Shop) -> None:
    anonymous = Api(None)
    before = snapshot()
    assert anonymous.get("/cart").status_code == 401
    refused(anonymous.send("put", f"/cart/lines/{shop.products[0].pk}", {"quantity": 1}), 401, before)
    assert anonymous.send("delete", "/cart").status_code == 401
    assert Cart.objects.count() == 0


def test_cart_of_a_user_without_home_says_so(shop: Shop) -> None:
    homeless = Api(UserFactory())
    cart = homeless.send("put", f"/cart/lines/{shop.products[0].pk}", {"quantity": 1}).json()
    assert cart["plan"] is None
    assert cart["notice"]
    assert cart["lines"][0]["held"] == 0


# --- quote --------------------------------------------------------------------------------


def test_quote_explains_the_plan_and_holds_nothing(shop: Shop, api: Api) -> None:
    p0, p1 = shop.products[:2]
    before = snapshot()
    response = api.send(
        "post",
        "/checkout/quote",
        {"lines": [{"product_id": p0.pk, "quantity": 3}, {"product_id": p1.pk, "quantity": 1}]},
    )
    assert response.status_code == 200, response.content
    quote = response.json()
    assert [(ln["product_id"], ln["quantity"], ln["total_won"]) for ln in quote["lines"]] == [
        (p0.pk, 3, 3000),
        (p1.pk, 1, 2000),
    ]
    assert (quote["items_won"], quote["delivery_fee_won"], quote["total_won"]) == (5000, 3000, 8000)
    plan = quote["plan"]
    assert plan["can_serve"] is True
    assert plan["is_split"] is False
    assert plan["summary"]
    assert {v["hub_id"] for v in plan["verdicts"]} == {shop.hub_a.pk, shop.hub_b.pk}
    [chosen] = [v for v in plan["verdicts"] if v["outcome"] == "chosen"]
    assert chosen["hub_id"] == plan["shipments"][0]["hub_id"]
    assert chosen["reason"]
    assert 0 < quote["promise"]["instant_eta_minutes"] <= 60
    slots = quote["promise"]["slots"]
    assert slots
    assert all(s["remaining"] > 0 for s in slots)
    assert slots == sorted(slots, key=lambda s: datetime.fromisoformat(s["starts_at"]))
    assert snapshot() | {"slots": None} == before | {"slots": None}  # slots may be created, nothing held
    assert reserved(shop) == {}


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [{"product_id": 1, "quantity": 0}],
        [{"product_id": 1, "quantity": 100}],
        [{"product_id": 0, "quantity": 1}],
        [{"product_id": "one", "quantity": 1}],
        [{"quantity": 1}],
        [{"product_id": 1, "quantity": 1}] * 31,
    ],
)
def test_quote_refuses_malformed_lines(shop: Shop, api: Api, lines: list[dict[str, Any]]) -> None:
    before = snapshot()
    refused(api.send("post", "/checkout/quote", {"lines": lines}), 422, before, "InvalidInput")


def test_quote_refuses_unknown_products_and_unserved_homes(shop: Shop, api: Api) -> None:
    before = snapshot()
    body = {"lines": [{"product_id": 987654321, "quantity": 1}]}
    refused(api.send("post", "/checkout/quote", body), 422, before, "unknown_product")
    p0 = shop.products[0]
    clash = {
        "lines": [
            {"product_id": p0.pk, "quantity": 1, "substitution": "allow"},
            {"product_id": p0.pk, "quantity": 1, "substitution": "never"},
        ]
    }
    refused(api.send("post", "/checkout/quote", clash), 422, before, "duplicate_product")
    ok = {"lines": [{"product_id": p0.pk, "quantity": 1}]}
    refused(Api(UserFactory()).send("post", "/checkout/quote", ok), 422, before, "no_home")
    ServiceAreaCell.objects.filter(cell=shop.customer.household.home_cell).delete()
    before = snapshot()
    refused(api.send("post", "/checkout/quote", ok), 422, before, "outside_service_area")


# --- placing ------------------------------------------------------------------------------


def test_place_order_then_repeat_and_conflict(shop: Shop, api: Api) -> None:
    p0, p1 = shop.products[:2]
    body = instant((p0.pk, 2), (p1.pk, 1))
    response = api.place(body)
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["status"] == "placed"
    assert len(order["code"]) == 10
    assert (order["items_won"], order["delivery_fee_won"], order["total_won"]) == (4000, 3000, 7000)
    [payment] = order["payments"]
    assert payment["provider"] == "test"
    assert payment["is_test"] is True
    assert payment["tender"] == "card"
    assert (payment["status"], payment["authorised_won"], payment["captured_won"]) == ("authorised", 7000, 0)
    [shipment] = order["shipments"]
    assert shipment["promise_kind"] == "instant"
    assert shipment["slot"] is None
    promised_from = datetime.fromisoformat(shipment["promised_from"])
    promised_by = datetime.fromisoformat(shipment["promised_by"])
    assert 0 < (promised_by - promised_from).total_seconds() <= 60 * 60
    assert shipment["hub"]["slug"] in (shop.hub_a.slug, shop.hub_b.slug)
    assert [
        (ln["product_id"], ln["quantity"], ln["status"], ln["charged_won"]) for ln in shipment["lines"]
    ] == [
        (p0.pk, 2, "pending", 2000),
        (p1.pk, 1, "pending", 2000),
    ]
    assert order["allocation"]["can_serve"] is True
    assert order["allocation"]["verdicts"]
    assert [e["kind"] for e in order["timeline"]] == ["placed"]
    assert reserved(shop) == {p0.pk: 2, p1.pk: 1}

    before = snapshot()
    again = api.place(body)
    assert again.status_code == 200
    assert again.json()["id"] == order["id"]
    assert again.json()["code"] == order["code"]
    assert snapshot() == before

    other = instant((p0.pk, 3))
    refused(api.place(other), 409, before, "idempotency_key_reused")
    refused(api.place(body | {"payment_token": "tok_test_other"}), 409, before, "idempotency_key_reused")
    assert api.place(other, key="key-2").status_code == 201


def test_idempotency_keys_belong_to_their_user(shop: Shop, api: Api) -> None:
    body = instant((shop.products[0].pk, 1))
    first = api.place(body).json()
    neighbour = make_customer()
    second = Api(neighbour).place(body)
    assert second.status_code == 201
    assert second.json()["id"] != first["id"]


@pytest.mark.parametrize("key", [None, "", "x" * 101, "tab\there", "한글"])
def test_place_needs_a_well_formed_idempotency_key(shop: Shop, api: Api, key: str | None) -> None:
    before = snapshot()
    response = api.place(instant((shop.products[0].pk, 1)), key=key)
    body = refused(response, 422, before)
    assert body["code"] in ("InvalidInput", "invalid_idempotency_key")


def test_place_checks_out_the_cart(shop: Shop, api: Api) -> None:
    p0, p1 = shop.products[:2]
    api.send("put", f"/cart/lines/{p0.pk}", {"quantity": 2})
    api.send("put", f"/cart/lines/{p1.pk}", {"quantity": 1, "substitution": "ask"})
    assert reserved(shop) == {p0.pk: 2, p1.pk: 1}
    response = api.place({"delivery": {"kind": "instant"}})
    assert response.status_code == 201, response.content
    lines = [ln for s in response.json()["shipments"] for ln in s["lines"]]
    assert sorted((ln["product_id"], ln["quantity"], ln["substitution"]) for ln in lines) == sorted(
        [(p0.pk, 2, "allow"), (p1.pk, 1, "ask")]
    )
    assert reserved(shop) == {p0.pk: 2, p1.pk: 1}  # the holds became the order's reservation
    assert StockHold.objects.count() == 0
    assert CartLine.objects.count() == 0
    assert api.get("/cart").json()["lines"] == []
    before = snapshot()
    assert api.place({"delivery": {"kind": "instant"}}).status_code == 200  # the same key again
    refused(api.place({"delivery": {"kind": "instant"}}, key="key-2"), 422, before, "cart_empty")


def test_place_a_slot_delivery_and_a_full_slot(shop: Shop, api: Api) -> None:
    p0 = shop.products[0]
    quote = api.send("post", "/checkout/quote", {"lines": [{"product_id": p0.pk, "quantity": 1}]}).json()
    slot = quote["promise"]["slots"][0]
    body = {
        "lines": [{"product_id": p0.pk, "quantity": 1}],
        "delivery": {"kind": "slot", "slot_starts_at": slot["starts_at"]},
    }
    response = api.place(body)
    assert response.status_code == 201, response.content
    [shipment] = response.json()["shipments"]
    assert shipment["promise_kind"] == "slot"
    starts = datetime.fromisoformat(slot["starts_at"])
    assert datetime.fromisoformat(shipment["promised_from"]) == starts
    assert datetime.fromisoformat(shipment["slot"]["starts_at"]) == starts
    assert DeliverySlot.objects.get(starts_at=starts, hub__slug=shipment["hub"]["slug"]).booked == 1

    full = DeliverySlot.objects.filter(starts_at=starts)
    full.update(capacity=1, booked=1)
    before = snapshot()
    refused(api.place(body, key="key-2"), 409, before, "slot_full")
    future = {"kind": "slot", "slot_starts_at": (starts.replace(minute=7)).isoformat()}
    refused(api.place(body | {"delivery": future}, key="key-3"), 422, before, "slot_unavailable")


def test_place_out_of_stock_names_the_product(shop: Shop, api: Api) -> None:
    p0 = shop.products[0]
    Stock.objects.filter(product=p0).update(on_hand=1)
    before = snapshot()
    body = refused(api.place(instant((p0.pk, 5))), 409, before, "out_of_stock")
    assert p0.name_ko in body["detail"]


def test_place_declined_payment_is_402(shop: Shop, api: Api) -> None:
    before = snapshot()
    body = instant((shop.products[0].pk, 1), payment_token="tok_test_decline")
    refused(api.place(body), 402, before, "payment_declined")
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    "delivery",
    [
        {"kind": "drone"},
        {"kind": "slot"},
        {"kind": "slot", "slot_starts_at": "2030-06-12T15:00:00"},  # no time zone
        {"kind": "slot", "slot_starts_at": "tomorrow"},
        {"kind": "slot", "slot_starts_at": "9999-12-31T23:59:59+14:00"},
        {"kind": "instant", "slot_starts_at": "2030-06-12T15:00:00+09:00"},
        {},
    ],
)
def test_place_refuses_bad_deliveries(shop: Shop, api: Api, delivery: dict[str, Any]) -> None:
    before = snapshot()
    body = {"lines": [{"product_id": shop.products[0].pk, "quantity": 1}], "delivery": delivery}
    refused(api.place(body), 422, before, "InvalidInput")


def test_place_refuses_bad_lines_tokens_and_homes(shop: Shop, api: Api) -> None:
    p0 = shop.products[0]
    before = snapshot()
    for lines in ([], [{"product_id": p0.pk, "quantity": 0}], [{"product_id": p0.pk, "quantity": 10**9}]):
        refused(api.place({"lines": lines, "delivery": {"kind": "instant"}}), 422, before, "InvalidInput")
    refused(api.place(instant((p0.pk, 1), payment_token="")), 422, before, "InvalidInput")
    refused(api.place(instant((p0.pk, 1), payment_token="nul\x00")), 422, before, "InvalidInput")
    refused(api.place(instant((987654321, 1))), 422, before, "unknown_product")
    refused(Api(UserFactory()).place(instant((p0.pk, 1))), 422, before, "no_home")
    ServiceAreaCell.objects.filter(cell=shop.customer.household.home_cell).delete()
    before = snapshot()
    refused(api.place(instant((p0.pk, 1))), 422, before, "outside_service_area")


# --- my orders ----------------------------------------------------------------------------


def test_orders_are_private(shop: Shop, api: Api) -> None:
    placed = api.place(instant((shop.products[0].pk, 1))).json()
    listed = api.get("").json()
    assert [(o["id"], o["code"], o["status"], o["shipments"]) for o in listed] == [
        (placed["id"], placed["code"], "placed", 1)
    ]
    assert api.get(f"/{placed['id']}").json() == placed
    second = api.place(instant((shop.products[1].pk, 1)), key="key-2").json()
    assert [o["id"] for o in api.get("").json()] == [second["id"], placed["id"]]
    assert [o["id"] for o in api.get("?limit=1").json()] == [second["id"]]
    assert api.get("?limit=0").status_code == 422

    stranger = Api(make_customer())
    assert stranger.get("").json() == []
    response = stranger.get(f"/{placed['id']}")
    assert response.status_code == 404
    assert response.json()["code"] == "order_not_found"
    assert api.get("/987654321").status_code == 404
    assert api.get("/0").status_code == 422
    assert Api(None).get(f"/{placed['id']}").status_code == 401


def test_cancel_my_order_gives_everything_back(shop: Shop, api: Api) -> None:
    p0 = shop.products[0]
    order = api.place(instant((p0.pk, 2))).json()
    before = snapshot()
    for body in ({"reason": ""}, {"reason": "   "}, {}, {"reason": "nul\x00"}, {"reason": "x" * 301}):
        assert api.send("post", f"/{order['id']}/cancel", body).status_code == 422
        assert snapshot() == before
    refused(Api(make_customer()).send("post", f"/{order['id']}/cancel", {"reason": "mine?"}), 404, before)

    response = api.send("post", f"/{order['id']}/cancel", {"reason": "changed my mind"})
    assert response.status_code == 200, response.content
    cancelled = response.json()
    assert cancelled["status"] == "cancelled"
    assert [s["status"] for s in cancelled["shipments"]] == ["cancelled"]
    assert cancelled["payments"][0]["status"] == "voided"
    assert "changed my mind" in [e["note"] for e in cancelled["timeline"]]
    assert reserved(shop) == {}

    before = snapshot()
    refused(
        api.send("post", f"/{order['id']}/cancel", {"reason": "again"}), 409, before, "invalid_transition"
    )


def test_checkout_of_an_expired_cart_whose_stock_is_gone_is_409(shop: Shop, api: Api) -> None:
    p0 = shop.products[0]
    api.send("put", f"/cart/lines/{p0.pk}", {"quantity": 2})
    past = timezone.now() - timedelta(minutes=1)
    Cart.objects.update(holds_expire_at=past)
    StockHold.objects.update(expires_at=past)
    cart = api.get("/cart").json()  # reading the cart releases its expired holds
    assert cart["holds_expired"] is True
    assert cart["lines"][0]["held"] == 0
    assert reserved(shop) == {}
    Stock.objects.filter(product=p0).update(on_hand=0)  # someone else bought them meanwhile
    before = snapshot()
    refused(api.place({"delivery": {"kind": "instant"}}), 409, before, "cart_expired")
    assert CartLine.objects.filter(product=p0).exists()  # the cart is kept for another try


def test_a_browser_session_works_with_its_csrf_token(shop: Shop) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(shop.customer)
    assert browser.get(f"{API}/cart").status_code == 200
    url = f"{API}/cart/lines/{shop.products[0].pk}"
    before = snapshot()
    refused(browser.put(url, data={"quantity": 1}, content_type="application/json"), 403, before)
    browser.get("/")  # the site sets the csrftoken cookie
    token = browser.cookies["csrftoken"].value
    response = browser.put(url, data={"quantity": 1}, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200, response.content
    assert response.json()["lines"][0]["quantity"] == 1


@pytest.mark.parametrize("kind", ["instant", "slot"])
@pytest.mark.parametrize("split", [False, True])
def test_placed_answer_is_the_order_as_read_back(shop: Shop, api: Api, kind: str, split: bool) -> None:
    """POST answers from what it wrote (no read-back): the body must be exactly what GET
    reads from the database afterwards."""
    p0, p1, p2 = shop.products[:3]
    if split:
        shop.set_stock(shop.hub_a, p2, 0)
        shop.set_stock(shop.hub_b, p0, 0)
    lines = [
        {"product_id": p0.pk, "quantity": 2},
        {"product_id": p1.pk, "quantity": 1, "substitution": "ask"},
    ]
    lines.append({"product_id": p2.pk, "quantity": 3, "substitution": "never"})
    delivery: dict[str, Any] = {"kind": "instant"}
    if kind == "slot":
        quote = api.send("post", "/checkout/quote", {"lines": lines}).json()
        delivery = {"kind": "slot", "slot_starts_at": quote["promise"]["slots"][0]["starts_at"]}
    response = api.place({"lines": lines, "delivery": delivery})
    assert response.status_code == 201, response.content
    placed = response.json()
    assert len(placed["shipments"]) == (2 if split else 1)
    assert {s["promise_kind"] for s in placed["shipments"]} == {kind}
    read = api.get(f"/{placed['id']}")
    assert read.status_code == 200
    assert placed == read.json()
