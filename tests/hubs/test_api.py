"""The hubs API: public reading, admin/operator writing, every refusal with a field."""

from __future__ import annotations

import json
from typing import Any, get_args

import pytest
from django.test import Client, override_settings

from hyperlocal.accounts.models import User
from hyperlocal.hubs.models import Hub, Zone
from hyperlocal.hubs.schemas import HubStatus, ZoneKind
from hyperlocal.regions.models import Region
from tests.factories import HONGDAE
from tests.hubs.conftest import DOWN_OSRM, bearer, hub_fields

API = "/api/hubs"


@pytest.fixture
def client() -> Client:
    return Client()


def send(client: Client, method: str, url: str, body: Any, headers: dict[str, str]) -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json", **headers)


def test_list_and_filters(client: Client, hub: Hub, other_hub: Hub) -> None:
    hubs = client.get(API).json()
    assert [h["slug"] for h in hubs] == ["hongdae", "mapo-office"]
    assert hubs[1]["service_cells"] == hub.service_cells.count()
    assert [h["slug"] for h in client.get(API, {"region": "11440"}).json()] == ["hongdae", "mapo-office"]
    assert [h["slug"] for h in client.get(API, {"region": hub.region.code}).json()] == ["mapo-office"]
    assert client.get(API, {"status": "closed"}).json() == []
    assert client.get(API, {"status": "exploded"}).status_code == 422


def test_serving_is_not_taken_for_a_hub_slug(client: Client, hub: Hub, other_hub: Hub) -> None:
    served = client.get(f"{API}/serving", {"lat": HONGDAE.lat, "lng": HONGDAE.lng}).json()
    assert [s["hub"]["slug"] for s in served] == ["hongdae", "mapo-office"]
    assert 0 <= served[0]["travel_minutes"] <= served[1]["travel_minutes"] <= 20
    assert client.get(f"{API}/serving", {"lat": 35.18, "lng": 129.07}).json() == []
    nearby = client.get(f"{API}/nearby", {"lat": HONGDAE.lat, "lng": HONGDAE.lng, "limit": 1}).json()
    assert [n["hub"]["slug"] for n in nearby] == ["hongdae"]


@pytest.mark.parametrize(
    ("params", "field"), [({"lat": 91, "lng": 127}, "lat"), ({"lat": "abc", "lng": 127}, "lat")]
)
def test_serving_refuses_bad_coordinates(
    client: Client, mapo: Region, params: dict[str, Any], field: str
) -> None:
    response = client.get(f"{API}/serving", params)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_detail_and_geojson(client: Client, hub: Hub, operator: User) -> None:
    send(
        client,
        "put",
        f"{API}/mapo-office/opening-hours",
        {"windows": [{"weekday": 0, "opens": "09:00", "closes": "02:00"}]},
        bearer(operator),
    )
    detail = client.get(f"{API}/mapo-office").json()
    assert detail["promise_minutes"] == 30
    assert detail["courier_mode"] == "bike"
    assert detail["opening_hours"] == [{"weekday": 0, "opens": "09:00:00", "closes": "02:00:00"}]
    assert detail["service_area"]["cells"] == hub.service_cells.count()
    assert detail["service_area"]["stale"] is False
    assert detail["service_area"]["max_travel_minutes"] <= 20
    geojson = client.get(f"{API}/mapo-office/service-area").json()
    assert geojson["type"] == "FeatureCollection"
    assert len(geojson["features"]) == hub.service_cells.count()
    assert client.get(f"{API}/nope").status_code == 404
    assert client.get(f"{API}/nope/service-area").status_code == 404


def test_platform_admin_creates_a_hub(
    client: Client, mapo: Region, platform_admin: User, operator: User
) -> None:
    response = send(client, "post", API, hub_fields(operators=["operator"]), bearer(platform_admin))
    assert response.status_code == 201, response.content
    assert response.json()["service_area"]["cells"] > 100
    assert Hub.objects.get(slug="mapo-office").operators.get() == operator
    again = send(client, "post", API, hub_fields(), bearer(platform_admin))
    assert again.status_code == 409
    assert again.json()["field"] == "slug"


def test_creating_a_hub_needs_a_platform_admin(client: Client, mapo: Region, operator: User) -> None:
    assert send(client, "post", API, hub_fields(), {}).status_code == 401
    assert send(client, "post", API, hub_fields(), bearer(operator)).status_code == 403
    assert not Hub.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"lat": 95}, "lat"),
        ({"lng": "east"}, "lng"),
        ({"lat": 35.1796, "lng": 129.0756}, "lat"),  # outside every region
        ({"floor_area_m2": -1}, "floor_area_m2"),
        ({"floor_area_m2": 10.5}, "floor_area_m2"),
        ({"promise_minutes": 10, "prep_minutes": 20}, "promise_minutes"),
        ({"courier_mode": "rocket"}, "courier_mode"),
    ],
)
def test_bad_hubs_are_refused_by_field(
    client: Client, mapo: Region, platform_admin: User, overrides: dict[str, Any], field: str
) -> None:
    response = send(client, "post", API, hub_fields(**overrides), bearer(platform_admin))
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert not Hub.objects.exists()


def test_operator_patches_their_hub_only(client: Client, hub: Hub, other_hub: Hub, operator: User) -> None:
    response = send(client, "patch", f"{API}/mapo-office", {"promise_minutes": 40}, bearer(operator))
    assert response.status_code == 200
    assert response.json()["service_area"]["signature"].startswith("bike:30:")
    refused = send(client, "patch", f"{API}/hongdae", {"name": "Mine"}, bearer(operator))
    assert refused.status_code == 403
    other_hub.refresh_from_db()
    assert other_hub.name == "Hongdae Hub"


def test_travel_model_down_answers_503_and_changes_nothing(client: Client, hub: Hub, operator: User) -> None:
    with override_settings(TRAVEL_MODEL=DOWN_OSRM):
        response = send(client, "patch", f"{API}/mapo-office", {"promise_minutes": 45}, bearer(operator))
        refresh = client.post(f"{API}/mapo-office/service-area/refresh", **bearer(operator))
    assert response.status_code == 503
    assert response.json()["code"] == "ServiceAreaUnavailable"
    assert refresh.status_code == 503
    hub.refresh_from_db()
    assert hub.promise_minutes == 30


def test_refresh(client: Client, hub: Hub, other_hub: Hub, operator: User) -> None:
    response = client.post(f"{API}/mapo-office/service-area/refresh", **bearer(operator))
    assert response.status_code == 200
    assert response.json()["cells"] == hub.service_cells.count()
    assert client.post(f"{API}/hongdae/service-area/refresh", **bearer(operator)).status_code == 403


def test_zones_through_the_api(client: Client, hub: Hub, operator: User) -> None:
    auth = bearer(operator)
    created = send(
        client,
        "post",
        f"{API}/mapo-office/zones",
        {"kind": "warehouse", "name": "Store", "area_m2": 300, "capacity": 500},
        auth,
    )
    assert created.status_code == 201
    zone_id = created.json()["id"]
    too_big = send(
        client,
        "post",
        f"{API}/mapo-office/zones",
        {"kind": "popup_bay", "name": "Bay", "area_m2": 101, "capacity": 1},
        auth,
    )
    assert too_big.status_code == 422
    assert too_big.json()["field"] == "area_m2"
    negative = send(client, "patch", f"{API}/mapo-office/zones/{zone_id}", {"area_m2": -5}, auth)
    assert negative.status_code == 422
    assert negative.json()["field"] == "area_m2"
    assert (
        send(client, "patch", f"{API}/mapo-office/zones/{zone_id}", {"capacity": 10}, auth).json()["capacity"]
        == 10
    )
    assert send(client, "patch", f"{API}/mapo-office/zones/999", {"capacity": 10}, auth).status_code == 404
    assert client.delete(f"{API}/mapo-office/zones/{zone_id}", **auth).status_code == 204
    assert not Zone.objects.exists()


def test_opening_hours_through_the_api(client: Client, hub: Hub, operator: User) -> None:
    auth = bearer(operator)
    overlap = {
        "windows": [
            {"weekday": 0, "opens": "09:00", "closes": "12:00"},
            {"weekday": 0, "opens": "11:00", "closes": "13:00"},
        ]
    }
    response = send(client, "put", f"{API}/mapo-office/opening-hours", overlap, auth)
    assert response.status_code == 422
    assert response.json()["field"] == "windows.1"
    bad_day = send(
        client,
        "put",
        f"{API}/mapo-office/opening-hours",
        {"windows": [{"weekday": 9, "opens": "09:00", "closes": "10:00"}]},
        auth,
    )
    assert bad_day.status_code == 422
    assert bad_day.json()["field"].endswith("weekday")
    assert not hub.opening_hours.exists()


def test_spelled_out_choices_match_the_models() -> None:
    assert set(get_args(HubStatus)) == set(Hub.Status.values)
    assert set(get_args(ZoneKind)) == set(Zone.Kind.values)


def test_malformed_json_is_a_client_error(client: Client, hub: Hub, operator: User) -> None:
    auth = bearer(operator)
    response = client.patch(f"{API}/mapo-office", data="{", content_type="application/json", **auth)
    assert response.status_code == 422, response.content
    hub.refresh_from_db()
    assert hub.name == "Mapo Office Hub"
