"""Catalog API (/api/catalog): products, merchants and regional origins.

Reading is public; writing needs a session or a bearer token and is allowed to the
merchant's own staff (or a platform admin). Money is an integer number of won.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from ninja import File, Form, P, QueryEx, Router, Status
from ninja.files import UploadedFile

from hyperlocal.accounts.auth import api_auth
from hyperlocal.accounts.auth import signed_in_user as _user
from hyperlocal.catalog import services
from hyperlocal.catalog.models import BusinessCategory, ProductCategory
from hyperlocal.catalog.schemas import (
    MerchantOut,
    MerchantPage,
    MerchantPatch,
    OriginCountOut,
    PhotoOut,
    ProductIn,
    ProductOut,
    ProductPage,
    ProductPatch,
    merchant_out,
    origin_out,
    photo_out,
    product_out,
)
from hyperlocal.schemas import with_errors

router = Router(tags=["catalog"])

MAX_PAGE_SIZE = 100
MAX_OFFSET = 1_000_000


@router.get("/products", response=with_errors({200: ProductPage}, 422), summary="Search products")
def list_products(
    request: HttpRequest,
    q: QueryEx[
        str, P(max_length=200, description="words to find in names, SKU, barcode, origin, merchant")
    ] = "",
    specialty: QueryEx[bool, P(description="only regional specialties (products with an origin)")] = False,
    origin: QueryEx[str | None, P(max_length=40, description="origin code, e.g. 'jeju'")] = None,
    category: ProductCategory | None = None,
    merchant: QueryEx[str | None, P(max_length=120, description="merchant slug")] = None,
    limit: QueryEx[int, P(ge=1, le=MAX_PAGE_SIZE)] = 20,
    offset: QueryEx[int, P(ge=0, le=MAX_OFFSET)] = 0,
) -> ProductPage:
    products = services.search_products(
        query=q, specialty_only=specialty, origin_code=origin, category=category, merchant_slug=merchant
    )
    return ProductPage(
        count=products.count(),
        limit=limit,
        offset=offset,
        items=[product_out(p) for p in products[offset : offset + limit]],
    )


@router.get(
    "/products/{product_id}", response=with_errors({200: ProductOut}, 404, 422), summary="One product"
)
def get_product(request: HttpRequest, product_id: int) -> ProductOut:
    return product_out(services.get_product(product_id))


@router.patch(
    "/products/{product_id}",
    auth=api_auth,
    response=with_errors({200: ProductOut}, 401, 403, 404, 409, 422),
    summary="Change a product (merchant staff)",
    description="A duplicate SKU (case-insensitive, within the merchant) answers 409.",
)
def patch_product(request: HttpRequest, product_id: int, payload: ProductPatch) -> ProductOut:
    user = _user(request)
    with transaction.atomic():
        product = services.get_product(product_id, include_inactive=True)
        services.update_product(user, product, **payload.dict(exclude_unset=True))
    return product_out(services.get_product(product_id, include_inactive=True))


@router.post(
    "/products/{product_id}/photos",
    auth=api_auth,
    response=with_errors({201: PhotoOut}, 401, 403, 404, 422),
    summary="Add a photo (merchant staff)",
    description=f"A JPEG, PNG, WebP or GIF image of at most {services.MAX_PHOTO_BYTES // (1024 * 1024)} MB.",
)
def add_photo(
    request: HttpRequest, product_id: int, file: File[UploadedFile], alt_text: Form[str] = ""
) -> Status[PhotoOut]:
    user = _user(request)
    with transaction.atomic():
        product = services.get_product(product_id, include_inactive=True)
        photo = services.add_product_photo(user, product, file, alt_text=alt_text)
    return Status(201, photo_out(photo))


@router.get("/merchants", response=with_errors({200: MerchantPage}, 422), summary="Merchants")
def list_merchants(
    request: HttpRequest,
    region: QueryEx[str | None, P(max_length=16, description="region code (a dong or its district)")] = None,
    category: BusinessCategory | None = None,
    limit: QueryEx[int, P(ge=1, le=MAX_PAGE_SIZE)] = 50,
    offset: QueryEx[int, P(ge=0, le=MAX_OFFSET)] = 0,
) -> MerchantPage:
    merchants = services.list_merchants(region_code=region, category=category)
    return MerchantPage(
        count=merchants.count(),
        limit=limit,
        offset=offset,
        items=[merchant_out(m) for m in merchants[offset : offset + limit]],
    )


@router.get("/merchants/{slug}", response=with_errors({200: MerchantOut}, 404), summary="One merchant")
def get_merchant(request: HttpRequest, slug: str) -> MerchantOut:
    return merchant_out(services.get_merchant(slug))


@router.patch(
    "/merchants/{slug}",
    auth=api_auth,
    response=with_errors({200: MerchantOut}, 401, 403, 404, 422),
    summary="Change a merchant's profile (its staff)",
)
def patch_merchant(request: HttpRequest, slug: str, payload: MerchantPatch) -> MerchantOut:
    user = _user(request)
    with transaction.atomic():
        services.update_merchant(user, services.get_merchant(slug), **payload.dict(exclude_unset=True))
    return merchant_out(services.get_merchant(slug))


@router.post(
    "/merchants/{slug}/products",
    auth=api_auth,
    response=with_errors({201: ProductOut}, 401, 403, 404, 409, 422),
    summary="Add a product (merchant staff)",
    description="A duplicate SKU (case-insensitive, within the merchant) answers 409.",
)
def create_product(request: HttpRequest, slug: str, payload: ProductIn) -> Status[ProductOut]:
    user = _user(request)
    with transaction.atomic():
        product = services.create_product(user, services.get_merchant(slug), **payload.dict())
    return Status(201, product_out(services.get_product(product.pk, include_inactive=True)))


@router.get("/origins", response={200: list[OriginCountOut]}, summary="Regional origins with product counts")
def list_origins(request: HttpRequest) -> list[OriginCountOut]:
    return [
        OriginCountOut(**origin_out(o).dict(), product_count=o.product_count)  # type: ignore[attr-defined]
        for o in services.origins_with_counts()
    ]
