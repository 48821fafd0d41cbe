"""The public regions API on the Mapo-gu data."""

from __future__ import annotations

import pytest
from django.test import Client

from hyperlocal.regions.models import Region
from tests.factories import HONGDAE

BASE = "/api/regions"


def test_list_and_filter_by_level(mapo: Region) -> None:
    regions = Client().get(BASE).json()
    assert len(regions) == 17
    district = next(r for r in regions if r["code"] == "11440")
    assert district == {
        "code": "11440",
        "name_ko": "마포구",
        "name_en": "Mapo-gu",
        "level": "district",
        "parent": None,
        "population": 363029,
        "households": 181651,
    }
    dongs = Client().get(BASE, {"level": "dong"}).json()
    assert len(dongs) == 16
    assert {d["parent"] for d in dongs} == {"11440"}
    bad = Client().get(BASE, {"level": "planet"})
    assert (bad.status_code, bad.json()["field"]) == (422, "level")


def test_one_region_with_boundary_and_centroid(mapo: Region) -> None:
    body = Client().get(f"{BASE}/1144066000").json()
    assert body["name_en"] == "Seogyo-dong"
    assert body["boundary"]["type"] == "MultiPolygon"
    assert body["centroid"] == {"lat": pytest.approx(37.554772), "lng": pytest.approx(126.920944)}
    missing = Client().get(f"{BASE}/99999")
    assert (missing.status_code, missing.json()["code"]) == (404, "NotFound")
    assert Client().get(f"{BASE}/%00").status_code == 404


def test_locate_a_point(mapo: Region) -> None:
    body = Client().get(f"{BASE}/locate", {"lat": HONGDAE.lat, "lng": HONGDAE.lng}).json()
    assert body["dong"]["code"] == "1144066000"
    assert body["district"]["code"] == "11440"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"lat": "abc", "lng": "126.92"}, "lat"),
        ({"lat": "37.55", "lng": ""}, "lng"),
        ({"lat": "91", "lng": "126.92"}, "lat"),
        ({"lat": "37.55", "lng": "-181"}, "lng"),
        ({"lat": "nan", "lng": "126.92"}, "lat"),
        ({"lat": "37.55", "lng": "inf"}, "lng"),
        ({"lng": "126.92"}, "lat"),
        ({"lat": "37.4979", "lng": "127.0276"}, "lat"),  # Gangnam: outside every region
    ],
)
def test_locate_refuses_bad_points_naming_the_field(mapo: Region, query: dict[str, str], field: str) -> None:
    response = Client().get(f"{BASE}/locate", query)
    assert response.status_code == 422
    assert response.json()["field"] == field
