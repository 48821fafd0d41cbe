"""Back office for couriers."""

from __future__ import annotations

from django.contrib import admin

from hyperlocal.dispatch.models import Courier


@admin.register(Courier)
class CourierAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "mode", "capacity_items", "home_hub", "is_active"]
    list_filter = ["mode", "home_hub", "is_active"]
    search_fields = ["user__username", "user__display_name", "home_hub__name"]
    list_select_related = ["user", "home_hub"]
    raw_id_fields = ["user"]
