"""The inventory API, mounted the way the project mounts it (under /inventory, with the
project's error handlers), driven through ninja's test client with bearer tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, get_args
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from ninja import NinjaAPI
from ninja.testing import TestClient

from hyperlocal.accounts.auth import issue_token
from hyperlocal.accounts.models import User
from hyperlocal.api import api as project_api
from hyperlocal.catalog.models import Merchant, Product
from hyperlocal.hubs.models import Hub, Zone
from hyperlocal.inventory.api import router
from hyperlocal.inventory.models import InboundShipment, MovementKind, Stock, StockMovement
from hyperlocal.inventory.schemas import InboundStatus
from hyperlocal.inventory.services import StockRequest, reserve_for_order, stock_mismatches
from tests.inventory.conftest import stock

pytestmark = pytest.mark.django_db

api = NinjaAPI(urls_namespace="inventory-tests")
for exc_class, handler in project_api._exception_handlers.items():
    api.add_exception_handler(exc_class, handler)
api.add_router("/inventory", router)
CLIENT = TestClient(api)


class As:
    """Requests sent as one user (None: anonymous)."""

    def __init__(self, user: User | None) -> None:
        self.headers = {"Authorization": f"Bearer {issue_token(user, 'tests')[1]}"} if user else {}

    def get(self, path: str, **params: Any) -> Any:
        query = f"?{urlencode(params)}" if params else ""
        return CLIENT.get(f"/inventory{path}{query}", headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return CLIENT.post(f"/inventory{path}", json=body if body is not None else {}, headers=self.headers)

    def patch(self, path: str, body: Any) -> Any:
        return CLIENT.patch(f"/inventory{path}", json=body, headers=self.headers)


def test_status_literal_matches_the_model() -> None:
    assert set(get_args(InboundStatus)) == set(InboundShipment.Status.values)


def test_hub_stock_for_its_operators_only(
    hub: Hub, products: list[Product], operator: User, outsider: User
) -> None:
    stock(hub, products[0], 8)
    stock(hub, products[1], 2)
    rows = As(operator).get("/hubs/mapo-office/stock").json()
    assert [(r["sku"], r["on_hand"], r["available"], r["is_low"]) for r in rows] == [
        ("JEJU-2", 2, 2, True),
        ("JEJU-1", 8, 8, False),
    ]
    assert [r["sku"] for r in As(operator).get("/hubs/mapo-office/stock", q="tanger").json()] == ["JEJU-1"]
    assert [r["sku"] for r in As(operator).get("/hubs/mapo-office/low-stock").json()] == ["JEJU-2"]
    assert As(outsider).get("/hubs/mapo-office/stock").status_code == 403
    assert As(None).get("/hubs/mapo-office/stock").status_code == 401
    assert As(operator).get("/hubs/nowhere/stock").status_code == 404


def test_replenishment(hub: Hub, products: list[Product], operator: User) -> None:
    stock(hub, products[0], 3)
    reserve_for_order([StockRequest(hub.pk, products[0].pk, 3)], order_id=1)
    StockMovement.objects.create(
        hub=hub, product=products[0], kind=MovementKind.PICK, on_hand_delta=-14, reserved_delta=-14
    )
    found = As(operator).get("/hubs/mapo-office/replenishment", days=7).json()
    assert found[0]["product_id"] == products[0].pk
    # 14 in 7 days = 2 a day, 3 days of cover = 6; none available: order 6.
    assert {k: found[0][k] for k in ("picked", "rate_per_day", "target_units", "available", "suggested")} == {
        "picked": 14,
        "rate_per_day": 2.0,
        "target_units": 6,
        "available": 0,
        "suggested": 6,
    }
    assert As(operator).get("/hubs/mapo-office/replenishment", days=0).status_code == 422


def test_adjust_write_off_and_locate(hub: Hub, zone: Zone, products: list[Product], operator: User) -> None:
    stock(hub, products[0], 10)
    url = f"/hubs/mapo-office/stock/{products[0].pk}"
    adjusted = As(operator).post(f"{url}/adjust", {"delta": -3, "reason": "recount"})
    assert (adjusted.status_code, adjusted.json()["on_hand"]) == (200, 7)
    too_much = As(operator).post(f"{url}/adjust", {"delta": -8, "reason": "recount"})
    assert (too_much.status_code, too_much.json()["field"]) == (422, "delta")
    no_reason = As(operator).post(f"{url}/adjust", {"delta": 1, "reason": ""})
    assert (no_reason.status_code, no_reason.json()["field"]) == (422, "reason")
    written = As(operator).post(f"{url}/write-off", {"quantity": 2, "reason": "expired"})
    assert written.json()["on_hand"] == 5
    assert As(operator).post(f"{url}/write-off", {"quantity": 6, "reason": "expired"}).status_code == 422
    located = As(operator).patch(f"{url}/location", {"zone_id": zone.pk, "bin": "C-2", "low_stock_at": 1})
    assert {k: located.json()[k] for k in ("zone", "bin", "low_stock_at")} == {
        "zone": "Dry goods",
        "bin": "C-2",
        "low_stock_at": 1,
    }
    assert As(operator).patch(f"{url}/location", {"zone_id": 10**9}).json()["field"] == "zone_id"
    assert (
        As(operator).post(f"/hubs/mapo-office/stock/{2**63}/adjust", {"delta": 1, "reason": "x"}).status_code
        == 422
    )
    assert (
        As(operator)
        .post("/hubs/mapo-office/stock/999999/write-off", {"quantity": 1, "reason": "x"})
        .status_code
        == 404
    )
    assert Stock.objects.get(hub=hub, product=products[0]).on_hand == 5
    assert stock_mismatches() == []


def test_merchant_stock_for_its_staff(
    hub: Hub,
    other_hub: Hub,
    merchant: Merchant,
    merchant_staff: User,
    products: list[Product],
    operator: User,
) -> None:
    stock(hub, products[0], 3)
    stock(other_hub, products[0], 9)
    rows = As(merchant_staff).get("/merchants/jeju-orchard/stock").json()
    assert [(r["hub"], r["on_hand"]) for r in rows] == [("hongdae", 9), ("mapo-office", 3)]
    assert As(operator).get("/merchants/jeju-orchard/stock").status_code == 403
    assert As(merchant_staff).get("/merchants/nobody/stock").status_code == 404


def test_inbound_round_trip(
    hub: Hub,
    merchant: Merchant,
    merchant_staff: User,
    products: list[Product],
    operator: User,
    outsider: User,
) -> None:
    body = {
        "merchant": "jeju-orchard",
        "hub": "mapo-office",
        "expected_at": (timezone.now() + timedelta(hours=2)).isoformat(),
        "lines": [
            {"product_id": products[0].pk, "quantity": 12},
            {"product_id": products[1].pk, "quantity": 4},
        ],
    }
    created = As(merchant_staff).post("/inbound", body)
    assert created.status_code == 201, created.json()
    shipment = created.json()
    assert (shipment["status"], [x["quantity_sent"] for x in shipment["lines"]]) == ("expected", [12, 4])
    url = f"/inbound/{shipment['id']}"
    assert As(operator).get(url).json()["id"] == shipment["id"]
    assert As(outsider).get(url).status_code == 403
    assert As(merchant_staff).post(f"{url}/receive").status_code == 403
    partial = {
        "lines": [
            {"product_id": products[0].pk, "received": 10, "damaged": 2},
            {"product_id": products[1].pk, "received": 4},
        ]
    }
    received = As(operator).post(f"{url}/receive", partial)
    assert received.status_code == 200, received.json()
    assert [(x["quantity_received"], x["quantity_damaged"]) for x in received.json()["lines"]] == [
        (10, 2),
        (4, 0),
    ]
    again = As(operator).post(f"{url}/receive", partial)
    assert (again.status_code, again.json()["code"]) == (409, "inbound_not_expected")
    assert As(merchant_staff).post(f"{url}/cancel").status_code == 409
    assert Stock.objects.get(hub=hub, product=products[0]).on_hand == 10
    assert As(operator).get("/inbound/999999").status_code == 404


def test_inbound_bad_input(
    hub: Hub, merchant: Merchant, merchant_staff: User, products: list[Product]
) -> None:
    later = (timezone.now() + timedelta(hours=2)).isoformat()
    line = {"product_id": products[0].pk, "quantity": 1}
    cases = [
        ({"merchant": "jeju-orchard", "hub": "mapo-office", "expected_at": later, "lines": []}, 422),
        (
            {
                "merchant": "jeju-orchard",
                "hub": "mapo-office",
                "expected_at": "2024-06-01T10:00:00",
                "lines": [line],
            },
            422,
        ),
        (
            {
                "merchant": "jeju-orchard",
                "hub": "mapo-office",
                "expected_at": later,
                "lines": [{**line, "quantity": 0}],
            },
            422,
        ),
        ({"merchant": "nobody", "hub": "mapo-office", "expected_at": later, "lines": [line]}, 404),
        ({"merchant": "jeju-orchard", "hub": "nowhere", "expected_at": later, "lines": [line]}, 404),
    ]
    for body, status in cases:
        assert As(merchant_staff).post("/inbound", body).status_code == status, body
    assert not InboundShipment.objects.exists()


def test_cancel_by_the_sender(
    hub: Hub, merchant: Merchant, merchant_staff: User, products: list[Product]
) -> None:
    body = {
        "merchant": "jeju-orchard",
        "hub": "mapo-office",
        "expected_at": (timezone.now() + timedelta(hours=2)).isoformat(),
        "lines": [{"product_id": products[0].pk, "quantity": 3}],
    }
    shipment = As(merchant_staff).post("/inbound", body).json()
    cancelled = As(merchant_staff).post(f"/inbound/{shipment['id']}/cancel")
    assert cancelled.json()["status"] == "cancelled"
