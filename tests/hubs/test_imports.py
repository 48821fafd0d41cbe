"""Hubs from CSV or GeoJSON: upsert by slug, all or nothing, areas computed for new and
moved hubs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import override_settings

from hyperlocal.hubs.errors import ServiceAreaUnavailable
from hyperlocal.hubs.imports import import_hubs
from hyperlocal.hubs.models import Hub, ServiceAreaCell, Zone
from hyperlocal.imports import ImportFailed
from hyperlocal.regions.models import Region
from tests.hubs.conftest import DOWN_OSRM

HEADER = "name,slug,address,lat,lng,floor_area_m2,promise_minutes,prep_minutes,courier_mode,status\n"


def state() -> tuple[list[tuple[Any, ...]], int]:
    hubs = list(
        Hub.objects.order_by("slug").values_list(
            "slug", "name", "promise_minutes", "lat", "service_area_signature"
        )
    )
    return hubs, ServiceAreaCell.objects.count()


def test_good_csv_creates_and_updates_with_areas(hub: Hub) -> None:
    stamp = hub.service_area_computed_at
    data = (
        HEADER
        + 'Mapo Office Hub (renamed),mapo-office,월드컵로 212,37.5663,126.9019,"1,200",30,10,bike,open\n'
        + "Hongdae,hongdae,서울 마포구 양화로 160,37.5572,126.9245,300,25,5,walk,\n"
        + "Mangwon,mangwon,서울 마포구 망원로,37.5556,126.9104,250,,,,planned\n"
    ).encode()
    report = import_hubs(data, "hubs.csv")
    assert (report.created, report.updated) == (2, 1)
    assert "2 service area(s) computed" in str(report)
    hub.refresh_from_db()
    assert hub.name == "Mapo Office Hub (renamed)"
    assert hub.floor_area_m2 == 1200
    assert hub.service_area_computed_at == stamp  # nothing that shapes the area changed
    hongdae = Hub.objects.get(slug="hongdae")
    assert hongdae.courier_mode == "walk"
    assert hongdae.service_area_signature.startswith("walk:20:")
    assert hongdae.service_cells.count() > 10
    mangwon = Hub.objects.get(slug="mangwon")
    assert (mangwon.promise_minutes, mangwon.prep_minutes, mangwon.courier_mode) == (30, 10, "bike")
    assert mangwon.status == "planned"
    assert mangwon.region.parent
    assert mangwon.region.parent.code == "11440"


def test_moving_a_hub_by_import_recomputes_its_area(hub: Hub) -> None:
    data = (HEADER + "Mapo Office Hub,mapo-office,x,37.5572,126.9245,400,30,10,bike,open\n").encode()
    import_hubs(data, "hubs.csv")
    hub.refresh_from_db()
    assert hub.service_area_signature.startswith("bike:20:37.557200,126.924500")


def test_every_bad_row_is_reported_and_nothing_changes(hub: Hub) -> None:
    before = state()
    data = (
        HEADER
        + "New,new-hub,x,37.5556,126.9104,250,30,10,bike,open\n"  # 2: good, yet not written
        + "Far,far,부산,35.1796,129.0756,100,30,10,bike,open\n"  # 3: outside every region
        + "Lat,lat,x,95,126.9,100,30,10,bike,open\n"  # 4
        + "Str,str,x,north,126.9,100,30,10,bike,open\n"  # 5
        + "Neg,neg,x,37.5556,126.9104,-20,30,10,bike,open\n"  # 6
        + "Flt,flt,x,37.5556,126.9104,20.5,30,10,bike,open\n"  # 7
        + "Pro,pro,x,37.5556,126.9104,20,10,10,bike,open\n"  # 8
        + "Mode,mode,x,37.5556,126.9104,20,30,10,rocket,open\n"  # 9
        + "Dup,new-hub,x,37.5556,126.9104,20,30,10,bike,open\n"  # 10: slug of line 2
        + ",blank,x,37.5556,126.9104,20,30,10,bike,open\n"  # 11: no name
        + "Short,short\n"  # 12
        + "Mapo Office Hub,mapo-office,x,37.5663,126.9019,400,60,10,bike,open\n"  # 13: good, not written
    ).encode()
    with pytest.raises(ImportFailed) as err:
        import_hubs(data, "bad.csv")
    found = {(e.line, e.field) for e in err.value.errors}
    assert found == {
        (3, "lat"),
        (4, "lat"),
        (5, "lat"),
        (6, "floor_area_m2"),
        (7, "floor_area_m2"),
        (8, "promise_minutes"),
        (9, "courier_mode"),
        (10, "slug"),
        (11, "name"),
        (12, None),
    }
    assert state() == before


def feature(
    props: dict[str, Any], coordinates: Any = (126.9104, 37.5556), kind: str = "Point"
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": kind, "coordinates": list(coordinates)},
        "properties": props,
    }


PROPS = {"name": "Mangwon", "slug": "mangwon", "address": "서울 마포구 망원로", "floor_area_m2": 250}


def test_good_geojson(mapo: Region) -> None:
    doc = {
        "type": "FeatureCollection",
        "features": [
            feature(PROPS),
            feature({**PROPS, "slug": "m2", "courier_mode": "walk", "promise_minutes": 20}),
        ],
    }
    report = import_hubs(json.dumps(doc).encode(), "hubs.geojson")
    assert report.created == 2
    mangwon = Hub.objects.get(slug="mangwon")
    assert (mangwon.lat, mangwon.lng) == (37.5556, 126.9104)
    assert mangwon.service_cells.count() > 100


def test_bad_geojson_features_are_reported_by_feature_number(hub: Hub) -> None:
    before = state()
    doc = {
        "type": "FeatureCollection",
        "features": [
            feature(PROPS),  # 1: good
            feature(PROPS, kind="Polygon", coordinates=[[[126.9, 37.5]]]),  # 2: wrong geometry
            feature({"name": "No slug", "address": "x", "floor_area_m2": 10}),  # 3: missing property
            feature({**PROPS, "slug": "m3", "floor_area_m2": 10.5}),  # 4: float area
            feature({**PROPS, "slug": "m4"}, coordinates=[129.0756, 35.1796]),  # 5: Busan
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1]}, "properties": PROPS},  # 6
            "not a feature",  # 7
            {"type": "Feature", "geometry": None, "properties": None},  # 8
        ],
    }
    with pytest.raises(ImportFailed) as err:
        import_hubs(json.dumps(doc).encode(), "hubs.json")
    found = {(e.line, e.field) for e in err.value.errors}
    assert found == {
        (2, "geometry"),
        (3, "slug"),
        (4, "floor_area_m2"),
        (5, "lat"),
        (6, "geometry"),
        (7, None),
        (8, "properties"),
    }
    assert "feature number" in err.value.message
    assert state() == before


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b'{"type": "FeatureCollection", "features": [', "hubs.geojson"),  # malformed JSON
        (b'{"type": "Feature"}', "hubs.txt"),  # JSON detected by content, not a collection
        (b"[1, 2]", "hubs.json"),
        (b"", "hubs.csv"),
        (b"name,slug\nx,y\n", "hubs.csv"),  # missing columns
        (b'name,slug,address,lat,lng,floor_area_m2\n"x,y,z,1,2,3\n', "hubs.csv"),  # unterminated quote
    ],
)
def test_malformed_files_change_nothing(hub: Hub, data: bytes, filename: str) -> None:
    before = state()
    with pytest.raises(ImportFailed) as err:
        import_hubs(data, filename)
    assert err.value.errors
    assert state() == before


def test_unavailable_travel_model_refuses_the_import(hub: Hub) -> None:
    before = state()
    data = (HEADER + "New,new-hub,x,37.5556,126.9104,250,30,10,bike,open\n").encode()
    with override_settings(TRAVEL_MODEL=DOWN_OSRM), pytest.raises(ServiceAreaUnavailable):
        import_hubs(data, "hubs.csv")
    assert state() == before


def test_empty_optional_cells_keep_an_existing_hubs_values(hub: Hub) -> None:
    hub.status = Hub.Status.PAUSED
    hub.promise_minutes = 45
    hub.save()
    data = (HEADER + "Renamed,mapo-office,x,37.5663,126.9019,400,,,,\n").encode()
    import_hubs(data, "hubs.csv")
    hub.refresh_from_db()
    assert (hub.name, hub.status, hub.promise_minutes, hub.courier_mode) == ("Renamed", "paused", 45, "bike")


def test_rules_across_fields_use_current_values_and_zones(hub: Hub) -> None:
    Zone.objects.create(hub=hub, kind="warehouse", name="Store", area_m2=300, capacity=10)
    data = (
        HEADER
        + "A,mapo-office,x,37.5663,126.9019,299,,,,\n"  # 2: zones take 300 m²
        + "B,mapo-office-2,x,37.5663,126.9019,100,,35,,\n"  # 3: default 30-minute promise <= 35
    ).encode()
    with pytest.raises(ImportFailed) as err:
        import_hubs(data, "hubs.csv")
    assert {(e.line, e.field) for e in err.value.errors} == {(2, "floor_area_m2"), (3, "prep_minutes")}
