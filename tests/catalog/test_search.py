"""search_products and origins_with_counts."""

from __future__ import annotations

import pytest

from hyperlocal.catalog.services import origins_with_counts, search_products
from hyperlocal.errors import InvalidInput
from tests.catalog.conftest import Catalog
from tests.factories import ProductFactory


def skus(**kwargs: object) -> list[str]:
    return [p.sku for p in search_products(**kwargs)]  # type: ignore[arg-type]


def test_no_query_lists_active_products_by_korean_name(catalog: Catalog) -> None:
    # 두부 < 보성 < 이천 < 제주 in Korean order; the inactive product is left out.
    assert skus() == ["TOFU", "TEA-1", "RICE-10", "TAN-1"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("감귤", ["TAN-1"]),
        ("제주", ["TAN-1"]),  # Korean origin name (and product name)
        ("TANGERINE", ["TAN-1"]),  # English, any case
        ("jeju tangerines", ["TAN-1"]),
        ("icheon", ["RICE-10"]),  # origin's English name
        ("이천 rice", ["RICE-10"]),  # mixed languages, all words must match
        ("jeju rice", []),  # two words that never meet in one product
        ("tan-1", ["TAN-1"]),  # SKU, case-insensitive
        ("8801234567890", ["TAN-1"]),  # barcode
        ("flush", ["TEA-1"]),  # description
        ("seogyo", ["TOFU", "RICE-10"]),  # merchant name
        ("100%", []),  # LIKE wildcards are literal
        ("tang\x00", ["TAN-1"]),  # control characters are dropped, not sent to the database
    ],
)
def test_query_words_match_names_sku_barcode_origin_and_merchant(
    catalog: Catalog, query: str, expected: list[str]
) -> None:
    assert skus(query=query) == expected


def test_specialty_filter_keeps_products_with_an_origin(catalog: Catalog) -> None:
    assert skus(specialty_only=True) == ["TEA-1", "RICE-10", "TAN-1"]
    assert skus(query="seogyo", specialty_only=True) == ["RICE-10"]


def test_filters_by_origin_category_and_merchant(catalog: Catalog) -> None:
    assert skus(origin_code="jeju") == ["TAN-1"]
    assert skus(origin_code="nowhere") == []
    assert skus(category="pantry") == ["TOFU"]
    assert skus(merchant_slug="mangwon-greens") == ["TEA-1", "TAN-1"]
    assert skus(merchant_slug="bad\x00slug") == []


def test_unknown_category_is_refused_by_name(catalog: Catalog) -> None:
    with pytest.raises(InvalidInput) as err:
        list(search_products(category="spaceships"))
    assert err.value.field == "category"


def test_products_of_an_inactive_merchant_are_hidden(catalog: Catalog) -> None:
    catalog.shop_b.is_active = False
    catalog.shop_b.save()
    assert skus() == ["TEA-1", "TAN-1"]


def test_origins_count_active_products(catalog: Catalog) -> None:
    ProductFactory(merchant=catalog.shop_a, origin=catalog.jeju, is_active=False)
    counts = {o.code: o.product_count for o in origins_with_counts()}  # type: ignore[attr-defined]
    assert counts == {"boseong": 1, "icheon": 1, "jeju": 1}
