"""Demand per H3 cell of a region, in orders a day, with a forecast growth factor per dong
or district:

- ``population``: households (an imported population grid, else the dongs' statistics spread
  evenly over their cells) x ``orders_per_household_day``;
- ``orders``: the orders actually placed (not cancelled) over the last ``orders_days``, per
  delivery cell, by count or by value. Orders come only from cells an open hub already
  serves, so this source sees no demand where there is no hub yet;
- ``blend``: households x ``orders_per_household_day``, shaped by where people order more or
  less: a dong's rate is the parameter x ((1 - orders_share) + orders_share x its learned rate /
  the region's learned rate). The learned rates are measured only over served cells (cells in
  some open hub's service area): a dong's orders a day in its served cells over its households
  there, when those cells had at least ``MIN_RATE_ORDERS`` orders, else the region's (so a
  factor of 1). The parameter sets the level (a forecast: how much a household will order once
  a hub serves it); the orders only set the shape, because their level is today's reach of the
  platform, not the demand a new hub will meet. Served and unserved cells alike get the rate,
  so a blend does not favour the places hubs already serve. The rates used are said in
  ``notes`` (the plan's message).

A blend without households falls back to the orders, one without orders to the parameter's
rate; both say so in ``notes``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import h3
from django.conf import settings
from django.utils import timezone

from hyperlocal.errors import InvalidInput
from hyperlocal.hubs.services import served_cells
from hyperlocal.orders.services import orders_by_cell
from hyperlocal.planning.models import PopulationCell
from hyperlocal.planning.services.parameters import PlanParameters
from hyperlocal.regions.models import Region, RegionCell

__all__ = ["CellDemand", "build_demand", "leaf_regions", "region_cells"]

# Seoul's persons per household, when neither the dong nor the district says.
DEFAULT_PERSONS_PER_HOUSEHOLD = 2.2
# A dong's (or the region's) served cells need this many orders in the period for a rate
# of their own.
MIN_RATE_ORDERS = 20


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
    counts: dict[str, int]  # orders per cell in the period (for "enough orders")


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
    resolution = settings.REGION_CELL_RESOLUTION
    count: dict[str, int] = defaultdict(int)
    value: dict[str, int] = defaultdict(int)
    dong: dict[str, str | None] = {}
    for raw_cell, tally in orders_by_cell([r.pk for r in leaf_regions(region)], since, now).items():
        cell = _normalised(raw_cell, resolution)
        if cell is None:
            continue
        count[cell] += tally.count
        value[cell] += tally.won
        dong[cell] = cells.get(cell, tally.region_code)
    total_count, total_value = sum(count.values()), sum(value.values())
    per_day = total_count / params.orders_days
    if params.order_weight == "value" and total_value > 0:
        orders = {cell: per_day * value[cell] / total_value for cell in count}
    else:
        orders = {cell: n / params.orders_days for cell, n in count.items()}
    return _Side(orders, None, dong, dict(count))


@dataclass(frozen=True)
class _Rates:
    """Orders per household a day learned from orders in served cells."""

    by_dong: dict[str, float]
    region: float | None

    def for_dong(self, code: str | None) -> float | None:
        if code is not None and code in self.by_dong:
            return self.by_dong[code]
        return self.region


def _learned_rates(households: dict[str, float], orders: _Side, cells: dict[str, str]) -> _Rates:
    """Per dong (and for the whole region) over its served cells: orders a day / households,
    where those cells had at least MIN_RATE_ORDERS orders."""
    served = served_cells(set(households) | set(orders.orders))
    per_day: dict[str | None, float] = defaultdict(float)
    homes: dict[str | None, float] = defaultdict(float)
    counts: dict[str | None, int] = defaultdict(int)
    for cell in served:
        code = cells.get(cell) or orders.dong.get(cell)
        per_day[code] += orders.orders.get(cell, 0.0)
        homes[code] += households.get(cell, 0.0)
        counts[code] += orders.counts.get(cell, 0)
    by_dong = {
        str(code): per_day[code] / homes[code]
        for code in homes
        if code is not None and homes[code] > 0 and counts[code] >= MIN_RATE_ORDERS
    }
    all_homes, all_counts = sum(homes.values()), sum(counts.values())
    region = sum(per_day.values()) / all_homes if all_homes > 0 and all_counts >= MIN_RATE_ORDERS else None
    return _Rates(by_dong, region)


def _rates_note(params: PlanParameters, rates: _Rates, dongs: int) -> str:
    share = params.orders_share
    mix = (
        f"blend: {params.orders_per_household_day:g} orders per household a day, {100 * share:g} % "
        "shaped by how much each area orders where hubs deliver"
    )
    if rates.region is None or rates.region <= 0:
        return f"{mix}; too few orders in served cells to learn from: the parameter's rate everywhere"
    if not rates.by_dong:
        return f"{mix}; no area has enough orders of its own: the parameter's rate everywhere"
    factors = [rate / rates.region for rate in rates.by_dong.values()]
    return (
        f"{mix}: {len(rates.by_dong)} of {dongs} areas have their own factor "
        f"({min(factors):.3g}-{max(factors):.3g} x), the rest 1"
    )


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
    """Orders a day per cell (cells with demand only, by cell); see the module docstring."""
    now = now or timezone.now()
    cells = region_cells(region)
    source = params.demand_source
    notes = notes if notes is not None else []
    if source == "population":
        households = _households(region, params, cells)
        rate_of: dict[str, float] = dict.fromkeys(households or {}, params.orders_per_household_day)
        per_day = {cell: h * rate_of[cell] for cell, h in (households or {}).items()}
    elif source == "orders":
        orders = _orders(region, params, cells, now)
        per_day = orders.orders
        # Households where the population says so, so that rent per household can be given.
        households = _households_quietly(region, params, cells) if per_day else None
    else:
        households = _households(region, params, cells)
        orders = _orders(region, params, cells, now)
        per_day = _blend(region, params, cells, households, orders, notes)
    out = []
    for cell in sorted(per_day):
        dong_code = cells.get(cell)
        if dong_code is None and source != "population":
            dong_code = orders.dong.get(cell)
        factor = _growth(params, region, dong_code)
        hh = None if households is None else households.get(cell, 0.0) * factor
        if per_day[cell] * factor > 0:
            out.append(CellDemand(cell, dong_code, per_day[cell] * factor, hh))
    if not out:
        raise _no_demand(region, params)
    return out


def _blend(
    region: Region,
    params: PlanParameters,
    cells: dict[str, str],
    households: dict[str, float] | None,
    orders: _Side,
    notes: list[str],
) -> dict[str, float]:
    """Households x the blended rate (see the module docstring)."""
    if not households:
        if orders.orders:
            notes.append("no household figures: demand from orders alone")
        return orders.orders
    base = params.orders_per_household_day
    if not orders.orders:
        notes.append(f"no orders in the last {params.orders_days} days: demand from households alone")
        return {cell: h * base for cell, h in households.items()}
    rates = _learned_rates(households, orders, cells)
    share = params.orders_share
    notes.append(_rates_note(params, rates, len(leaf_regions(region)) - (region.level != Region.Level.DONG)))
    out = {}
    for cell, h in households.items():
        learned = rates.for_dong(cells.get(cell))
        factor = 1.0
        if rates.region is not None and rates.region > 0 and learned is not None:
            factor = (1 - share) + share * learned / rates.region
        out[cell] = h * base * factor
    return out


def _households_quietly(
    region: Region, params: PlanParameters, cells: dict[str, str]
) -> dict[str, float] | None:
    try:
        return _households(region, params, cells)
    except InvalidInput:
        return None
