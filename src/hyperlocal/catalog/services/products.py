"""Creating and changing products, with object-level permission and field rules."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from hyperlocal.catalog.models import Merchant, Product
from hyperlocal.catalog.services.permissions import AnyUser, can_edit_merchant, can_edit_product
from hyperlocal.catalog.services.validation import REQUIRED_PRODUCT_FIELDS, clean_product_fields
from hyperlocal.errors import Conflict, InvalidInput, NotAllowed, NotFound


def get_product(product_id: int, *, include_inactive: bool = False) -> Product:
    products = Product.objects.select_related("merchant__region", "origin").prefetch_related("photos")
    if not include_inactive:
        products = products.filter(is_active=True, merchant__is_active=True)
    product = products.filter(pk=product_id).first()
    if product is None:
        raise NotFound(f"no product with id {product_id}", field="product_id")
    return product


def _check_sku_free(merchant: Merchant, sku: str, *, exclude_pk: int | None = None) -> None:
    # A duplicate SKU is a clash with an existing product, hence 409 rather than 422.
    clash = Product.objects.filter(merchant=merchant, sku__iexact=sku)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise Conflict(f"{merchant.name} already has a product with SKU {sku!r}", field="sku")


def _save(product: Product, **kwargs: Any) -> None:
    try:
        with transaction.atomic():  # a savepoint: a racing duplicate SKU fails cleanly
            product.save(**kwargs)
    except IntegrityError:
        raise Conflict(
            f"{product.merchant.name} already has a product with SKU {product.sku!r}", field="sku"
        ) from None


def create_product(user: AnyUser, merchant: Merchant, **fields: Any) -> Product:
    """A new product of `merchant`; only its staff or a platform admin may add one.
    Raises NotAllowed (403), InvalidInput (422, field named) or Conflict (409, duplicate SKU)."""
    if not can_edit_merchant(user, merchant):
        raise NotAllowed(f"only {merchant.name}'s staff may add its products")
    missing = [name for name in REQUIRED_PRODUCT_FIELDS if name not in fields]
    if missing:
        raise InvalidInput(f"{missing[0]} is required", field=missing[0])
    cleaned = clean_product_fields(fields)
    _check_sku_free(merchant, cleaned["sku"])
    product = Product(merchant=merchant, **cleaned)
    _save(product)
    return product


def update_product(user: AnyUser, product: Product, **changes: Any) -> Product:
    """Change some fields of a product (its merchant cannot change)."""
    if not can_edit_product(user, product):
        raise NotAllowed(f"only {product.merchant.name}'s staff may change its products")
    cleaned = clean_product_fields(changes)
    if "sku" in cleaned and cleaned["sku"].lower() != product.sku.lower():
        _check_sku_free(product.merchant, cleaned["sku"], exclude_pk=product.pk)
    for name, value in cleaned.items():
        setattr(product, name, value)
    if cleaned:
        _save(product, update_fields=[*cleaned, "updated_at"])
    return product
