"""Catalog services: merchants, products and their regional origins.

Everything that changes the catalog goes through here; the API, admin, imports and web
views only parse input, call one of these and answer.
"""

from hyperlocal.catalog.services.merchants import get_merchant, list_merchants, update_merchant
from hyperlocal.catalog.services.permissions import (
    can_edit_merchant,
    can_edit_product,
    is_platform_admin,
    staff_merchants,
)
from hyperlocal.catalog.services.photos import MAX_PHOTO_BYTES, add_product_photo
from hyperlocal.catalog.services.products import create_product, get_product, update_product
from hyperlocal.catalog.services.search import origins_with_counts, search_products
from hyperlocal.catalog.services.validation import clean_product_fields

__all__ = [
    "MAX_PHOTO_BYTES",
    "add_product_photo",
    "can_edit_merchant",
    "can_edit_product",
    "clean_product_fields",
    "create_product",
    "get_merchant",
    "get_product",
    "is_platform_admin",
    "list_merchants",
    "origins_with_counts",
    "search_products",
    "staff_merchants",
    "update_merchant",
    "update_product",
]
