"""The district the demo city sits on: Mapo-gu's dongs, their cells, and where a point may go."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from hyperlocal.geo import Point, cell_of, point_in_geometry
from hyperlocal.regions.models import Region, RegionCell
from hyperlocal.regions.services import load_mapo
from hyperlocal.simulation.demo.parks import habitable

_KO_SHORT = re.compile(r"^(.*?)(\d*)동$")
_EN_SHORT = re.compile(r"^([A-Za-z]+)")


@dataclass(frozen=True)
class Dong:
    region: Region
    short_ko: str  # "망원" for 망원2동
    short_en: str  # "Mangwon" for Mangwon 2(i)-dong
    number: str  # "2" for 망원2동, "" for dongs without a number

    @property
    def boundary(self) -> dict[str, Any]:
        boundary: dict[str, Any] = self.region.boundary or {}
        return boundary


def _dong(region: Region) -> Dong:
    ko = _KO_SHORT.match(region.name_ko)
    en = _EN_SHORT.match(region.name_en)
    return Dong(
        region=region,
        short_ko=ko.group(1) if ko else region.name_ko,
        short_en=en.group(1) if en else region.name_en or region.name_ko,
        number=ko.group(2) if ko else "",
    )


@dataclass(frozen=True)
class City:
    district: Region
    dongs: tuple[Dong, ...]  # ordered by code, so that sampling order is stable
    cell_region: dict[str, int]  # region cell -> the dong's region id

    def dong_of(self, region_id: int) -> Dong:
        return next(d for d in self.dongs if d.region.pk == region_id)

    def fits(self, point: Point, dong: Dong) -> bool:
        """May something stand here as part of this dong? Inside the dong's polygon, and
        see `fits_cell`."""
        return self.fits_cell(point, dong) and point_in_geometry(point, dong.boundary)

    def fits_cell(self, point: Point, dong: Dong) -> bool:
        """Habitable (on land, out of the large parks: parks.py), in a cell that the regions
        service maps to this dong (so that finding the region of the point later gives this
        dong back)."""
        cell = cell_of(point, settings.REGION_CELL_RESOLUTION)
        return self.cell_region.get(cell) == dong.region.pk and habitable(point)

    def locate(self, point: Point) -> Dong | None:
        """The dong a point fits in (see `fits`), or None (river, border, outside)."""
        region_id = self.cell_region.get(cell_of(point, settings.REGION_CELL_RESOLUTION))
        if region_id is None:
            return None
        dong = self.dong_of(region_id)
        return dong if self.fits(point, dong) else None


def load_city() -> City:
    """Load (or refresh) Mapo-gu from the shipped public data and index its cells."""
    district = load_mapo()
    regions = list(Region.objects.filter(parent=district, level=Region.Level.DONG).order_by("code"))
    cells = dict(RegionCell.objects.filter(region__in=regions).values_list("cell", "region_id"))
    return City(district=district, dongs=tuple(_dong(r) for r in regions), cell_region=cells)
