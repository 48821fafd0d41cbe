"""Back office for planning: candidate vacant spaces and the population grid, each with an
"Import file" page; the zone split rules; the site plans, read only (they are made by the
planner and its job, never by hand)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils import timezone

from hyperlocal.errors import InvalidInput
from hyperlocal.geo import InvalidCoordinates, Point, cell_of
from hyperlocal.imports import ImportReport
from hyperlocal.planning.imports import (
    POPULATION_HELP,
    SPACES_HELP,
    import_population_grid,
    import_vacant_spaces,
)
from hyperlocal.planning.models import PopulationCell, SitePlan, VacantSpace, ZoneSplitRule
from hyperlocal.regions.services import region_for_point
from hyperlocal.web.admin_import import ImportFileAdminMixin


class VacantSpaceForm(forms.ModelForm):  # type: ignore[type-arg]
    """Region and cell follow from lat/lng, never typed."""

    class Meta:
        model = VacantSpace
        fields = [
            "name",
            "address",
            "lat",
            "lng",
            "kind",
            "floor_area_m2",
            "monthly_rent_won",
            "available_from",
            "can_warehouse",
            "can_community",
            "can_popup",
            "can_stay",
            "external_id",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "lat" in data and "lng" in data:
            try:
                point = Point.parse(data["lat"], data["lng"])
                region = region_for_point(point, field="lat")
            except InvalidCoordinates as exc:
                self.add_error(exc.field, str(exc))
            except InvalidInput as exc:
                self.add_error("lat", exc.message)
            else:
                self.instance.region = region
                self.instance.cell = cell_of(point, settings.REGION_CELL_RESOLUTION)
        return data


@admin.register(VacantSpace)
class VacantSpaceAdmin(ImportFileAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg,misc]
    form = VacantSpaceForm
    list_display = [
        "name",
        "kind",
        "region",
        "floor_area_m2",
        "monthly_rent_won",
        "available_from",
        "external_id",
    ]
    list_filter = [
        "kind",
        ("region", admin.RelatedOnlyFieldListFilter),
        "can_community",
        "can_popup",
        "can_stay",
    ]
    search_fields = ["name", "address", "external_id"]
    list_select_related = ["region"]
    readonly_fields = ["region", "cell"]
    import_handler = staticmethod(import_vacant_spaces)
    import_help = SPACES_HELP


def import_population_file(data: bytes, filename: str) -> ImportReport:
    """From the admin page the file's name (without extension) names the source."""
    return import_population_grid(data, filename, source=PurePath(filename).stem)


@admin.register(PopulationCell)
class PopulationCellAdmin(ImportFileAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg,misc]
    list_display = ["cell", "region", "population", "households", "source", "imported_at"]
    list_filter = ["source", ("region", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["cell", "source"]
    list_select_related = ["region"]
    readonly_fields = ["cell", "region", "source", "imported_at"]
    import_handler = staticmethod(import_population_file)
    import_help = POPULATION_HELP + " The file's name, without its extension, becomes the source."


@admin.register(ZoneSplitRule)
class ZoneSplitRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    # Shares that overfill the floor are refused by the model's constraints on save.
    list_display = [
        "region",
        "warehouse_bp",
        "community_bp",
        "popup_bp",
        "stay_bp",
        "orders_per_warehouse_m2",
    ]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request: Any, obj: ZoneSplitRule, form: Any, change: bool) -> None:
        obj.updated_by = request.user
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(SitePlan)
class SitePlanAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["pk", "region", "status", "requested_by", "created_at", "finished_at", "coverage"]
    list_filter = ["status", "region"]
    search_fields = ["requested_by__username", "error"]
    exclude = ["result"]  # a whole city's cells: the planner page shows it

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).defer("result").select_related("region", "requested_by")

    @admin.display(description="coverage")
    def coverage(self, plan: SitePlan) -> str:
        share = (plan.summary or {}).get("coverage_share") if isinstance(plan.summary, dict) else None
        return "–" if share is None else f"{100 * float(share):.1f} %"

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
