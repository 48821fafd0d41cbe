"""Origins, merchants and products of the demo city, from the catalogue data.

Each merchant sells ten of the goods in its list (those marked `always`, then a seeded
choice), at prices varied a little by seed, so that another seed gives another shop floor."""

from __future__ import annotations

import math

import numpy as np

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import Merchant, MerchantStaff, Origin, Product
from hyperlocal.catalog.services import clean_product_fields
from hyperlocal.regions.models import Region
from hyperlocal.simulation.demo.catalogue import MERCHANTS, ORIGINS, Item, MerchantSpec
from hyperlocal.simulation.demo.city import City

PRODUCTS_PER_MERCHANT = 10
BARCODE_PREFIX = "880"  # GS1 Korea
PRICE_SPREAD = 0.07


def ean13(first12: str) -> str:
    """The 12 digits followed by their EAN-13 check digit."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError(f"need 12 digits, got {first12!r}")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def barcode(merchant_index: int, item_index: int) -> str:
    # 880 + a 4-digit company number per merchant + a 5-digit item number + check digit.
    return ean13(f"{BARCODE_PREFIX}{1000 + 37 * merchant_index:04d}{item_index:05d}")


def vary_price(item: Item, rng: np.random.Generator) -> int:
    """A shelf price near the typical one, in whole won as shops write them: to the 10 won
    under 1,000, to the 100 won above, and often just under a round thousand (12,900)."""
    draw = float(rng.uniform(1 - PRICE_SPREAD, 1 + PRICE_SPREAD))
    charm = bool(rng.random() < 0.4)
    if item.fixed_price:
        return item.price_won
    price = item.price_won * draw
    if price < 1_000:
        return max(10, round(price / 10) * 10)
    if charm and price >= 5_000:
        return math.ceil(price / 1_000) * 1_000 - 100
    return round(price / 100) * 100


def choose_items(spec: MerchantSpec, rng: np.random.Generator) -> list[int]:
    """Indexes (in list order) of the goods on sale: the `always` ones, then seeded picks."""
    fixed = [i for i, item in enumerate(spec.items) if item.always]
    others = [i for i, item in enumerate(spec.items) if not item.always]
    if len(spec.items) < PRODUCTS_PER_MERCHANT:
        raise ValueError(f"{spec.slug} lists only {len(spec.items)} goods")
    picked = rng.choice(others, size=PRODUCTS_PER_MERCHANT - len(fixed), replace=False)
    return sorted([*fixed, *(int(i) for i in picked)])


def ensure_origins() -> dict[str, Origin]:
    """The regional origins (shared reference data: updated in place, never deleted)."""
    origins = {}
    for spec in ORIGINS:
        origin, _ = Origin.objects.update_or_create(
            code=spec.code,
            defaults={
                "name_ko": spec.name_ko,
                "name_en": spec.name_en,
                "province": spec.province,
                "known_for": spec.known_for,
            },
        )
        origins[spec.code] = origin
    return origins


def _description(item: Item, origins: dict[str, Origin]) -> str:
    if item.origin is None:
        return ""
    origin = origins[item.origin]
    return (
        f"{origin.name_ko} 산지 상품 · from {origin.name_en}, known for {origin.known_for.split(' — ')[-1]}"
    )


def create_catalogue(city: City, rng: np.random.Generator) -> list[Merchant]:
    """The merchants and their products; products pass the catalog's own field rules."""
    origins = ensure_origins()
    regions: dict[str | None, Region] = {d.region.code: d.region for d in city.dongs}
    regions[None] = city.district
    merchants = Merchant.objects.bulk_create(
        [
            Merchant(
                name=spec.name,
                slug=spec.slug,
                kind=spec.kind,
                region=regions[spec.dong_code],
                business_category=spec.category,
                revenue_band=spec.revenue_band,
                description=spec.description,
            )
            for spec in MERCHANTS
        ]
    )
    products = []
    for m, (spec, merchant) in enumerate(zip(MERCHANTS, merchants, strict=True)):
        for i in choose_items(spec, rng):
            item = spec.items[i]
            fields = clean_product_fields(
                {
                    "sku": f"{spec.sku_prefix}-{i + 1:03d}",
                    "name_ko": item.name_ko,
                    "name_en": item.name_en,
                    "description": _description(item, origins),
                    "category": str(item.category),
                    "unit": item.unit,
                    "price_won": vary_price(item, rng),
                    "barcode": barcode(m, i + 1) if item.packaged else "",
                    "perishable": item.perishable,
                    "origin": origins[item.origin] if item.origin else None,
                }
            )
            products.append(Product(merchant=merchant, **fields))
    Product.objects.bulk_create(products, batch_size=500)
    return merchants


def make_owner(merchant: Merchant, user: User) -> None:
    MerchantStaff.objects.create(merchant=merchant, user=user, role=MerchantStaff.Role.OWNER)
