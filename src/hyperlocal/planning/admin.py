"""Back office for planning inputs: candidate vacant spaces and the population grid, each
with an "Import file" page."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin

from hyperlocal.errors import InvalidInput
from hyperlocal.geo import InvalidCoordinates, Point, cell_of
from hyperlocal.imports import ImportReport
from hyperlocal.planning.imports import (
    POPULATION_HELP,
    SPACES_HELP,
    import_population_grid,
    import_vacant_spaces,
)
from hyperlocal.planning.models import PopulationCell, VacantSpace
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
