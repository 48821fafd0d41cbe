"""Field rules for products and merchant profiles, shared by the services and the CSV import.

Each cleaner takes raw input and returns the value to store, or raises InvalidInput naming
the field, so that an import can report every bad cell and a service the first one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from hyperlocal.catalog.models import BusinessCategory, Origin, ProductCategory, RevenueBand
from hyperlocal.errors import InvalidInput

# A bound far above any real price that keeps the value inside a 64-bit column.
MAX_PRICE_WON = 1_000_000_000_000
_BARCODE = re.compile(r"\d{8,14}")
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,120}")


def clean_text(value: object, *, field: str, max_length: int, required: bool = True) -> str:
    """A stripped single string without control characters (PostgreSQL refuses NUL)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field=field)
    text = value.strip()
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in text):
        raise InvalidInput(f"{field} must not contain control characters", field=field)
    if required and not text:
        raise InvalidInput(f"{field} is required and must not be blank", field=field)
    if len(text) > max_length:
        raise InvalidInput(f"{field} is longer than {max_length} characters", field=field)
    return text


def clean_choice(value: object, *, field: str, choices: list[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise InvalidInput(f"{field} must be one of {', '.join(choices)}; got {value!r}", field=field)
    return value


def clean_price(value: object) -> int:
    """Whole won, never a float (KRW has no minor unit), never negative."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"price_won must be a whole number of won, got {value!r}", field="price_won")
    if value < 0:
        raise InvalidInput(f"price_won must not be negative, got {value}", field="price_won")
    if value > MAX_PRICE_WON:
        raise InvalidInput(f"price_won must be at most {MAX_PRICE_WON}", field="price_won")
    return value


def clean_barcode(value: object) -> str:
    text = clean_text(value, field="barcode", max_length=32, required=False)
    if text and not _BARCODE.fullmatch(text):
        raise InvalidInput("barcode must be 8 to 14 digits (EAN-8, UPC, EAN-13, GTIN-14)", field="barcode")
    return text


def clean_bool(value: object, *, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{field} must be true or false, got {value!r}", field=field)
    return value


def clean_origin(value: object) -> Origin | None:
    """An Origin, its code, or None/"" for a product without a regional origin."""
    if value is None or value == "":
        return None
    if isinstance(value, Origin):
        return value
    code = clean_text(value, field="origin", max_length=40)
    origin = Origin.objects.filter(code=code).first()
    if origin is None:
        raise InvalidInput(f"no origin with code {code!r}", field="origin")
    return origin


_PRODUCT_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "sku": lambda v: clean_text(v, field="sku", max_length=64),
    "name_ko": lambda v: clean_text(v, field="name_ko", max_length=200),
    "name_en": lambda v: clean_text(v, field="name_en", max_length=200, required=False),
    "description": lambda v: clean_text(v, field="description", max_length=5000, required=False),
    "category": lambda v: clean_choice(v, field="category", choices=ProductCategory.values),
    "unit": lambda v: clean_text(v, field="unit", max_length=40),
    "price_won": clean_price,
    "barcode": clean_barcode,
    "perishable": lambda v: clean_bool(v, field="perishable"),
    "origin": clean_origin,
    "is_active": lambda v: clean_bool(v, field="is_active"),
}
PRODUCT_FIELDS = tuple(_PRODUCT_CLEANERS)
REQUIRED_PRODUCT_FIELDS = ("sku", "name_ko", "category", "unit", "price_won")


def clean_product_fields(values: Mapping[str, object]) -> dict[str, Any]:
    """Validate the given product fields (all optional here); unknown names are refused."""
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        cleaner = _PRODUCT_CLEANERS.get(name)
        if cleaner is None:
            raise InvalidInput(f"{name!r} is not a product field that can be set", field=name)
        cleaned[name] = cleaner(value)
    return cleaned


_MERCHANT_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "description": lambda v: clean_text(v, field="description", max_length=5000, required=False),
    "business_category": lambda v: clean_choice(
        v, field="business_category", choices=BusinessCategory.values
    ),
    "revenue_band": lambda v: clean_choice(v, field="revenue_band", choices=RevenueBand.values),
}
MERCHANT_PROFILE_FIELDS = tuple(_MERCHANT_CLEANERS)


def clean_merchant_profile(values: Mapping[str, object]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        cleaner = _MERCHANT_CLEANERS.get(name)
        if cleaner is None:
            raise InvalidInput(f"{name!r} is not a merchant profile field that can be set", field=name)
        cleaned[name] = cleaner(value)
    return cleaned
