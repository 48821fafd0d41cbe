"""Back office for stock, its movements and inbound shipments.

The counters are read-only here: they change only through the services, which write the
movement that explains each change. Operators with admin access see the hubs they run.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from hyperlocal.errors import DomainError
from hyperlocal.hubs.services import can_operate, is_platform_admin
from hyperlocal.inventory.models import InboundLine, InboundShipment, Stock, StockMovement
from hyperlocal.inventory.services import cancel_inbound, receive_inbound, update_stock_settings

SETTINGS = ("zone", "bin", "low_stock_at", "target_days_of_cover")


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Stock)
class StockAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["product", "hub", "on_hand", "reserved", "available", "zone", "bin", "low_stock_at"]
    list_filter = ["hub"]
    search_fields = ["product__name_ko", "product__name_en", "product__sku", "hub__name"]
    list_select_related = ["product", "hub", "zone"]
    readonly_fields = ["hub", "product", "on_hand", "reserved", "available", "updated_at"]
    fields = ["hub", "product", "on_hand", "reserved", "available", *SETTINGS, "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Stock]:
        rows: QuerySet[Stock] = super().get_queryset(request)
        return rows if is_platform_admin(request.user) else rows.filter(hub__operators=request.user.pk)

    @admin.display(description=_("available"))
    def available(self, stock: Stock) -> int:
        return stock.available

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # stock arrives through inbound shipments

    def has_delete_permission(self, request: HttpRequest, obj: Stock | None = None) -> bool:
        return False  # movements point at it

    def has_change_permission(self, request: HttpRequest, obj: Stock | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_operate(request.user, obj.hub))

    def save_model(self, request: HttpRequest, obj: Stock, form: forms.ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        changes: dict[str, object] = {}
        for name in form.changed_data:
            if name == "zone":
                zone = form.cleaned_data["zone"]
                changes["zone_id"] = zone.pk if zone else None
            elif name in SETTINGS:
                changes[name] = form.cleaned_data[name]
        try:
            with transaction.atomic():
                saved = update_stock_settings(request.user, obj.hub, obj.product_id, **changes)
        except DomainError as exc:
            messages.error(request, f"{_('Nothing was saved')}: {exc.message}")
            return
        obj.refresh_from_db()
        obj.zone_id = saved.zone_id


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "product",
        "hub",
        "on_hand_delta",
        "reserved_delta",
        "reason",
        "order_id",
    ]
    list_filter = ["kind", "hub"]
    search_fields = ["product__name_ko", "product__name_en", "product__sku", "reason", "order_id"]
    list_select_related = ["product", "hub"]
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[StockMovement]:
        rows: QuerySet[StockMovement] = super().get_queryset(request)
        return rows if is_platform_admin(request.user) else rows.filter(hub__operators=request.user.pk)


class InboundLineInline(admin.TabularInline):  # type: ignore[type-arg]
    model = InboundLine
    extra = 0
    readonly_fields = ["product", "quantity_sent", "quantity_received", "quantity_damaged"]
    fields = ("product", "quantity_sent", "quantity_received", "quantity_damaged")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(InboundShipment)
class InboundShipmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Shipments are announced through the API or the merchant pages; here they are read,
    received in full or cancelled (both through the services)."""

    list_display = ["pk", "merchant", "hub", "status", "expected_at", "received_at"]
    list_filter = ["status", "hub"]
    search_fields = ["merchant__name", "hub__name", "note"]
    list_select_related = ["merchant", "hub"]
    readonly_fields = [
        "merchant",
        "hub",
        "status",
        "expected_at",
        "note",
        "created_by",
        "created_at",
        "received_by",
        "received_at",
    ]
    inlines = [InboundLineInline]
    actions = ["receive_in_full", "cancel"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[InboundShipment]:
        rows: QuerySet[InboundShipment] = super().get_queryset(request)
        return rows if is_platform_admin(request.user) else rows.filter(hub__operators=request.user.pk)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: InboundShipment | None = None) -> bool:
        return False

    def _each(self, request: HttpRequest, queryset: QuerySet[InboundShipment], receive: bool) -> None:
        done = 0
        for shipment in queryset.select_related("merchant", "hub"):
            try:
                with transaction.atomic():
                    if receive:
                        receive_inbound(request.user, shipment)
                    else:
                        cancel_inbound(request.user, shipment)
            except DomainError as exc:
                messages.error(request, f"#{shipment.pk}: {exc.message}")
            else:
                done += 1
        messages.success(request, f"{done} shipment(s) {'received' if receive else 'cancelled'}")

    @admin.action(description=_("Receive in full"))
    def receive_in_full(self, request: HttpRequest, queryset: QuerySet[InboundShipment]) -> None:
        self._each(request, queryset, receive=True)

    @admin.action(description=_("Cancel"))
    def cancel(self, request: HttpRequest, queryset: QuerySet[InboundShipment]) -> None:
        self._each(request, queryset, receive=False)
