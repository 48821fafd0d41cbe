"""The orders API as a hub operator uses it: the board, the pick list, picking (full, short,
substitutes), packing and later transitions; a resident gets 403 and changes nothing. Also
the customer's answer to a proposed substitute, and the public slot options."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.inventory.models import Stock
from hyperlocal.orders.models import Payment
from hyperlocal.regions.models import Region
from tests.factories import UserFactory
from tests.orders.conftest import Shop, build_shop, make_customer, snapshot
from tests.orders.test_api import Api, refused


@pytest.fixture
def shop(mapo: Region) -> Shop:
    shop = build_shop(now=timezone.now())
    operator = UserFactory(username="picker")
    shop.hub_a.operators.add(operator)
    shop.hub_b.operators.add(operator)
    shop.extra["operator"] = operator
    return shop


@pytest.fixture
def resident(shop: Shop) -> Api:
    return Api(shop.customer)


@pytest.fixture
def op(shop: Shop) -> Api:
    operator = shop.extra["operator"]
    assert isinstance(operator, User)
    return Api(operator)


def place(resident: Api, *lines: tuple[int, int, str]) -> dict[str, Any]:
    body = {
        "lines": [{"product_id": p, "quantity": q, "substitution": s} for p, q, s in lines],
        "delivery": {"kind": "instant"},
    }
    response = resident.place(body, key=f"k-{lines}")
    assert response.status_code == 201, response.content
    order: dict[str, Any] = response.json()
    return order


def stock(shop: Shop, hub_slug: str, product_id: int) -> tuple[int, int]:
    row = Stock.objects.get(hub__slug=hub_slug, product_id=product_id)
    return row.on_hand, row.reserved


def test_board_and_pick_list(shop: Shop, resident: Api, op: Api) -> None:
    p0, p1 = shop.products[:2]
    order = place(resident, (p0.pk, 2, "allow"), (p1.pk, 1, "never"))
    [shipment] = order["shipments"]
    slug = shipment["hub"]["slug"]

    board = op.get(f"/hubs/{slug}/board").json()
    assert board["hub"]["slug"] == slug
    assert board["late"] == 0
    columns = {c["status"]: c["cards"] for c in board["columns"]}
    assert list(columns) == [
        "placed",
        "picking",
        "packed",
        "out_for_delivery",
        "delivery_failed",
        "delivered",
    ]
    [card] = columns["placed"]
    assert (card["shipment_id"], card["order_code"], card["items"]) == (shipment["id"], order["code"], 3)
    assert 0 <= card["minutes_left"] <= 60
    assert card["late"] is False

    picks = op.get(f"/hubs/{slug}/pick-list").json()
    assert sorted((e["product_id"], e["quantity"], e["substitution"]) for e in picks) == sorted(
        [(p0.pk, 2, "allow"), (p1.pk, 1, "never")]
    )
    assert {e["order_code"] for e in picks} == {order["code"]}
    assert {e["line_id"] for e in picks} == {ln["id"] for ln in shipment["lines"]}


def test_hub_screens_are_for_operators(shop: Shop, resident: Api, op: Api) -> None:
    order = place(resident, (shop.products[0].pk, 1, "allow"))
    [shipment] = order["shipments"]
    slug, sid = shipment["hub"]["slug"], shipment["id"]
    line_id = shipment["lines"][0]["id"]
    before = snapshot()
    for api, status in ((resident, 403), (Api(None), 401)):
        assert api.get(f"/hubs/{slug}/board").status_code == status
        assert api.get(f"/hubs/{slug}/pick-list").status_code == status
        assert api.get(f"/shipments/{sid}").status_code == status
        refused(api.send("post", f"/shipments/{sid}/start-picking"), status, before)
        refused(api.send("post", f"/shipments/{sid}/lines/{line_id}/pick", {"picked": 1}), status, before)
        refused(api.send("post", f"/shipments/{sid}/pack"), status, before)
        body = {"to_status": "cancelled", "note": "mine now"}
        refused(api.send("post", f"/shipments/{sid}/transition", body), status, before)
    # An operator of another hub only.
    stranger = UserFactory()
    other = shop.hub_b if slug == shop.hub_a.slug else shop.hub_a
    other.operators.add(stranger)
    refused(Api(stranger).send("post", f"/shipments/{sid}/start-picking"), 403, before, "not_hub_operator")
    assert Api(stranger).get(f"/hubs/{slug}/board").status_code == 403
    assert op.get("/hubs/no-such-hub/board").status_code == 404
    assert op.get("/hubs/no-such-hub/pick-list").status_code == 404
    assert op.get("/shipments/987654321").status_code == 404
    refused(op.send("post", "/shipments/987654321/start-picking"), 404, before)
    assert op.send("post", "/shipments/0/pack").status_code == 422


def test_pick_pack_deliver(shop: Shop, resident: Api, op: Api) -> None:
    p0, p1, p2 = shop.products[:3]
    order = place(resident, (p0.pk, 2, "allow"), (p1.pk, 3, "never"), (p2.pk, 1, "allow"))
    [shipment] = order["shipments"]
    slug, sid = shipment["hub"]["slug"], shipment["id"]
    lines = {ln["product_id"]: ln["id"] for ln in shipment["lines"]}
    total = order["total_won"]  # 2*1000 + 3*2000 + 1*3000 + 3000 fee = 14,000

    started = op.send("post", f"/shipments/{sid}/start-picking")
    assert started.status_code == 200, started.content
    assert started.json()["status"] == "picking"
    assert started.json()["picking_started_at"] is not None
    before = snapshot()
    refused(op.send("post", f"/shipments/{sid}/start-picking"), 409, before, "invalid_transition")

    # All of p0 found: it leaves the shelf.
    picked = op.send("post", f"/shipments/{sid}/lines/{lines[p0.pk]}/pick", {"picked": 2})
    assert picked.status_code == 200, picked.content
    line = next(ln for ln in picked.json()["lines"] if ln["id"] == lines[p0.pk])
    assert (line["status"], line["picked_quantity"], line["charged_won"]) == ("picked", 2, 2000)
    assert stock(shop, slug, p0.pk) == (18, 0)
    before = snapshot()
    refused(op.send("post", f"/shipments/{sid}/lines/{lines[p0.pk]}/pick", {"picked": 2}), 409, before)

    # Bad picks change nothing.
    bad_bodies: list[dict[str, Any]] = [
        {"picked": -1},
        {"picked": 100},
        {"picked": 4},  # more than ordered
        {"picked": "3"},
        {},
        {"picked": 1, "substitute_quantity": 1},
        {"picked": 1, "substitute_id": p2.pk},
        {"picked": 1, "substitute_id": p2.pk, "substitute_quantity": 1},  # the customer said never
        {"picked": 1, "substitute_id": 987654321, "substitute_quantity": 1},
    ]
    for body in bad_bodies:
        refused(op.send("post", f"/shipments/{sid}/lines/{lines[p1.pk]}/pick", body), 422, before)
    refused(op.send("post", f"/shipments/{sid}/lines/987654321/pick", {"picked": 1}), 404, before)
    refused(op.send("post", f"/shipments/{sid}/pack"), 409, before, "lines_to_pick")

    # p1 short: one of three found, the rest released, the authorisation lowered by 4,000.
    short = op.send("post", f"/shipments/{sid}/lines/{lines[p1.pk]}/pick", {"picked": 1}).json()
    line = next(ln for ln in short["lines"] if ln["id"] == lines[p1.pk])
    assert (line["status"], line["picked_quantity"], line["charged_won"]) == ("short", 1, 2000)
    assert stock(shop, slug, p1.pk) == (19, 0)
    assert Payment.objects.get(order_id=order["id"]).authorised_won == total - 4000

    # p2 missing, substituted (allowed) with a cheaper p0 unit.
    body = {"picked": 0, "substitute_id": p0.pk, "substitute_quantity": 1}
    subbed = op.send("post", f"/shipments/{sid}/lines/{lines[p2.pk]}/pick", body).json()
    line = next(ln for ln in subbed["lines"] if ln["id"] == lines[p2.pk])
    assert (line["status"], line["substitute_id"], line["substitute_quantity"]) == ("substituted", p0.pk, 1)
    assert line["substitute_name"] == p0.name_ko
    assert line["charged_won"] == 1000
    assert stock(shop, slug, p0.pk) == (17, 0)

    packed = op.send("post", f"/shipments/{sid}/pack")
    assert packed.status_code == 200, packed.content
    assert packed.json()["status"] == "packed"
    before = snapshot()
    for body in ({"to_status": "delivered"}, {"to_status": "picking"}, {"to_status": "placed"}):
        refused(op.send("post", f"/shipments/{sid}/transition", body), 409, before, "invalid_transition")
    for body in ({"to_status": "exploded"}, {"to_status": "delivered", "note": "nul\x00"}, {}):
        refused(op.send("post", f"/shipments/{sid}/transition", body), 422, before, "InvalidInput")

    out = op.send("post", f"/shipments/{sid}/transition", {"to_status": "out_for_delivery"})
    assert out.status_code == 200, out.content
    before = snapshot()
    body = {"to_status": "delivery_failed"}
    refused(op.send("post", f"/shipments/{sid}/transition", body), 422, before, "reason_required")
    done = op.send("post", f"/shipments/{sid}/transition", {"to_status": "delivered", "note": "at the door"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "delivered"
    assert done.json()["delivered_at"] is not None

    tracked = resident.get(f"/{order['id']}").json()
    assert tracked["status"] == "delivered"
    [payment] = tracked["payments"]
    assert payment["status"] == "captured"
    assert payment["captured_won"] == 2000 + 2000 + 1000 + 3000
    kinds = [e["kind"] for e in tracked["timeline"]]
    assert kinds[0] == "placed"
    assert {"line_picked", "line_short", "line_substituted"} <= set(kinds)
    assert "at the door" in [e["note"] for e in tracked["timeline"]]
    assert {e["actor"] for e in tracked["timeline"]} == {shop.customer.username, "picker"}


def test_substitute_waits_for_the_customers_answer(shop: Shop, resident: Api, op: Api) -> None:
    p0, p1 = shop.products[:2]
    order = place(resident, (p1.pk, 2, "ask"), (p0.pk, 1, "allow"))
    [shipment] = order["shipments"]
    sid = shipment["id"]
    asked = next(ln["id"] for ln in shipment["lines"] if ln["product_id"] == p1.pk)
    other = next(ln["id"] for ln in shipment["lines"] if ln["product_id"] == p0.pk)
    url = f"/{order['id']}/lines/{asked}/substitution"

    before = snapshot()
    refused(resident.send("post", url, {"accept": True}), 409, before, "no_substitute_proposed")

    body = {"picked": 0, "substitute_id": p0.pk, "substitute_quantity": 2}
    proposed = op.send("post", f"/shipments/{sid}/lines/{asked}/pick", body).json()
    assert next(ln for ln in proposed["lines"] if ln["id"] == asked)["status"] == "proposed"
    board = op.get(f"/hubs/{shipment['hub']['slug']}/board").json()
    [card] = next(c["cards"] for c in board["columns"] if c["status"] == "picking")
    assert card["awaiting_answer"] is True

    before = snapshot()
    refused(Api(make_customer()).send("post", url, {"accept": True}), 404, before)
    refused(
        resident.send("post", f"/{order['id']}/lines/987654321/substitution", {"accept": True}), 404, before
    )
    refused(
        resident.send("post", f"/{order['id']}/lines/{other}/substitution", {"accept": True}), 409, before
    )
    for bad in ({"accept": "yes"}, {"accept": 1}, {}):
        refused(resident.send("post", url, bad), 422, before, "InvalidInput")

    answered = resident.send("post", url, {"accept": True})
    assert answered.status_code == 200, answered.content
    line = next(ln for s in answered.json()["shipments"] for ln in s["lines"] if ln["id"] == asked)
    assert (line["status"], line["substitute_id"], line["substitute_quantity"]) == ("substituted", p0.pk, 2)
    assert line["charged_won"] == 2000  # two p0 at 1,000 instead of two p1 at 2,000
    assert "substitute_accepted" in [e["kind"] for e in answered.json()["timeline"]]
    before = snapshot()
    refused(resident.send("post", url, {"accept": False}), 409, before, "no_substitute_proposed")


def test_cancel_after_picking_started_is_409(shop: Shop, resident: Api, op: Api) -> None:
    order = place(resident, (shop.products[0].pk, 1, "allow"))
    sid = order["shipments"][0]["id"]
    assert op.send("post", f"/shipments/{sid}/start-picking").status_code == 200
    before = snapshot()
    body = {"reason": "too slow"}
    refused(resident.send("post", f"/{order['id']}/cancel", body), 409, before, "too_late_to_cancel")
    # The hub may still cancel its shipment: stock and payment come back.
    cancelled = op.send(
        "post", f"/shipments/{sid}/transition", {"to_status": "cancelled", "note": "no courier"}
    )
    assert cancelled.status_code == 200, cancelled.content
    assert resident.get(f"/{order['id']}").json()["payments"][0]["status"] == "voided"
    assert not Stock.objects.filter(reserved__gt=0).exists()


def test_slot_options_are_public(shop: Shop) -> None:
    anonymous = Api(None)
    slots = anonymous.get(f"/hubs/{shop.hub_a.slug}/slots").json()
    assert slots
    assert all(s["remaining"] > 0 for s in slots)
    starts = [datetime.fromisoformat(s["starts_at"]) for s in slots]
    assert starts == sorted(starts)
    assert starts[0] > timezone.now()
    by_start = {datetime.fromisoformat(s["starts_at"]): s["remaining"] for s in slots}
    if shop.slot_a.starts_at in by_start:  # bookable at this time of day
        assert by_start[shop.slot_a.starts_at] == 5
    assert anonymous.get("/hubs/no-such-hub/slots").status_code == 404
