"""Merchant profiles: listing, reading and changes by the merchant's own staff."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from hyperlocal.catalog.models import Merchant
from hyperlocal.catalog.services.permissions import AnyUser, can_edit_merchant
from hyperlocal.catalog.services.validation import SLUG, clean_merchant_profile
from hyperlocal.errors import NotAllowed, NotFound


def _with_counts(merchants: QuerySet[Merchant]) -> QuerySet[Merchant]:
    return merchants.select_related("region").annotate(
        product_count=Count("products", filter=Q(products__is_active=True))
    )


def list_merchants(*, region_code: str | None = None, category: str | None = None) -> QuerySet[Merchant]:
    """Active merchants, each with `product_count` (active products); `region_code` matches
    the registered region or its district."""
    merchants = Merchant.objects.filter(is_active=True)
    if region_code:
        merchants = merchants.filter(Q(region__code=region_code) | Q(region__parent__code=region_code))
    if category:
        merchants = merchants.filter(business_category=category)
    return _with_counts(merchants).order_by("name", "pk")


def get_merchant(slug: str) -> Merchant:
    if not SLUG.fullmatch(slug):  # also keeps NUL and the like away from the database
        raise NotFound(f"no merchant {slug!r}", field="slug")
    merchant = _with_counts(Merchant.objects.filter(is_active=True, slug=slug)).first()
    if merchant is None:
        raise NotFound(f"no merchant {slug!r}", field="slug")
    return merchant


def update_merchant(user: AnyUser, merchant: Merchant, **changes: Any) -> Merchant:
    """Change the profile (description, business category, revenue band)."""
    if not can_edit_merchant(user, merchant):
        raise NotAllowed(f"only {merchant.name}'s staff may change its profile")
    cleaned = clean_merchant_profile(changes)
    for name, value in cleaned.items():
        setattr(merchant, name, value)
    if cleaned:
        merchant.save(update_fields=list(cleaned))
    return merchant
