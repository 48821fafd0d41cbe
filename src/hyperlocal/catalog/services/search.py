"""Finding products: full-text-ish search over names, SKU, barcode, origin and merchant."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from hyperlocal.catalog.models import Origin, Product, ProductCategory
from hyperlocal.catalog.services.validation import SLUG, clean_choice

# Every word of the query must match at least one of these (case-insensitively).
SEARCH_FIELDS = (
    "name_ko",
    "name_en",
    "sku",
    "barcode",
    "description",
    "origin__code",
    "origin__name_ko",
    "origin__name_en",
    "merchant__name",
)


def _words(query: str) -> list[str]:
    # Control characters cannot match anything and PostgreSQL refuses NUL: drop them.
    printable = "".join(ch if ch.isprintable() else " " for ch in query)
    return printable.split()


def search_products(
    *,
    query: str = "",
    specialty_only: bool = False,
    origin_code: str | None = None,
    category: str | None = None,
    merchant_slug: str | None = None,
) -> QuerySet[Product]:
    """Active products of active merchants, ordered by Korean then English name.

    `query` is split into words and each word must match a name, the SKU, the barcode,
    the description, the origin's code or names or the merchant's name (so "제주 tangerine"
    finds Jeju tangerines). `specialty_only` keeps products with a regional origin.
    An unknown origin or merchant simply matches nothing; an unknown category is refused.
    """
    products = Product.objects.filter(is_active=True, merchant__is_active=True)
    for word in _words(query):
        match = Q()
        for field in SEARCH_FIELDS:
            match |= Q(**{f"{field}__icontains": word})
        products = products.filter(match)
    if specialty_only:
        products = products.filter(origin__isnull=False)
    if origin_code:
        if not SLUG.fullmatch(origin_code):
            return Product.objects.none()
        products = products.filter(origin__code=origin_code)
    if category:
        products = products.filter(
            category=clean_choice(category, field="category", choices=ProductCategory.values)
        )
    if merchant_slug:
        if not SLUG.fullmatch(merchant_slug):
            return Product.objects.none()
        products = products.filter(merchant__slug=merchant_slug)
    return (
        products.select_related("merchant", "origin")
        .prefetch_related("photos")
        .order_by("name_ko", "name_en", "pk")
    )


def origins_with_counts() -> QuerySet[Origin]:
    """Every origin with `product_count`: its active products of active merchants."""
    active = Q(products__is_active=True, products__merchant__is_active=True)
    return Origin.objects.annotate(product_count=Count("products", filter=active)).order_by("name_en", "pk")
