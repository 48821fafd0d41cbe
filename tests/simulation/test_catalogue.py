"""Merchants, products and regional origins of the demo city."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from hyperlocal.catalog.models import Merchant, Origin, Product, ProductCategory
from hyperlocal.catalog.services import clean_product_fields, search_products
from hyperlocal.regions.services import MAPO_CODE
from hyperlocal.simulation.demo import BuildOutcome
from hyperlocal.simulation.demo.catalogue import MERCHANTS, ORIGINS
from hyperlocal.simulation.demo.catalogue.shapes import Item
from hyperlocal.simulation.demo.merchants import PRODUCTS_PER_MERCHANT, choose_items, ean13, vary_price


def is_ean13(code: str) -> bool:
    digits = [int(d) for d in code]
    return len(digits) == 13 and sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0


def test_ean13_check_digit() -> None:
    assert ean13("400638133393") == "4006381333931"  # a published example
    assert is_ean13(ean13("880123456789"))
    with pytest.raises(ValueError, match="12 digits"):
        ean13("88012")


def test_every_listed_good_passes_the_catalog_rules() -> None:
    origins = {o.code for o in ORIGINS}
    assert len(MERCHANTS) == 30
    assert len({m.slug for m in MERCHANTS}) == 30
    assert len({m.sku_prefix for m in MERCHANTS}) == 30
    for spec in MERCHANTS:
        assert len(spec.items) >= PRODUCTS_PER_MERCHANT, spec.slug
        assert len({i.name_ko for i in spec.items}) == len(spec.items), spec.slug
        for item in spec.items:
            assert item.origin is None or item.origin in origins, item.name_ko
            clean_product_fields(
                {
                    "sku": "X-1",
                    "name_ko": item.name_ko,
                    "name_en": item.name_en,
                    "category": str(item.category),
                }
                | {"unit": item.unit, "price_won": item.price_won, "perishable": item.perishable}
            )


def test_prices_look_like_shop_prices() -> None:
    rng = np.random.default_rng(3)
    item = Item("사과", "Apples", ProductCategory.FRUIT, "1 kg", 12_000)
    prices = [vary_price(item, rng) for _ in range(200)]
    assert all(isinstance(p, int) and 11_000 <= p <= 13_000 and p % 100 == 0 for p in prices)
    assert any(p % 1_000 == 900 for p in prices)


def test_choice_keeps_the_always_items() -> None:
    jeju = next(m for m in MERCHANTS if m.slug == "jeju-gamgyul-orchard")
    for seed in range(20):
        chosen = choose_items(jeju, np.random.default_rng(seed))
        assert len(chosen) == PRODUCTS_PER_MERCHANT == len(set(chosen))
        assert 0 in chosen  # the 3 kg box of open-field tangerines


def test_merchants_and_products(city: BuildOutcome) -> None:
    merchants = list(Merchant.objects.select_related("region"))
    assert len(merchants) == 30
    assert Counter(m.kind for m in merchants) == {Merchant.Kind.LOCAL_SHOP: 16, Merchant.Kind.BRAND: 14}
    for merchant in merchants:
        assert MAPO_CODE in (
            merchant.region.code,
            merchant.region.parent.code if merchant.region.parent else "",
        )
    products = list(Product.objects.select_related("merchant", "origin"))
    assert len(products) == 300
    assert Counter(p.merchant_id for p in products) == dict.fromkeys((m.pk for m in merchants), 10)
    assert len({(p.merchant_id, p.sku.lower()) for p in products}) == 300
    assert all(p.price_won > 0 for p in products)
    barcodes = [p.barcode for p in products if p.barcode]
    assert len(barcodes) > 50
    assert len(set(barcodes)) == len(barcodes)
    assert all(b.startswith("880") and is_ean13(b) for b in barcodes)
    assert any(p.perishable for p in products)
    assert any(not p.perishable for p in products)
    assert sum(p.origin is not None for p in products) >= 100


def test_regional_specialties_can_be_found(city: BuildOutcome) -> None:
    assert Origin.objects.filter(products__isnull=False).distinct().count() == len(ORIGINS)
    tangerines = list(search_products(query="감귤", specialty_only=True))
    assert any("감귤" in p.name_ko and "tangerine" in p.name_en.lower() for p in tangerines)
    assert all(p.origin is not None for p in tangerines)
    jeju = Origin.objects.get(code="jeju")
    assert "tangerines" in jeju.known_for
    assert jeju.name_ko == "제주"
