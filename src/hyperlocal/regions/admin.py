"""Back office for regions: codes, names, statistics; boundaries and cells come from load_regions."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from hyperlocal.regions.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name_ko", "name_en", "level", "parent", "population", "households", "cell_count"]
    list_filter = ["level", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name_ko", "name_en"]
    list_select_related = ["parent"]
    ordering = ["code"]
    # Boundaries and cells must change together, so they are loaded by `load_regions`, not typed here.
    readonly_fields = ["boundary", "centroid_lat", "centroid_lng", "cell_count"]
    fields = [
        "code",
        "name_ko",
        "name_en",
        "level",
        "parent",
        "population",
        "households",
        "slogan",
        "centroid_lat",
        "centroid_lng",
        "cell_count",
        "boundary",
    ]
    raw_id_fields = ["parent"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Region]:
        regions: QuerySet[Region] = super().get_queryset(request)
        return regions.annotate(n_cells=Count("cells"))

    @admin.display(description=_("cells"), ordering="n_cells")
    def cell_count(self, region: Region) -> int:
        return int(getattr(region, "n_cells", 0))
