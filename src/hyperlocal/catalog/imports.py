"""Products from CSV: upsert by (merchant, SKU), the whole file or nothing.

Columns: merchant (slug; not needed with `merchant_slug`), sku, name_ko, category, unit,
price_won (required); name_en, description, barcode, perishable, origin (code), is_active
(optional). Prices are whole won ("12,000" is fine; "12000.5" and "-1" are not). An empty
optional cell keeps an existing product's value (a new product gets the default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from hyperlocal.catalog.models import Merchant, Origin, Product
from hyperlocal.catalog.services.validation import SLUG, clean_product_fields
from hyperlocal.errors import InvalidInput
from hyperlocal.imports import ImportReport, RowCollector, bool_field, decode, int_field, read_csv

KIND = "products"
REQUIRED = ("sku", "name_ko", "category", "unit", "price_won")
OPTIONAL = ("name_en", "description", "barcode", "perishable", "origin", "is_active")
TEXT_FIELDS = ("sku", "name_ko", "name_en", "description", "category", "unit", "barcode")
HELP = (
    "CSV with a header row. Required columns: merchant (slug), sku, name_ko, category, unit, price_won "
    "(whole won). Optional: name_en, description, barcode (8-14 digits), perishable (true/false), "
    "origin (code, e.g. jeju), is_active. Rows are matched to existing products by merchant and SKU "
    "(case-insensitive): a match is updated, anything else is created. An empty optional cell keeps "
    "the existing product's value."
)


@dataclass
class _Row:
    line: int
    merchant: Merchant
    values: dict[str, Any]


def _clean_row(
    line: int, row: dict[str, str], origins: dict[str, Origin], errors: RowCollector
) -> dict[str, Any]:
    """The row's product fields, each bad cell reported under its own column. An empty
    optional cell is left out: an existing product keeps its value, a new one the default."""
    raw: dict[str, Any] = {
        name: row[name] for name in TEXT_FIELDS if name in row and (row[name] or name in REQUIRED)
    }
    for name in ("price_won", "perishable", "is_active"):
        if row.get(name, "") == "" and name not in REQUIRED:
            continue
        try:
            raw[name] = int_field(row, name) if name == "price_won" else bool_field(row, name)
        except ValueError as exc:
            errors.add(line, name, str(exc))
    code = row.get("origin", "")
    if code:
        if code in origins:
            raw["origin"] = origins[code]
        else:
            errors.add(line, "origin", f"no origin with code {code!r}")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        try:
            values.update(clean_product_fields({name: value}))
        except InvalidInput as exc:
            errors.add(line, exc.field or name, exc.message)
    return values


def _merchant_for(
    line: int,
    row: dict[str, str],
    merchant_slug: str | None,
    merchants: dict[str, Merchant],
    errors: RowCollector,
) -> Merchant | None:
    slug = row.get("merchant", "") or merchant_slug or ""
    if merchant_slug and slug != merchant_slug:
        errors.add(line, "merchant", f"row is for {slug!r} but the import is for {merchant_slug!r}")
        return None
    if not slug:
        errors.add(line, "merchant", "is required")
        return None
    merchant = merchants.get(slug)
    if merchant is None:
        errors.add(line, "merchant", f"no merchant {slug!r}")
    return merchant


def _validate(
    rows: list[tuple[int, dict[str, str]]], merchant_slug: str | None, errors: RowCollector
) -> list[_Row]:
    slugs = {r.get("merchant", "") for _, r in rows} | ({merchant_slug} if merchant_slug else set())
    # Only well-formed keys reach the database (PostgreSQL refuses NUL in a parameter).
    merchants = {m.slug: m for m in Merchant.objects.filter(slug__in={s for s in slugs if SLUG.fullmatch(s)})}
    codes = {c for _, r in rows if SLUG.fullmatch(c := r.get("origin", ""))}
    origins = {o.code: o for o in Origin.objects.filter(code__in=codes)}
    seen: dict[tuple[int, str], int] = {}
    good: list[_Row] = []
    for line, row in rows:
        if "__error__" in row:
            errors.add(line, None, row["__error__"])
            continue
        before = len(errors.errors)
        merchant = _merchant_for(line, row, merchant_slug, merchants, errors)
        values = _clean_row(line, row, origins, errors)
        if merchant is not None and "sku" in values:
            key = (merchant.pk, values["sku"].lower())
            if key in seen:
                errors.add(line, "sku", f"SKU {values['sku']!r} already appears on line {seen[key]}")
            else:
                seen[key] = line
        if merchant is not None and len(errors.errors) == before:
            good.append(_Row(line, merchant, values))
    return good


def import_products(data: bytes, filename: str, *, merchant_slug: str | None = None) -> ImportReport:
    """Validate every row, then write in bulk; any bad row refuses the whole file (ImportFailed)."""
    text = decode(data, kind=KIND)
    optional = ("merchant", *OPTIONAL) if merchant_slug else OPTIONAL
    required = REQUIRED if merchant_slug else ("merchant", *REQUIRED)
    if merchant_slug and not (
        SLUG.fullmatch(merchant_slug) and Merchant.objects.filter(slug=merchant_slug).exists()
    ):
        errors = RowCollector(KIND)
        errors.add(0, "merchant", f"no merchant {merchant_slug!r}")
        errors.raise_if_any()
    errors = RowCollector(KIND)
    rows = list(read_csv(text, required=required, optional=optional, kind=KIND))
    good = _validate(rows, merchant_slug, errors)
    errors.raise_if_any()

    existing: dict[tuple[int, str], Product] = {}
    merchant_ids = {r.merchant.pk for r in good}
    for found in Product.objects.filter(merchant_id__in=merchant_ids):
        existing[(found.merchant_id, found.sku.lower())] = found
    to_create: list[Product] = []
    to_update: list[Product] = []
    changed: set[str] = set()
    now = timezone.now()
    for row in good:
        product = existing.get((row.merchant.pk, row.values["sku"].lower()))
        if product is None:
            to_create.append(Product(merchant=row.merchant, **row.values))
            continue
        for name, value in row.values.items():
            setattr(product, name, value)
        product.updated_at = now  # bulk_update skips auto_now
        changed.update(row.values)
        to_update.append(product)
    Product.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Product.objects.bulk_update(to_update, sorted(changed | {"updated_at"}), batch_size=500)
    return ImportReport(kind=KIND, created=len(to_create), updated=len(to_update), notes=[f"from {filename}"])
