"""Back office for merchants, products and origins.

Platform admins see everything; merchant staff with admin access see and change only their
own merchants and products. Saving a product goes through the catalog services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, ForeignKey, Q, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from hyperlocal.catalog.imports import HELP, import_products
from hyperlocal.catalog.models import Merchant, MerchantStaff, Origin, Product, ProductPhoto
from hyperlocal.catalog.services import (
    can_edit_merchant,
    can_edit_product,
    create_product,
    is_platform_admin,
    staff_merchants,
    update_product,
)
from hyperlocal.catalog.services.validation import PRODUCT_FIELDS, clean_product_fields
from hyperlocal.errors import InvalidInput
from hyperlocal.web.admin_import import ImportFileAdminMixin


class MerchantStaffInline(admin.TabularInline):  # type: ignore[type-arg]
    model = MerchantStaff
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "name",
        "slug",
        "kind",
        "region",
        "business_category",
        "revenue_band",
        "product_count",
        "is_active",
    ]
    list_filter = ["kind", "business_category", "revenue_band", "is_active", "region"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["region"]
    inlines = [MerchantStaffInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Merchant]:
        merchants: QuerySet[Merchant] = super().get_queryset(request)
        merchants = merchants.annotate(active_products=Count("products", filter=Q(products__is_active=True)))
        if is_platform_admin(request.user):
            return merchants
        return merchants.filter(pk__in=staff_merchants(request.user).values("pk"))

    @admin.display(description=_("products"), ordering="active_products")
    def product_count(self, merchant: Merchant) -> int:
        return int(getattr(merchant, "active_products", 0))

    def has_change_permission(self, request: HttpRequest, obj: Merchant | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit_merchant(request.user, obj))


class ProductAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    """Runs the catalog's field rules so that a bad value shows beside its field."""

    class Meta:
        model = Product
        fields = ["merchant", *PRODUCT_FIELDS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in PRODUCT_FIELDS:
            if name in cleaned and name not in self.errors:
                try:
                    clean_product_fields({name: cleaned[name]})
                except InvalidInput as exc:
                    self.add_error(name if name in self.fields else None, exc.message)
        return cleaned


class ProductPhotoInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ProductPhoto
    extra = 0


@admin.register(Product)
class ProductAdmin(ImportFileAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg,misc]
    form = ProductAdminForm
    list_display = ["sku", "name_ko", "name_en", "merchant", "price_won", "origin", "perishable", "is_active"]
    list_filter = ["category", "origin", "perishable", "is_active", "merchant"]
    search_fields = ["name_ko", "name_en", "sku", "barcode"]
    list_select_related = ["merchant", "origin"]
    inlines = [ProductPhotoInline]
    import_handler = staticmethod(import_products)
    import_help = HELP

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        products: QuerySet[Product] = super().get_queryset(request)
        if is_platform_admin(request.user):
            return products
        return products.filter(merchant__in=staff_merchants(request.user))

    def get_readonly_fields(self, request: HttpRequest, obj: Product | None = None) -> list[str]:
        return ["merchant", "created_at"] if obj else ["created_at"]

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:  # type: ignore[type-arg]
        if db_field.name == "merchant" and not is_platform_admin(request.user):
            kwargs["queryset"] = staff_merchants(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Product | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit_product(request.user, obj))

    def save_model(self, request: HttpRequest, obj: Product, form: forms.ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        fields = {n: form.cleaned_data[n] for n in PRODUCT_FIELDS if n in form.cleaned_data}
        if change:
            current = Product.objects.select_related("merchant").get(pk=obj.pk)
            saved = update_product(
                request.user, current, **{n: fields[n] for n in form.changed_data if n in fields}
            )
        else:
            saved = create_product(request.user, form.cleaned_data["merchant"], **fields)
        # The admin carries on with `obj` (inlines, log, redirect): give it the saved state.
        obj.pk = saved.pk
        obj.created_at, obj.updated_at = saved.created_at, saved.updated_at
        obj._state.adding = False
        obj._state.db = saved._state.db

    def import_view(self, request: HttpRequest) -> HttpResponse:
        # An import may touch any merchant's products: platform admins only.
        if not is_platform_admin(request.user):
            raise PermissionDenied
        return super().import_view(request)


@admin.register(Origin)
class OriginAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name_ko", "name_en", "province", "known_for", "product_count"]
    search_fields = ["code", "name_ko", "name_en", "province", "known_for"]
    list_filter = ["province"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Origin]:
        origins: QuerySet[Origin] = super().get_queryset(request)
        return origins.annotate(n_products=Count("products"))

    @admin.display(description=_("products"), ordering="n_products")
    def product_count(self, origin: Origin) -> int:
        return int(getattr(origin, "n_products", 0))
