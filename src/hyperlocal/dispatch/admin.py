"""Back office for couriers, their shifts, trips and the dispatch rounds' log.

Read-mostly: trips, stops and records are written by the dispatch services (rounds and the
courier's moves), never by hand, so those admins are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hyperlocal.dispatch.models import Courier, DispatchRound, Shift, ShipmentDispatch, Trip, TripStop


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Courier)
class CourierAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "mode", "capacity_items", "home_hub", "is_active", "simulated"]
    list_filter = ["mode", "home_hub", "is_active", "simulated"]
    search_fields = ["user__username", "user__display_name", "home_hub__name"]
    list_select_related = ["user", "home_hub"]
    raw_id_fields = ["user"]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["courier", "starts_at", "ends_at", "clocked_in_at", "clocked_out_at"]
    list_filter = ["courier__home_hub"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["courier"]
    # Clocking in and out happens through the courier's page or API.
    readonly_fields = ["clocked_in_at", "clocked_out_at"]


class TripStopInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TripStop
    extra = 0
    fields = ("sequence", "shipment", "eta", "status", "done_at", "failure_reason", "proof_photo")
    readonly_fields = fields
    can_delete = False


@admin.register(Trip)
class TripAdmin(ReadOnly):
    list_display = ["pk", "courier", "hub", "status", "depart_at", "picked_up_at", "finished_at"]
    list_filter = ["status", "hub"]
    list_select_related = ["courier__user", "hub"]
    inlines = [TripStopInline]


@admin.register(ShipmentDispatch)
class ShipmentDispatchAdmin(ReadOnly):
    list_display = ["shipment", "courier", "eta", "late", "late_reason", "updated_at"]
    list_filter = ["late", "shipment__hub"]
    list_select_related = ["courier__user"]


@admin.register(DispatchRound)
class DispatchRoundAdmin(ReadOnly):
    list_display = [
        "at",
        "hub",
        "strategy",
        "shipments",
        "couriers",
        "assigned",
        "waiting",
        "late",
        "seconds",
    ]
    list_filter = ["hub", "strategy"]
    date_hierarchy = "at"
