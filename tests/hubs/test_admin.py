"""Hub, zone, service-cell and courier admin pages; saving goes through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from hyperlocal.accounts.models import User
from hyperlocal.dispatch.models import Courier
from hyperlocal.hubs.models import Hub, Zone
from tests.factories import UserFactory
from tests.hubs.conftest import DOWN_OSRM


@pytest.fixture
def root(client: Client, superuser: User) -> Client:
    client.force_login(superuser)
    return client


@pytest.fixture
def courier(hub: Hub) -> Courier:
    return Courier.objects.create(
        user=UserFactory(username="rider"), mode="bike", capacity_items=20, home_hub=hub
    )


@pytest.mark.parametrize("name", ["hubs_hub", "hubs_zone", "hubs_serviceareacell", "dispatch_courier"])
def test_changelists_load(root: Client, hub: Hub, courier: Courier, name: str) -> None:
    assert root.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert root.get(reverse(f"admin:{name}_changelist"), {"q": "mapo"}).status_code == 200


def test_forms_and_import_page_load(root: Client, hub: Hub, courier: Courier) -> None:
    zone = Zone.objects.create(hub=hub, kind="warehouse", name="Store", area_m2=100, capacity=10)
    cell = hub.service_cells.first()
    assert cell is not None
    for url in (
        reverse("admin:hubs_hub_add"),
        reverse("admin:hubs_hub_change", args=[hub.pk]),
        reverse("admin:hubs_hub_import"),
        reverse("admin:hubs_zone_add"),
        reverse("admin:hubs_zone_change", args=[zone.pk]),
        reverse("admin:hubs_serviceareacell_change", args=[cell.pk]),
        reverse("admin:dispatch_courier_add"),
        reverse("admin:dispatch_courier_change", args=[courier.pk]),
    ):
        assert root.get(url).status_code == 200, url


def hub_form(hub: Hub | None = None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Admin Hub",
        "slug": "admin-hub",
        "address": "서울 마포구 월드컵로 212",
        "lat": "37.5663",
        "lng": "126.9019",
        "floor_area_m2": "400",
        "status": "open",
        "promise_minutes": "30",
        "prep_minutes": "10",
        "courier_mode": "bike",
    }
    if hub is not None:
        data.update(name=hub.name, slug=hub.slug, address=hub.address, lat=str(hub.lat), lng=str(hub.lng))
        data["operators"] = [u.pk for u in hub.operators.all()]
    for prefix in ("zones", "opening_hours"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return {**data, **overrides}


def test_adding_a_hub_computes_its_area(root: Client, mapo: Any) -> None:
    zones = {
        "zones-TOTAL_FORMS": "1",
        "zones-0-kind": "warehouse",
        "zones-0-name": "Store",
        "zones-0-area_m2": "300",
        "zones-0-capacity": "100",
    }
    response = root.post(reverse("admin:hubs_hub_add"), hub_form(**zones))
    assert response.status_code == 302, response.content.decode()[:3000]
    hub = Hub.objects.get(slug="admin-hub")
    assert hub.service_cells.count() > 100
    assert hub.region.code.startswith("11440")
    assert hub.zones.get().area_m2 == 300


def test_admin_shows_bad_input_beside_the_field(root: Client, mapo: Any) -> None:
    outside = root.post(reverse("admin:hubs_hub_add"), hub_form(lat="35.1796", lng="129.0756"))
    assert outside.status_code == 200
    assert "outside every region" in outside.content.decode()
    too_big = {
        "zones-TOTAL_FORMS": "1",
        "zones-0-kind": "warehouse",
        "zones-0-name": "Store",
        "zones-0-area_m2": "500",
        "zones-0-capacity": "1",
    }
    response = root.post(reverse("admin:hubs_hub_add"), hub_form(**too_big))
    assert response.status_code == 200
    assert "more than the hub&#x27;s floor area" in response.content.decode()
    assert not Hub.objects.exists()


def test_change_recomputes_only_when_the_area_depends_on_it(root: Client, hub: Hub) -> None:
    url = reverse("admin:hubs_hub_change", args=[hub.pk])
    stamp = hub.service_area_computed_at
    assert root.post(url, hub_form(hub, name="Renamed")).status_code == 302
    hub.refresh_from_db()
    assert hub.name == "Renamed"
    assert hub.service_area_computed_at == stamp
    assert root.post(url, hub_form(hub, promise_minutes="40")).status_code == 302
    hub.refresh_from_db()
    assert hub.service_area_signature.startswith("bike:30:")
    assert hub.service_area_computed_at != stamp


def test_unavailable_travel_model_is_a_message_not_a_500(root: Client, hub: Hub) -> None:
    url = reverse("admin:hubs_hub_change", args=[hub.pk])
    with override_settings(TRAVEL_MODEL=DOWN_OSRM):
        response = root.post(url, hub_form(hub, promise_minutes="45"), follow=True)
    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    hub.refresh_from_db()
    assert hub.promise_minutes == 30


def test_recompute_action(root: Client, hub: Hub) -> None:
    Hub.objects.filter(pk=hub.pk).update(promise_minutes=40)
    response = root.post(
        reverse("admin:hubs_hub_changelist"),
        {"action": "recompute_service_areas", "_selected_action": [hub.pk]},
    )
    assert response.status_code == 302
    hub.refresh_from_db()
    assert hub.service_area_signature.startswith("bike:30:")


def test_import_page(root: Client, hub: Hub) -> None:
    good = SimpleUploadedFile(
        "hubs.csv", b"name,slug,address,lat,lng,floor_area_m2\nMangwon,mangwon,x,37.5556,126.9104,250\n"
    )
    assert root.post(reverse("admin:hubs_hub_import"), {"file": good}).status_code == 302
    assert Hub.objects.filter(slug="mangwon").exists()
    bad = SimpleUploadedFile(
        "hubs.csv", b"name,slug,address,lat,lng,floor_area_m2\nFar,far,x,35.1796,129.0756,250\n"
    )
    response = root.post(reverse("admin:hubs_hub_import"), {"file": bad})
    assert response.status_code == 200
    assert "outside every region" in response.content.decode()
    assert not Hub.objects.filter(slug="far").exists()


def test_zone_admin_keeps_zones_within_the_floor_area(root: Client, hub: Hub) -> None:
    Zone.objects.create(hub=hub, kind="warehouse", name="Store", area_m2=300, capacity=10)
    data = {"hub": hub.pk, "kind": "popup_bay", "name": "Bay", "area_m2": "101", "capacity": "1"}
    response = root.post(reverse("admin:hubs_zone_add"), data)
    assert response.status_code == 200
    assert "floor area" in response.content.decode()
    assert root.post(reverse("admin:hubs_zone_add"), {**data, "area_m2": "100"}).status_code == 302
    assert hub.zones.count() == 2


def test_operators_see_only_their_hubs(client: Client, hub: Hub, other_hub: Hub, operator: User) -> None:
    operator.is_staff = True
    operator.save()
    operator.user_permissions.add(*Permission.objects.filter(codename__in=["view_hub", "change_hub"]))
    client.force_login(operator)
    listing = client.get(reverse("admin:hubs_hub_changelist")).content.decode()
    assert "Mapo Office Hub" in listing
    assert "Hongdae Hub" not in listing
    assert client.get(reverse("admin:hubs_hub_change", args=[other_hub.pk])).status_code == 302
    assert client.get(reverse("admin:hubs_hub_import")).status_code == 403
