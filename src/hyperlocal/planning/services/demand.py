"""Demand per H3 cell of a region, in orders a day: from households (an imported
population grid, else the dongs' statistics), from the platform's own orders, or a blend,
with a forecast growth factor per dong or district."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import h3
from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone

from hyperlocal.errors import InvalidInput
from hyperlocal.orders.models import Order, OrderStatus
from hyperlocal.planning.models import PopulationCell
from hyperlocal.planning.services.parameters import PlanParameters
from hyperlocal.regions.models import Region, RegionCell

__all__ = ["CellDemand", "build_demand", "leaf_regions", "region_cells"]

# Seoul's persons per household, when neither the dong nor the district says.
DEFAULT_PERSONS_PER_HOUSEHOLD = 2.2


@dataclass(frozen=True)
class CellDemand:
    cell: str
    dong_code: str | None
    orders_per_day: float
    households: float | None


@dataclass
class _Side:
    """One source's demand: orders a day and households per cell (households may be None)."""

    orders: dict[str, float]
    households: dict[str, float] | None
    dong: dict[str, str | None]


def leaf_regions(region: Region) -> list[Region]:
    """The region itself and its dongs (a dong: itself only)."""
    if region.level == Region.Level.DONG:
        return [region]
    return [region, *Region.objects.filter(parent=region).order_by("code")]


def region_cells(region: Region) -> dict[str, str]:
    """cell -> code of the leaf region (dong) that holds it."""
    rows = RegionCell.objects.filter(region__in=leaf_regions(region)).values_list("cell", "region__code")
    return dict(rows)


def _persons_per_household(dong: Region | None, district: Region) -> float:
    for place in (dong, district):
        if place is not None and place.population and place.households:
            return place.population / place.households
    return DEFAULT_PERSONS_PER_HOUSEHOLD


def _households(region: Region, params: PlanParameters, cells: dict[str, str]) -> dict[str, float] | None:
    """Households per cell from the population grid, else from the dongs' statistics;
    None when neither gives any."""
    leaves = leaf_regions(region)
    grid = PopulationCell.objects.filter(region__in=leaves)
    source = params.population_source
    if source is None:
        newest = grid.order_by("-imported_at", "-pk").values_list("source", flat=True).first()
        source = newest
    elif not grid.filter(source=source).exists():
        raise InvalidInput(
            f"the population source {source!r} has no cells in {region}", field="population_source"
        )
    if source is not None:
        by_code = {r.code: r for r in leaves}
        district = region.district
        out: dict[str, float] = defaultdict(float)
        for cell, code, population, counted in grid.filter(source=source).values_list(
            "cell", "region__code", "population", "households"
        ):
            if counted is None:
                out[cell] += population / _persons_per_household(by_code.get(code), district)
            else:
                out[cell] += float(counted)
        return dict(out)
    per_dong: dict[str, list[str]] = defaultdict(list)
    for cell, code in cells.items():
        per_dong[code].append(cell)
    out = {}
    for dong in leaves:
        dong_cells = per_dong.get(dong.code, [])
        households_here: float | None = dong.households
        if households_here is None and dong.population:
            households_here = dong.population / _persons_per_household(dong, region.district)
        if not dong_cells or not households_here:
            continue
        for cell in dong_cells:
            out[cell] = households_here / len(dong_cells)
    return out or None


def _normalised(cell: str, resolution: int) -> str | None:
    """The cell at the planning resolution (a finer cell's parent); None for a coarser one."""
    try:
        have = h3.get_resolution(cell)
    except (ValueError, TypeError, h3.H3BaseException):
        return None
    if have == resolution:
        return cell
    if have > resolution:
        return str(h3.cell_to_parent(cell, resolution))
    return None


def _orders(region: Region, params: PlanParameters, cells: dict[str, str], now: datetime) -> _Side:
    since = now - timedelta(days=params.orders_days)
    rows = (
        Order.objects.filter(region__in=leaf_regions(region), placed_at__gte=since, placed_at__lte=now)
        .exclude(status=OrderStatus.CANCELLED)
        .values("delivery_cell", "region__code")
        .annotate(n=Count("pk"), won=Sum("total_won"))
    )
    resolution = settings.REGION_CELL_RESOLUTION
    count: dict[str, int] = defaultdict(int)
    value: dict[str, int] = defaultdict(int)
    dong: dict[str, str | None] = {}
    for row in rows:
        cell = _normalised(row["delivery_cell"], resolution)
        if cell is None:
            continue
        count[cell] += row["n"]
        value[cell] += row["won"] or 0
        dong[cell] = cells.get(cell, row["region__code"])
    total_count, total_value = sum(count.values()), sum(value.values())
    per_day = total_count / params.orders_days
    if params.order_weight == "value" and total_value > 0:
        orders = {cell: per_day * value[cell] / total_value for cell in count}
    else:
        orders = {cell: n / params.orders_days for cell, n in count.items()}
    return _Side(orders, None, dong)


def _growth(params: PlanParameters, region: Region, dong_code: str | None) -> float:
    if dong_code is not None and dong_code in params.growth:
        return params.growth[dong_code]
    if region.code in params.growth:
        return params.growth[region.code]
    district = region.district
    return params.growth.get(district.code, 1.0)


def _no_demand(region: Region, params: PlanParameters) -> InvalidInput:
    if params.demand_source == "orders":
        text = f"there are no orders in {region} in the last {params.orders_days} days to plan from"
    elif params.demand_source == "population":
        text = f"{region} has no households: import a population grid or the dongs' statistics"
    else:
        text = (
            f"{region} has neither households nor orders in the last {params.orders_days} days to plan from"
        )
    return InvalidInput(text, field="demand_source")


def build_demand(
    region: Region, params: PlanParameters, *, now: datetime | None = None, notes: list[str] | None = None
) -> list[CellDemand]:
    """Orders a day per cell (cells with demand only, by cell). A blend with one side empty
    (no orders yet) takes the other side whole and says so in ``notes``."""
    now = now or timezone.now()
    cells = region_cells(region)
    source = params.demand_source
    households = _households(region, params, cells) if source in ("population", "blend") else None
    orders = _orders(region, params, cells, now) if source in ("orders", "blend") else None
    if source == "orders" and orders is not None and orders.orders:
        # Households where the population says so, so that rent per household can be given.
        households = _households_quietly(region, params, cells)
    population = (
        {cell: h * params.orders_per_household_day for cell, h in households.items()} if households else {}
    )
    from_orders = orders.orders if orders is not None else {}
    if source == "population":
        share = 0.0
    elif source == "orders":
        share = 1.0
    elif not from_orders:
        share = 0.0
        if notes is not None and population:
            notes.append(f"no orders in the last {params.orders_days} days: demand from households alone")
    elif not population:
        share = 1.0
        if notes is not None:
            notes.append("no household figures: demand from orders alone")
    else:
        share = params.orders_share
    out = []
    for cell in sorted(_cells(population if share < 1 else {}, from_orders if share > 0 else {})):
        dong_code = cells.get(cell) or (orders.dong.get(cell) if orders is not None else None)
        factor = _growth(params, region, dong_code)
        per_day = (1 - share) * population.get(cell, 0.0) + share * from_orders.get(cell, 0.0)
        hh = None if households is None else households.get(cell, 0.0) * factor
        if per_day * factor > 0:
            out.append(CellDemand(cell, dong_code, per_day * factor, hh))
    if not out:
        raise _no_demand(region, params)
    return out


def _households_quietly(
    region: Region, params: PlanParameters, cells: dict[str, str]
) -> dict[str, float] | None:
    try:
        return _households(region, params, cells)
    except InvalidInput:
        return None


def _cells(*sides: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for side in sides:
        out.update(side)
    return out
