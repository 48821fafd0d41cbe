"""Vacant spaces from CSV or GeoJSON: all or nothing, every bad row or feature reported."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from hyperlocal.imports import ImportFailed
from hyperlocal.planning.imports import import_vacant_spaces
from hyperlocal.planning.models import VacantSpace
from hyperlocal.regions.models import Region

HEADER = "name,address,lat,lng,kind,floor_area_m2,monthly_rent_won,available_from,can_community,external_id\n"
GOOD = HEADER + (
    "Old bookshop,서울 마포구 양화로 100,37.5572,126.9245,shop_front,120,3500000,2025-03-01,yes,vs-1\n"
    "Parking deck,서울 마포구 월드컵로 200,37.5663,126.9019,parking_structure,900,0,,,\n"
)


def errors_of(data: str | bytes, filename: str = "spaces.csv") -> set[tuple[int, str | None]]:
    raw = data.encode() if isinstance(data, str) else data
    with pytest.raises(ImportFailed) as exc:
        import_vacant_spaces(raw, filename)
    return {(e.line, e.field) for e in exc.value.errors}


def test_a_good_csv_creates_then_updates_by_external_id(mapo: Region) -> None:
    report = import_vacant_spaces(GOOD.encode(), "spaces.csv")
    assert (report.created, report.updated) == (2, 0)
    shop = VacantSpace.objects.get(external_id="vs-1")
    assert (shop.kind, shop.floor_area_m2, shop.monthly_rent_won) == ("shop_front", 120, 3_500_000)
    assert (shop.available_from, shop.can_community, shop.can_warehouse) == (date(2025, 3, 1), True, True)
    assert shop.region.code == "1144066000"
    assert len(shop.cell) == 15
    deck = VacantSpace.objects.get(name="Parking deck")
    assert deck.available_from == timezone.localdate()
    report = import_vacant_spaces(GOOD.replace(",120,", ",150,").encode(), "spaces.csv")
    assert (report.created, report.updated) == (1, 1)  # the one without an id is always new
    assert VacantSpace.objects.get(external_id="vs-1").floor_area_m2 == 150


def test_every_bad_csv_row_is_reported_and_nothing_changes(mapo: Region) -> None:
    import_vacant_spaces(GOOD.encode(), "spaces.csv")
    before = list(VacantSpace.objects.order_by("pk").values())
    bad = HEADER + (
        "Fine,addr,37.5572,126.9245,lot,10,0,,,vs-1\n"  # 2: an update, but the file is refused
        ",addr,37.5572,126.9245,lot,10,0,,,\n"  # 3: name
        "A,addr,north,126.9245,lot,10,0,,,\n"  # 4: lat
        "A,addr,37.5572,126.9245,castle,10,0,,,\n"  # 5: kind
        "A,addr,37.5572,126.9245,lot,0,-5,,,\n"  # 6: area and rent
        "A,addr,37.5572,126.9245,lot,10,0,01/03/2025,maybe,\n"  # 7: date and flag
        "A,addr,37.4979,127.0276,lot,10,0,,,\n"  # 8: outside every region
        "A,addr,37.5572,126.9245,lot,10,0,,,vs-1\n"  # 9: duplicate id
        "A,addr,37.5572,126.9245,lot,10,0,2025-02-30,,\n"  # 10: no such day
    )
    assert errors_of(bad) == {
        (3, "name"),
        (4, "lat"),
        (5, "kind"),
        (6, "floor_area_m2"),
        (6, "monthly_rent_won"),
        (7, "available_from"),
        (7, "can_community"),
        (8, "lat"),
        (9, "external_id"),
        (10, "available_from"),
    }
    assert list(VacantSpace.objects.order_by("pk").values()) == before


def geojson(*features: Any) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def point_feature(lng: float, lat: float, **props: Any) -> dict[str, Any]:
    base = {
        "name": "Shop",
        "address": "addr",
        "kind": "shop_front",
        "floor_area_m2": 80,
        "monthly_rent_won": 2_000_000,
    }
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lng, lat]},
        "properties": base | props,
    }


def test_a_good_geojson(mapo: Region) -> None:
    text = geojson(
        point_feature(126.9245, 37.5572, can_popup=True, external_id="g-1", floor_area_m2=80.0),
        point_feature(126.9019, 37.5663, kind="upper_floor", available_from="2025-06-01"),
    )
    report = import_vacant_spaces(text.encode(), "spaces.geojson")
    assert report.created == 2
    shop = VacantSpace.objects.get(external_id="g-1")
    assert (shop.lat, shop.lng, shop.can_popup, shop.floor_area_m2) == (37.5572, 126.9245, True, 80)


def test_geojson_is_detected_by_content_too(mapo: Region) -> None:
    assert import_vacant_spaces(geojson(point_feature(126.9245, 37.5572)).encode(), "upload.txt").created == 1


def test_bad_features_are_reported_by_their_position(mapo: Region) -> None:
    polygon = {
        "type": "Polygon",
        "coordinates": [[[126.92, 37.55], [126.93, 37.55], [126.93, 37.56], [126.92, 37.55]]],
    }
    missing = point_feature(126.9245, 37.5572)
    del missing["properties"]["kind"]
    text = geojson(
        point_feature(126.9245, 37.5572),  # 1: fine
        {"type": "Feature", "geometry": polygon, "properties": point_feature(0, 0)["properties"]},  # 2
        missing,  # 3
        point_feature(200, 37.5),  # 4: lng out of range
        "not a feature",  # 5
        point_feature(126.9245, 37.5572, floor_area_m2=[1, 2]),  # 6
        point_feature(127.0276, 37.4979),  # 7: outside every region
    )
    with pytest.raises(ImportFailed) as exc:
        import_vacant_spaces(text.encode(), "spaces.geojson")
    found = {(e.line, e.field) for e in exc.value.errors}
    assert found == {(2, "geometry"), (3, "kind"), (4, "lng"), (5, None), (6, "floor_area_m2"), (7, "lat")}
    assert all(e.message.startswith(f"feature {e.line}:") for e in exc.value.errors)
    assert "Polygon" in str(exc.value)
    assert not VacantSpace.objects.exists()


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        ('{"type": "FeatureCollection", "features": [', "s.geojson", 1),
        ('{"type": "FeatureCollection",\n "features": [}', "s.json", 2),
        ('{"type": "Feature"}', "s.geojson", 0),
        ("[1, 2]", "s.geojson", 0),
    ],
)
def test_malformed_geojson(mapo: Region, data: str, filename: str, expected: int) -> None:
    with pytest.raises(ImportFailed) as exc:
        import_vacant_spaces(data.encode(), filename)
    assert exc.value.errors[0].line == expected
    assert "JSON" in str(exc.value) or "FeatureCollection" in str(exc.value)
    assert not VacantSpace.objects.exists()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"name,address\n", (1, "lat")),  # missing columns
        (HEADER.encode() + b'"unclosed,addr\n', (2, None)),
        (HEADER.encode() + b"only,three,cells\n", (2, None)),
        (b"\xff\xfe", (0, None)),
    ],
)
def test_malformed_csv(mapo: Region, data: bytes, expected: tuple[int, str | None]) -> None:
    assert expected in errors_of(data)
    assert not VacantSpace.objects.exists()


def test_a_byte_order_mark_is_fine(mapo: Region) -> None:
    assert import_vacant_spaces("\ufeff".encode() + GOOD.encode(), "spaces.csv").created == 2
