"""Request and response bodies of the catalog API (money is integer won)."""

from __future__ import annotations

from typing import Annotated, Literal, cast

from ninja import Schema
from pydantic import Field, StrictInt

from hyperlocal.catalog.models import (
    BusinessCategory,
    Merchant,
    Origin,
    Product,
    ProductCategory,
    ProductPhoto,
    RevenueBand,
)

# Spelled out (and checked against the model in the tests) because enums named "Kind" in
# several apps would share one OpenAPI component and contradict each other.
MerchantKind = Literal["local_shop", "brand"]
Price = Annotated[StrictInt, Field(ge=0, le=1_000_000_000_000, description="price in won (integer)")]


class OriginOut(Schema):
    code: str
    name_ko: str
    name_en: str
    province: str
    known_for: str


class OriginCountOut(OriginOut):
    product_count: int


class PhotoOut(Schema):
    id: int
    url: str
    alt_text: str
    position: int


class ProductOut(Schema):
    id: int
    merchant: str = Field(description="the merchant's slug")
    merchant_name: str
    sku: str
    name_ko: str
    name_en: str
    description: str
    category: ProductCategory
    unit: str
    price_won: int
    currency: str = "KRW"
    barcode: str
    perishable: bool
    origin: OriginOut | None
    is_regional_specialty: bool
    is_active: bool
    photos: list[PhotoOut]


class ProductPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ProductOut]


class ProductIn(Schema):
    sku: str = Field(min_length=1, max_length=64)
    name_ko: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    description: str = Field("", max_length=5000)
    category: ProductCategory
    unit: str = Field(min_length=1, max_length=40)
    price_won: Price
    barcode: str = Field("", max_length=32, description="8 to 14 digits, or empty")
    perishable: bool = False
    origin: str | None = Field(None, max_length=40, description="origin code, e.g. 'jeju'")


class ProductPatch(Schema):
    sku: str | None = Field(None, min_length=1, max_length=64)
    name_ko: str | None = Field(None, min_length=1, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    category: ProductCategory | None = None
    unit: str | None = Field(None, min_length=1, max_length=40)
    price_won: Price | None = None
    barcode: str | None = Field(None, max_length=32)
    perishable: bool | None = None
    origin: str | None = Field(None, max_length=40, description="origin code; null removes the origin")
    is_active: bool | None = None


class MerchantOut(Schema):
    slug: str
    name: str
    kind: MerchantKind
    region: str = Field(description="code of the registered region")
    region_name: str
    business_category: BusinessCategory
    revenue_band: RevenueBand
    description: str
    product_count: int


class MerchantPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MerchantOut]


class MerchantPatch(Schema):
    description: str | None = Field(None, max_length=5000)
    business_category: BusinessCategory | None = None
    revenue_band: RevenueBand | None = None


def origin_out(origin: Origin) -> OriginOut:
    return OriginOut(
        code=origin.code,
        name_ko=origin.name_ko,
        name_en=origin.name_en,
        province=origin.province,
        known_for=origin.known_for,
    )


def photo_out(photo: ProductPhoto) -> PhotoOut:
    return PhotoOut(id=photo.pk, url=photo.image.url, alt_text=photo.alt_text, position=photo.position)


def product_out(product: Product) -> ProductOut:
    return ProductOut(
        id=product.pk,
        merchant=product.merchant.slug,
        merchant_name=product.merchant.name,
        sku=product.sku,
        name_ko=product.name_ko,
        name_en=product.name_en,
        description=product.description,
        category=ProductCategory(product.category),
        unit=product.unit,
        price_won=product.price_won,
        barcode=product.barcode,
        perishable=product.perishable,
        origin=origin_out(product.origin) if product.origin else None,
        is_regional_specialty=product.is_regional_specialty,
        is_active=product.is_active,
        photos=[photo_out(p) for p in product.photos.all()],
    )


def merchant_out(merchant: Merchant) -> MerchantOut:
    count = getattr(merchant, "product_count", None)  # annotated by the listing services
    if count is None:
        count = merchant.products.filter(is_active=True).count()
    return MerchantOut(
        slug=merchant.slug,
        name=merchant.name,
        kind=cast(MerchantKind, merchant.kind),
        region=merchant.region.code,
        region_name=merchant.region.name_ko,
        business_category=BusinessCategory(merchant.business_category),
        revenue_band=RevenueBand(merchant.revenue_band),
        description=merchant.description,
        product_count=count,
    )
