"""Catalog admin pages load and save through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hyperlocal.catalog.models import Product
from tests.catalog.conftest import Catalog


@pytest.fixture
def admin_client_(client: Client, superuser: Any) -> Client:
    client.force_login(superuser)
    return client


@pytest.mark.parametrize("model", ["merchant", "product", "origin"])
def test_changelists_and_add_pages_load(admin_client_: Client, catalog: Catalog, model: str) -> None:
    assert admin_client_.get(reverse(f"admin:catalog_{model}_changelist")).status_code == 200
    assert admin_client_.get(reverse(f"admin:catalog_{model}_changelist"), {"q": "제주"}).status_code == 200
    assert admin_client_.get(reverse(f"admin:catalog_{model}_add")).status_code == 200


def test_change_pages_load(admin_client_: Client, catalog: Catalog) -> None:
    for url in (
        reverse("admin:catalog_merchant_change", args=[catalog.shop_a.pk]),
        reverse("admin:catalog_product_change", args=[catalog.tangerines.pk]),
        reverse("admin:catalog_origin_change", args=[catalog.jeju.pk]),
        reverse("admin:catalog_product_import"),
    ):
        assert admin_client_.get(url).status_code == 200, url


def product_form(catalog: Catalog, **overrides: Any) -> dict[str, Any]:
    data = {
        "merchant": catalog.shop_a.pk,
        "sku": "ADM-1",
        "name_ko": "관리자 상품",
        "name_en": "",
        "description": "",
        "category": "fruit",
        "unit": "1 kg",
        "price_won": "1000",
        "barcode": "",
        "origin": catalog.jeju.pk,
        "is_active": "on",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
    }
    return {**data, **overrides}


def test_add_product_through_the_admin(admin_client_: Client, catalog: Catalog) -> None:
    response = admin_client_.post(reverse("admin:catalog_product_add"), product_form(catalog))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Product.objects.get(sku="ADM-1").origin == catalog.jeju


def test_admin_form_shows_service_rules_beside_the_field(admin_client_: Client, catalog: Catalog) -> None:
    response = admin_client_.post(reverse("admin:catalog_product_add"), product_form(catalog, barcode="12"))
    assert response.status_code == 200
    assert "barcode must be 8 to 14 digits" in response.content.decode()
    duplicate = admin_client_.post(reverse("admin:catalog_product_add"), product_form(catalog, sku="tan-1"))
    assert duplicate.status_code == 200
    assert not Product.objects.filter(sku="ADM-1").exists()


def test_import_page_imports_a_file(admin_client_: Client, catalog: Catalog) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    good = SimpleUploadedFile(
        "p.csv", "merchant,sku,name_ko,category,unit,price_won\nseogyo-rice,N9,누룽지,snacks,1,100\n".encode()
    )
    response = admin_client_.post(reverse("admin:catalog_product_import"), {"file": good})
    assert response.status_code == 302
    assert Product.objects.filter(sku="N9").exists()
    bad = SimpleUploadedFile(
        "p.csv", b"merchant,sku,name_ko,category,unit,price_won\nnobody,N8,x,snacks,1,-1\n"
    )
    response = admin_client_.post(reverse("admin:catalog_product_import"), {"file": bad})
    assert response.status_code == 200
    assert "no merchant" in response.content.decode()
    assert not Product.objects.filter(sku="N8").exists()


def test_merchant_staff_sees_only_their_own_products(client: Client, catalog: Catalog) -> None:
    catalog.staff_a.is_staff = True
    catalog.staff_a.save()
    from django.contrib.auth.models import Permission

    catalog.staff_a.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_product", "change_product", "add_product"])
    )
    client.force_login(catalog.staff_a)
    listing = client.get(reverse("admin:catalog_product_changelist")).content.decode()
    assert "TAN-1" in listing
    assert "RICE-10" not in listing
    assert client.get(reverse("admin:catalog_product_change", args=[catalog.rice.pk])).status_code == 302
    assert client.get(reverse("admin:catalog_product_import")).status_code == 403
