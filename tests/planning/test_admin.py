"""The planning back office loads for a superuser, and its import pages work."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from hyperlocal.accounts.models import User
from hyperlocal.geo import cell_of
from hyperlocal.planning.imports import import_population_grid, import_vacant_spaces
from hyperlocal.planning.models import PopulationCell, SitePlan, VacantSpace, ZoneSplitRule
from hyperlocal.regions.models import Region
from tests.factories import HONGDAE
from tests.planning.test_spaces import GOOD

CELL = cell_of(HONGDAE, settings.REGION_CELL_RESOLUTION)


@pytest.fixture
def admin_client(mapo: Region) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("boss", "boss@example.test", "correct horse battery"))
    return client


def test_vacant_space_pages(admin_client: Client) -> None:
    import_vacant_spaces(GOOD.encode(), "spaces.csv")
    space = VacantSpace.objects.get(external_id="vs-1")
    page = admin_client.get(reverse("admin:planning_vacantspace_changelist"), {"kind__exact": "shop_front"})
    assert page.status_code == 200
    assert "Old bookshop" in page.content.decode()
    assert admin_client.get(reverse("admin:planning_vacantspace_change", args=[space.pk])).status_code == 200
    assert admin_client.get(reverse("admin:planning_vacantspace_add")).status_code == 200


def test_adding_a_space_outside_every_region_is_refused(admin_client: Client) -> None:
    data = {
        "name": "Far",
        "address": "강남",
        "lat": "37.4979",
        "lng": "127.0276",
        "kind": "lot",
        "floor_area_m2": "10",
        "monthly_rent_won": "0",
        "available_from": "2025-01-01",
    }
    response = admin_client.post(reverse("admin:planning_vacantspace_add"), data)
    assert response.status_code == 200
    assert "outside every region" in response.content.decode()
    assert not VacantSpace.objects.exists()
    data |= {"lat": "37.5572", "lng": "126.9245"}
    assert admin_client.post(reverse("admin:planning_vacantspace_add"), data).status_code == 302
    assert VacantSpace.objects.get().region.code == "1144066000"


def test_vacant_space_import_page(admin_client: Client) -> None:
    url = reverse("admin:planning_vacantspace_import")
    assert admin_client.get(url).status_code == 200
    bad = SimpleUploadedFile("s.csv", GOOD.replace("shop_front", "castle").encode())
    page = admin_client.post(url, {"file": bad})
    assert page.status_code == 200
    assert "castle" in page.content.decode()
    assert not VacantSpace.objects.exists()
    assert admin_client.post(url, {"file": SimpleUploadedFile("s.csv", GOOD.encode())}).status_code == 302
    assert VacantSpace.objects.count() == 2


def test_population_pages(admin_client: Client) -> None:
    import_population_grid(f"cell,population\n{CELL},10\n".encode(), "g.csv", source="SGIS 2024")
    page = admin_client.get(reverse("admin:planning_populationcell_changelist"), {"source": "SGIS 2024"})
    assert page.status_code == 200
    assert CELL in page.content.decode()
    assert (
        admin_client.get(
            reverse("admin:planning_populationcell_change", args=[PopulationCell.objects.get().pk])
        ).status_code
        == 200
    )
    url = reverse("admin:planning_populationcell_import")
    assert admin_client.get(url).status_code == 200
    upload = SimpleUploadedFile("census-2024.csv", f"cell,population\n{CELL},12\n".encode())
    assert admin_client.post(url, {"file": upload}).status_code == 302
    assert PopulationCell.objects.get(source="census-2024").population == 12


def test_zone_rules_and_site_plans_in_the_back_office(admin_client: Client) -> None:
    district = Region.objects.get(code="11440")
    add = reverse("admin:planning_zonesplitrule_add")
    fields = {
        "region": district.pk,
        "community_bp": 1500,
        "popup_bp": 1500,
        "stay_bp": 1000,
        "popup_bay_m2": 20,
        "stay_room_m2": 20,
        "orders_per_warehouse_m2": 2.0,
    }
    # Shares over the whole floor are refused on the form, not with a 500.
    refused = admin_client.post(add, {**fields, "warehouse_bp": 7000})
    assert refused.status_code == 200
    assert not ZoneSplitRule.objects.exists()
    assert admin_client.post(add, {**fields, "warehouse_bp": 5500}).status_code == 302
    rule = ZoneSplitRule.objects.get(region=district)
    assert rule.updated_by is not None
    assert rule.updated_by.username == "boss"

    plan = SitePlan.objects.create(
        region=district, parameters={"model": "mclp"}, status="done", result={"cells": []},
        summary={"coverage_share": 0.807},
    )  # fmt: skip
    listing = admin_client.get(reverse("admin:planning_siteplan_changelist")).content.decode()
    assert "80.7 %" in listing
    assert admin_client.get(reverse("admin:planning_siteplan_change", args=[plan.pk])).status_code == 200
    assert admin_client.get(reverse("admin:planning_siteplan_add")).status_code == 403
