"""Back office for orders (read-only: orders change only through the services, so that
stock, slots and payments follow), delivery slots and fulfilment policies."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hyperlocal.orders.models import (
    DeliverySlot,
    FulfilmentPolicy,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Shipment,
)


class _ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ShipmentInline(_ReadOnlyInline):
    model = Shipment
    fields = (
        "hub",
        "status",
        "promise_kind",
        "slot",
        "promised_from",
        "promised_by",
        "items_won",
        "delivered_at",
    )
    readonly_fields = fields


class OrderLineInline(_ReadOnlyInline):
    model = OrderLine
    fields = (
        "shipment",
        "product",
        "quantity",
        "unit_price_won",
        "substitution",
        "status",
        "picked_quantity",
        "substitute",
        "substitute_quantity",
        "charged_won",
    )
    readonly_fields = fields


class PaymentInline(_ReadOnlyInline):
    model = Payment
    fields = ("tender", "provider", "reference", "status", "authorised_won", "captured_won", "refunded_won")
    readonly_fields = fields


class OrderEventInline(_ReadOnlyInline):
    model = OrderEvent
    fields = ("at", "kind", "shipment", "from_status", "to_status", "actor", "note")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "customer", "status", "total_won", "region", "placed_at")
    list_filter = ("status", "region")
    search_fields = ("code", "customer__username", "delivery_address")
    date_hierarchy = "placed_at"
    inlines = (ShipmentInline, OrderLineInline, PaymentInline, OrderEventInline)
    list_select_related = ("customer", "region")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Order._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DeliverySlot)
class DeliverySlotAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("hub", "starts_at", "ends_at", "booked", "capacity")
    list_filter = ("hub",)
    date_hierarchy = "starts_at"
    readonly_fields = ("booked",)  # changes only through booking and cancellation


@admin.register(FulfilmentPolicy)
class FulfilmentPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "hub",
        "pickers",
        "pick_minutes_per_order",
        "slot_minutes",
        "slot_capacity",
        "instant_enabled",
    )
