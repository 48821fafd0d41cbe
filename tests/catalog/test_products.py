"""create_product / update_product: object-level permission and field rules."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from hyperlocal.catalog.models import Product
from hyperlocal.catalog.services import can_edit_product, create_product, staff_merchants, update_product
from hyperlocal.errors import Conflict, InvalidInput, NotAllowed
from tests.catalog.conftest import Catalog
from tests.factories import UserFactory


def new_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "sku": "HALLABONG-2",
        "name_ko": "제주 한라봉 2kg",
        "name_en": "Jeju hallabong 2 kg",
        "category": "fruit",
        "unit": "2 kg box",
        "price_won": 32000,
        "origin": "jeju",
        "barcode": "88012345",
        "perishable": True,
    }
    return {**fields, **overrides}


def test_staff_creates_a_product_of_their_merchant(catalog: Catalog) -> None:
    product = create_product(catalog.staff_a, catalog.shop_a, **new_fields())
    product.refresh_from_db()
    assert product.merchant == catalog.shop_a
    assert product.origin == catalog.jeju
    assert product.price_won == 32000
    assert product.is_regional_specialty


def test_can_edit_product_for_own_staff_and_platform_admins_only(
    catalog: Catalog, platform_admin: Any, superuser: Any
) -> None:
    assert can_edit_product(catalog.staff_a, catalog.tangerines)
    assert not can_edit_product(catalog.staff_b, catalog.tangerines)
    assert not can_edit_product(AnonymousUser(), catalog.tangerines)
    assert not can_edit_product(UserFactory(), catalog.tangerines)
    assert can_edit_product(platform_admin, catalog.tangerines)
    assert can_edit_product(superuser, catalog.tangerines)


def test_staff_merchants(catalog: Catalog) -> None:
    assert list(staff_merchants(catalog.staff_a)) == [catalog.shop_a]
    assert list(staff_merchants(AnonymousUser())) == []


def test_other_merchants_staff_cannot_create_or_change(catalog: Catalog) -> None:
    before = Product.objects.count()
    with pytest.raises(NotAllowed):
        create_product(catalog.staff_b, catalog.shop_a, **new_fields())
    with pytest.raises(NotAllowed):
        update_product(catalog.staff_b, catalog.tangerines, price_won=1)
    assert Product.objects.count() == before
    catalog.tangerines.refresh_from_db()
    assert catalog.tangerines.price_won == 19900


def test_platform_admin_may_change_any_product(catalog: Catalog, platform_admin: Any) -> None:
    update_product(platform_admin, catalog.tangerines, price_won=18000)
    catalog.tangerines.refresh_from_db()
    assert catalog.tangerines.price_won == 18000


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price_won": -1}, "price_won"),
        ({"price_won": 1000.0}, "price_won"),  # money is never a float, even a round one
        ({"price_won": "1000"}, "price_won"),
        ({"price_won": True}, "price_won"),
        ({"name_ko": "   "}, "name_ko"),
        ({"sku": ""}, "sku"),
        ({"unit": "a" * 41}, "unit"),
        ({"category": "spaceships"}, "category"),
        ({"origin": "atlantis"}, "origin"),
        ({"barcode": "12345"}, "barcode"),
        ({"barcode": "88012345678901234"}, "barcode"),
        ({"barcode": "8801234A"}, "barcode"),
        ({"name_en": "null\x00byte"}, "name_en"),
        ({"perishable": "yes"}, "perishable"),
        ({"stock": 5}, "stock"),  # not a product field
    ],
)
def test_bad_fields_are_refused_by_name(catalog: Catalog, overrides: dict[str, Any], field: str) -> None:
    before = Product.objects.count()
    with pytest.raises(InvalidInput) as err:
        create_product(catalog.staff_a, catalog.shop_a, **new_fields(**overrides))
    assert err.value.field == field
    assert err.value.status_code == 422
    assert Product.objects.count() == before


def test_missing_required_field_is_named(catalog: Catalog) -> None:
    fields = new_fields()
    del fields["unit"]
    with pytest.raises(InvalidInput) as err:
        create_product(catalog.staff_a, catalog.shop_a, **fields)
    assert err.value.field == "unit"


def test_duplicate_sku_in_the_same_merchant_is_a_conflict_whatever_the_case(catalog: Catalog) -> None:
    with pytest.raises(Conflict) as err:
        create_product(catalog.staff_a, catalog.shop_a, **new_fields(sku="tan-1"))
    assert err.value.field == "sku"
    assert err.value.status_code == 409
    with pytest.raises(Conflict):
        update_product(catalog.staff_a, catalog.green_tea, sku="TAN-1")


def test_the_same_sku_at_another_merchant_is_fine(catalog: Catalog) -> None:
    product = create_product(catalog.staff_b, catalog.shop_b, **new_fields(sku="TAN-1"))
    assert product.pk is not None


def test_update_changes_only_the_given_fields(catalog: Catalog) -> None:
    update_product(catalog.staff_a, catalog.tangerines, name_en="Jeju mandarins", origin=None, sku="tan-1")
    catalog.tangerines.refresh_from_db()
    assert catalog.tangerines.name_en == "Jeju mandarins"
    assert catalog.tangerines.origin is None
    assert catalog.tangerines.sku == "tan-1"  # a change of case of its own SKU is no clash
    assert catalog.tangerines.name_ko == "제주 감귤 3kg"
    assert catalog.tangerines.price_won == 19900
