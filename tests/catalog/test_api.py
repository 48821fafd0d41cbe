"""The catalog API: public reading, staff-only writing, every refusal with a field."""

from __future__ import annotations

import io
import json
from typing import Any, get_args

import pytest
from django.test import Client
from PIL import Image

from hyperlocal.catalog.models import Merchant, Product
from hyperlocal.catalog.schemas import MerchantKind
from tests.catalog.conftest import Catalog, bearer
from tests.factories import ProductFactory

API = "/api/catalog"


@pytest.fixture
def client() -> Client:
    return Client()


def send(client: Client, method: str, url: str, body: Any, headers: dict[str, str]) -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json", **headers)


def test_products_are_public_with_search_and_filters(client: Client, catalog: Catalog) -> None:
    page = client.get(f"{API}/products", {"q": "제주"}).json()
    assert page["count"] == 1
    item = page["items"][0]
    assert item["sku"] == "TAN-1"
    assert item["price_won"] == 19900
    assert item["currency"] == "KRW"
    assert item["origin"]["code"] == "jeju"
    assert item["is_regional_specialty"] is True
    assert item["merchant"] == "mangwon-greens"
    assert client.get(f"{API}/products", {"q": "green tea"}).json()["items"][0]["sku"] == "TEA-1"
    specialties = client.get(f"{API}/products", {"specialty": "true"}).json()
    assert [p["sku"] for p in specialties["items"]] == ["TEA-1", "RICE-10", "TAN-1"]
    by_origin = client.get(f"{API}/products", {"origin": "icheon", "category": "rice_grains"}).json()
    assert [p["sku"] for p in by_origin["items"]] == ["RICE-10"]


def test_products_are_paginated_with_a_maximum_page_size(client: Client, catalog: Catalog) -> None:
    for n in range(5):
        ProductFactory(merchant=catalog.shop_a, name_ko=f"사과 {n}", name_en=f"apple {n}")
    first = client.get(f"{API}/products", {"q": "apple", "limit": 2}).json()
    second = client.get(f"{API}/products", {"q": "apple", "limit": 2, "offset": 2}).json()
    last = client.get(f"{API}/products", {"q": "apple", "limit": 2, "offset": 4}).json()
    assert first["count"] == second["count"] == 5
    names = [p["name_en"] for page in (first, second, last) for p in page["items"]]
    assert names == [f"apple {n}" for n in range(5)]
    too_big = client.get(f"{API}/products", {"limit": 101})
    assert too_big.status_code == 422
    assert too_big.json()["field"] == "limit"
    assert client.get(f"{API}/products", {"category": "spaceships"}).status_code == 422


def test_one_product_and_404s(client: Client, catalog: Catalog) -> None:
    assert client.get(f"{API}/products/{catalog.rice.pk}").json()["name_en"] == "Icheon rice 10 kg"
    assert client.get(f"{API}/products/{catalog.retired.pk}").status_code == 404  # inactive
    assert client.get(f"{API}/products/999999").status_code == 404
    assert client.get(f"{API}/products/abc").status_code == 422
    assert client.get(f"{API}/products/99999999999999999999999").status_code in (404, 422)


def test_staff_creates_a_product(client: Client, catalog: Catalog) -> None:
    body = {
        "sku": "HB-1",
        "name_ko": "한라봉",
        "category": "fruit",
        "unit": "1 kg",
        "price_won": 15000,
        "origin": "jeju",
    }
    response = send(client, "post", f"{API}/merchants/mangwon-greens/products", body, bearer(catalog.staff_a))
    assert response.status_code == 201, response.content
    assert response.json()["origin"]["code"] == "jeju"
    assert Product.objects.filter(merchant=catalog.shop_a, sku="HB-1").exists()


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"price_won": -100}, 422, "price_won"),
        ({"price_won": 100.5}, 422, "price_won"),
        ({"price_won": 100.0}, 422, "price_won"),  # integer won only
        ({"price_won": "abc"}, 422, "price_won"),
        ({"sku": "tea-1"}, 409, "sku"),  # duplicate of another product of this merchant
        ({"origin": "atlantis"}, 422, "origin"),
        ({"barcode": "123"}, 422, "barcode"),
        ({"name_ko": None}, 422, "name_ko"),
        ({"category": "spaceships"}, 422, "category"),
    ],
)
def test_bad_changes_are_refused_by_field_and_change_nothing(
    client: Client, catalog: Catalog, change: dict[str, Any], status: int, field: str
) -> None:
    response = send(
        client, "patch", f"{API}/products/{catalog.tangerines.pk}", change, bearer(catalog.staff_a)
    )
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    catalog.tangerines.refresh_from_db()
    assert (catalog.tangerines.sku, catalog.tangerines.price_won) == ("TAN-1", 19900)


def test_staff_patches_their_product(client: Client, catalog: Catalog) -> None:
    change = {"price_won": 17000, "is_active": False, "origin": None}
    response = send(
        client, "patch", f"{API}/products/{catalog.tangerines.pk}", change, bearer(catalog.staff_a)
    )
    assert response.status_code == 200
    assert response.json()["price_won"] == 17000
    assert response.json()["origin"] is None


def test_another_merchants_staff_gets_403_and_nothing_changes(client: Client, catalog: Catalog) -> None:
    response = send(
        client, "patch", f"{API}/products/{catalog.tangerines.pk}", {"price_won": 1}, bearer(catalog.staff_b)
    )
    assert response.status_code == 403
    assert response.json()["code"] == "NotAllowed"
    body = {"sku": "X", "name_ko": "x", "category": "fruit", "unit": "1", "price_won": 1}
    created = send(client, "post", f"{API}/merchants/mangwon-greens/products", body, bearer(catalog.staff_b))
    assert created.status_code == 403
    catalog.tangerines.refresh_from_db()
    assert catalog.tangerines.price_won == 19900
    assert not Product.objects.filter(sku="X").exists()


def test_writes_need_authentication(client: Client, catalog: Catalog) -> None:
    response = send(client, "patch", f"{API}/products/{catalog.tangerines.pk}", {"price_won": 1}, {})
    assert response.status_code == 401
    bad_token = {"HTTP_AUTHORIZATION": "Bearer hl_nope"}
    assert send(client, "patch", f"{API}/merchants/mangwon-greens", {}, bad_token).status_code == 401


def test_merchants_and_profile_update(client: Client, catalog: Catalog) -> None:
    merchants = client.get(f"{API}/merchants").json()
    assert merchants["count"] == 2
    assert merchants["items"][0]["product_count"] == 2
    one = client.get(f"{API}/merchants/seogyo-rice").json()
    assert one["region"] == "11440"
    assert one["business_category"] == "grocery"
    assert client.get(f"{API}/merchants/nope").status_code == 404
    change = {"description": "since 1998", "revenue_band": "300m_1b"}
    assert (
        send(client, "patch", f"{API}/merchants/seogyo-rice", change, bearer(catalog.staff_a)).status_code
        == 403
    )
    response = send(client, "patch", f"{API}/merchants/seogyo-rice", change, bearer(catalog.staff_b))
    assert response.status_code == 200
    assert response.json()["description"] == "since 1998"
    bad = send(
        client, "patch", f"{API}/merchants/seogyo-rice", {"revenue_band": "lots"}, bearer(catalog.staff_b)
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "revenue_band"


def test_origins_with_counts(client: Client, catalog: Catalog) -> None:
    origins = client.get(f"{API}/origins").json()
    assert [(o["code"], o["product_count"]) for o in origins] == [("boseong", 1), ("icheon", 1), ("jeju", 1)]


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_photo_upload(client: Client, catalog: Catalog) -> None:
    url = f"{API}/products/{catalog.tangerines.pk}/photos"
    ok = client.post(url, {"file": io.BytesIO(png()), "alt_text": "box"}, **bearer(catalog.staff_a))
    assert ok.status_code == 201, ok.content
    assert ok.json()["alt_text"] == "box"
    assert client.get(f"{API}/products/{catalog.tangerines.pk}").json()["photos"][0]["id"] == ok.json()["id"]
    fake = io.BytesIO(b"GIF89a but not really")
    fake.name = "x.gif"
    refused = client.post(url, {"file": fake}, **bearer(catalog.staff_a))
    assert refused.status_code == 422
    assert refused.json()["field"] == "file"
    other = client.post(url, {"file": io.BytesIO(png())}, **bearer(catalog.staff_b))
    assert other.status_code == 403
    missing = client.post(url, {}, **bearer(catalog.staff_a))
    assert missing.status_code == 422


def test_spelled_out_choices_match_the_model() -> None:
    assert set(get_args(MerchantKind)) == set(Merchant.Kind.values)
