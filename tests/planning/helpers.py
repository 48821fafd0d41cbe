"""Small planning worlds for the services' tests: a few cells of one Mapo dong with known
households, a few vacant spaces, and a travel model that answers from a table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import h3
import numpy as np
import numpy.typing as npt
from django.conf import settings

from hyperlocal.geo import Mode, Point, cell_centre, cell_of
from hyperlocal.orders.models import Order, OrderStatus
from hyperlocal.planning.models import PopulationCell, VacantSpace
from hyperlocal.regions.models import Region, RegionCell

DONG = "1144066000"  # Seogyo-dong
SOURCE = "test grid"


def dong_cells(code: str = DONG, count: int = 4) -> list[str]:
    return list(
        RegionCell.objects.filter(region__code=code).order_by("cell").values_list("cell", flat=True)[:count]
    )


def population(cells_households: Mapping[str, int], *, source: str = SOURCE, code: str = DONG) -> None:
    region = Region.objects.get(code=code)
    PopulationCell.objects.bulk_create(
        PopulationCell(cell=cell, region=region, population=2 * hh, households=hh, source=source)
        for cell, hh in cells_households.items()
    )


def space(
    name: str,
    cell: str,
    *,
    rent: int = 1_000_000,
    area: int = 400,
    code: str = DONG,
    available: date | None = None,
    **flags: Any,
) -> VacantSpace:
    """A space at the centre of ``cell`` (a different point per space: shifted a little)."""
    centre = cell_centre(cell)
    shift = VacantSpace.objects.count() * 1e-5
    point = Point(centre.lat + shift, centre.lng)
    return VacantSpace.objects.create(
        name=name,
        region=Region.objects.get(code=code),
        address=f"{name} street",
        lat=point.lat,
        lng=point.lng,
        cell=cell_of(point, settings.REGION_CELL_RESOLUTION),
        kind=VacantSpace.Kind.SHOP_FRONT,
        floor_area_m2=area,
        monthly_rent_won=rent,
        available_from=available or date(2024, 1, 1),
        **flags,
    )


def order(cell: str, total: int, *, at: datetime, status: str = OrderStatus.DELIVERED) -> Order:
    """A delivered order of ``total`` won to the centre of ``cell``, placed ``at``."""
    from tests.factories import UserFactory

    centre = cell_centre(cell)
    region = RegionCell.objects.get(cell=h3.cell_to_parent(cell, settings.REGION_CELL_RESOLUTION)).region
    return Order.objects.create(
        code=f"T{Order.objects.count():05d}",
        customer=UserFactory(),
        region=region,
        status=status,
        delivery_lat=centre.lat,
        delivery_lng=centre.lng,
        delivery_cell=cell,
        items_won=total,
        total_won=total,
        placed_at=at,
    )


@dataclass
class TableModel:
    """Minutes from a place (by its exact point) to a cell centre, from a table; inf
    elsewhere. ``calls`` counts the matrix requests."""

    table: dict[tuple[float, float], dict[str, float]]
    calls: int = 0

    @classmethod
    def of(cls, rows: Mapping[Any, Mapping[str, float]]) -> TableModel:
        """``rows[place] = {cell: minutes}``; a place is anything with lat and lng."""
        return cls({(p.lat, p.lng): dict(r) for p, r in rows.items()})

    def minutes(
        self, origins: Sequence[Point], destinations: Sequence[Point], mode: Mode
    ) -> npt.NDArray[np.float64]:
        Mode(mode)
        self.calls += 1
        cells = [cell_of(d, settings.REGION_CELL_RESOLUTION) for d in destinations]
        out = np.full((len(origins), len(destinations)), np.inf)
        for i, o in enumerate(origins):
            row = self.table.get((o.lat, o.lng), {})
            for j, cell in enumerate(cells):
                if cell in row:
                    out[i, j] = row[cell]
        return out
