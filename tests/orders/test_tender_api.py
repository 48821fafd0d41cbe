"""Split tender through the orders API: `voucher_won` on placing (the lines, or the cart), the
quote's `vouchers`, and each order listing its payments per tender. Bad input is a 422 and a
wallet refusal a 409, with nothing written anywhere."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from hyperlocal.regions.models import Region
from hyperlocal.wallet.services import check_ledger
from tests.orders.conftest import Shop, build_shop
from tests.orders.tender_fixtures import VoucherShop, everything, exclude, held, voucher_shop
from tests.orders.test_api import Api


@pytest.fixture
def vs(mapo: Region) -> VoucherShop:
    """The API has no clock to pin: the shop, programme and grant run on real time."""
    shop: Shop = build_shop(now=timezone.now())
    return voucher_shop(shop)


@pytest.fixture
def api(vs: VoucherShop) -> Api:
    return Api(vs.customer)


def body(*lines: tuple[int, int], **extra: Any) -> dict[str, Any]:
    return {
        "lines": [{"product_id": p, "quantity": q} for p, q in lines],
        "delivery": {"kind": "instant"},
        **extra,
    }


def refused(response: Any, status: int, before: object, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    answer: dict[str, Any] = response.json()
    assert answer["detail"]
    if code is not None:
        assert answer["code"] == code, answer
    assert everything() == before
    return answer


def by_tender(order: dict[str, Any]) -> dict[str, tuple[str, str, int, int, int]]:
    return {
        p["tender"]: (p["provider"], p["status"], p["authorised_won"], p["captured_won"], p["refunded_won"])
        for p in order["payments"]
    }


def test_the_quote_says_what_vouchers_can_pay(vs: VoucherShop, api: Api) -> None:
    p1, p2 = vs.shop.products[1:3]
    exclude(p1)
    response = api.send("post", "/checkout/quote", {"lines": body((p1.pk, 1), (p2.pk, 2))["lines"]})
    assert response.status_code == 200, response.content
    vouchers = response.json()["vouchers"]
    assert (vouchers["max_won"], vouchers["eligible_won"], vouchers["balance_won"]) == (6000, 6000, 50000)
    [reason] = vouchers["reasons"]
    assert (reason["merchant_id"], reason["product_ids"]) == (p1.merchant_id, [p1.pk])
    assert "excluded" in reason["reason"]


def test_placing_with_vouchers_lists_the_payments_per_tender(vs: VoucherShop, api: Api) -> None:
    p2 = vs.shop.products[2]
    response = api.place(body((p2.pk, 3), voucher_won=5000))
    assert response.status_code == 201, response.content
    order = response.json()
    assert by_tender(order) == {
        "card": ("test", "authorised", 7000, 0, 0),
        "voucher": ("wallet", "authorised", 5000, 0, 0),
    }
    voucher = next(p for p in order["payments"] if p["tender"] == "voucher")
    assert voucher["is_test"] is False
    assert [e["kind"] for e in order["timeline"]] == ["placed", "voucher_held"]
    # The answer is what GET reads back.
    assert api.get(f"/{order['id']}").json() == order
    assert held(vs.wallet).debits_pending == 5000
    # A repeat is the same order; another voucher part with the same key is a conflict.
    before = everything()
    again = api.place(body((p2.pk, 3), voucher_won=5000))
    assert (again.status_code, again.json()["id"]) == (200, order["id"])
    refused(api.place(body((p2.pk, 3), voucher_won=4000)), 409, before, "idempotency_key_reused")
    refused(api.place(body((p2.pk, 3))), 409, before, "idempotency_key_reused")
    assert check_ledger() == []


@pytest.mark.parametrize("split", [False, True])
def test_a_split_tender_answer_is_the_order_as_read_back(vs: VoucherShop, api: Api, split: bool) -> None:
    shop = vs.shop
    p0, p1 = shop.products[:2]
    if split:
        shop.set_stock(shop.hub_a, p1, 0)
        shop.set_stock(shop.hub_b, p0, 0)
    placed = api.place(body((p0.pk, 2), (p1.pk, 2), voucher_won=5000))
    assert placed.status_code == 201, placed.content
    assert placed.json() == api.get(f"/{placed.json()['id']}").json()


def test_checking_out_the_cart_with_vouchers(vs: VoucherShop, api: Api) -> None:
    p3 = vs.shop.products[3]
    assert api.send("put", f"/cart/lines/{p3.pk}", {"quantity": 2}).status_code == 200
    response = api.place({"delivery": {"kind": "instant"}, "voucher_won": 8000})
    assert response.status_code == 201, response.content
    assert by_tender(response.json())["voucher"] == ("wallet", "authorised", 8000, 0, 0)
    assert response.json()["total_won"] == 11000


@pytest.mark.parametrize("bad", [-1, 1.5, "1000", True, None, 10**13])
def test_a_malformed_voucher_part_is_422(vs: VoucherShop, api: Api, bad: Any) -> None:
    before = everything()
    refused(api.place(body((vs.shop.products[1].pk, 1), voucher_won=bad)), 422, before)


def test_vouchers_that_cannot_pay_are_refused_with_nothing_written(vs: VoucherShop, api: Api) -> None:
    p1, p2, p5 = vs.shop.products[1], vs.shop.products[2], vs.shop.products[5]
    exclude(p1)
    before = everything()
    answer = refused(
        api.place(body((p1.pk, 1), (p2.pk, 1), voucher_won=4000)), 422, before, "voucher_not_eligible"
    )
    assert answer["field"] == "voucher_won"
    refused(api.place(body((p2.pk, 1), voucher_won=6000)), 422, before, "voucher_not_eligible")  # the fee
    refused(api.place(body((p5.pk, 10), voucher_won=50001)), 409, before, "insufficient_funds")
    assert check_ledger() == []
