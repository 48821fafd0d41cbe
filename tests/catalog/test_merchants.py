"""Merchant profiles: listing, reading and changes by their own staff."""

from __future__ import annotations

from typing import Any

import pytest

from hyperlocal.catalog.models import Merchant
from hyperlocal.catalog.services import get_merchant, list_merchants, update_merchant
from hyperlocal.errors import InvalidInput, NotAllowed, NotFound
from tests.catalog.conftest import Catalog


def test_list_counts_active_products_and_filters(catalog: Catalog) -> None:
    merchants = {m.slug: m.product_count for m in list_merchants()}  # type: ignore[attr-defined]
    assert merchants == {"mangwon-greens": 2, "seogyo-rice": 2}
    assert [m.slug for m in list_merchants(region_code="11440")] == ["mangwon-greens", "seogyo-rice"]
    assert list(list_merchants(region_code="99999")) == []
    assert list(list_merchants(category="bakery")) == []


def test_get_merchant_refuses_unknown_or_malformed_slugs(catalog: Catalog) -> None:
    assert get_merchant("seogyo-rice") == catalog.shop_b
    for slug in ("nope", "bad\x00", "a/b"):
        with pytest.raises(NotFound):
            get_merchant(slug)


def test_staff_updates_their_profile(catalog: Catalog) -> None:
    update_merchant(catalog.staff_a, catalog.shop_a, description="채소 가게", revenue_band="300m_1b")
    catalog.shop_a.refresh_from_db()
    assert catalog.shop_a.description == "채소 가게"
    assert catalog.shop_a.revenue_band == "300m_1b"


def test_other_staff_cannot_update_a_profile(catalog: Catalog, platform_admin: Any) -> None:
    with pytest.raises(NotAllowed):
        update_merchant(catalog.staff_b, catalog.shop_a, description="hijacked")
    assert Merchant.objects.get(pk=catalog.shop_a.pk).description == ""
    update_merchant(platform_admin, catalog.shop_a, business_category="produce")
    assert Merchant.objects.get(pk=catalog.shop_a.pk).business_category == "produce"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"revenue_band": "infinite"}, "revenue_band"),
        ({"business_category": ""}, "business_category"),
        ({"name": "Renamed"}, "name"),
    ],
)
def test_bad_profile_changes_are_named(catalog: Catalog, changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        update_merchant(catalog.staff_a, catalog.shop_a, **changes)
    assert err.value.field == field
