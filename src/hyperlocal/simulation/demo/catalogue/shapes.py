"""Shapes of the catalogue data, and short constructors that keep the tables readable."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hyperlocal.catalog.models import BusinessCategory, Merchant, ProductCategory, RevenueBand


@dataclass(frozen=True)
class Item:
    name_ko: str
    name_en: str
    category: ProductCategory
    unit: str
    price_won: int  # a typical shelf price; the build varies it a little by seed
    perishable: bool = False
    packaged: bool = False  # sold with a retail barcode (EAN-13)
    origin: str | None = None  # an Origin code for regional specialties
    always: bool = False  # always on sale, whatever the seed (the browser test looks for some)
    fixed_price: bool = False  # a price set by someone else (e.g. the district), never varied


@dataclass(frozen=True)
class MerchantSpec:
    slug: str
    name: str
    kind: Merchant.Kind
    category: BusinessCategory
    revenue_band: RevenueBand
    dong_code: str | None  # the dong it is registered in; None: the district (brands)
    sku_prefix: str
    description: str
    items: tuple[Item, ...]


def fresh(
    name_ko: str, name_en: str, category: ProductCategory, unit: str, price: int, origin: str | None = None
) -> Item:
    """Perishable goods sold loose or by the shop's own pack (no retail barcode)."""
    return Item(name_ko, name_en, category, unit, price, perishable=True, origin=origin)


def chilled(
    name_ko: str, name_en: str, category: ProductCategory, unit: str, price: int, origin: str | None = None
) -> Item:
    """Perishable packaged goods with a barcode."""
    return Item(name_ko, name_en, category, unit, price, perishable=True, packaged=True, origin=origin)


def packed(
    name_ko: str, name_en: str, category: ProductCategory, unit: str, price: int, origin: str | None = None
) -> Item:
    """Shelf-stable packaged goods with a barcode."""
    return Item(name_ko, name_en, category, unit, price, packaged=True, origin=origin)


def loose(
    name_ko: str, name_en: str, category: ProductCategory, unit: str, price: int, origin: str | None = None
) -> Item:
    """Shelf-stable goods without a barcode (handmade, sold by the shop)."""
    return Item(name_ko, name_en, category, unit, price, origin=origin)


def always(item: Item) -> Item:
    return replace(item, always=True)


def fixed_price(item: Item) -> Item:
    return replace(item, fixed_price=True)
