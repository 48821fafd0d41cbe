"""The demo's population grid: each dong's real counts spread over its cells by the synthetic homes.

The demo has no census grid, only per-dong statistics (Region.population / households, June
2024) and the homes it sampled in proportion to them. The grid spreads each dong's real
counts over the dong's cells (at REGION_CELL_RESOLUTION) in proportion to the synthetic homes
in each cell, so that site planning sees where within a dong people live, as far as the
demo knows it. That is what the source text says it is.

A cell with no homes that is mostly habitable (on land and out of the large parks: parks.py)
gets a small floor share in proportion to its habitable part, so that a scaled-down build (a
few hundred homes) does not leave inhabited land at zero. A cell with no home that is mostly
water or park (the Han, the riverside parks, World Cup Park) gets no row at all: a sliver of
bank or park edge is no reason to put people in the river. Every row holds at least
one person and one household; the counts are whole numbers that add up exactly to the
dong's totals (largest remainders)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import h3
from django.conf import settings

from hyperlocal.geo import Point
from hyperlocal.planning.models import PopulationCell
from hyperlocal.simulation.demo.city import City
from hyperlocal.simulation.demo.households import Homes, allocate
from hyperlocal.simulation.demo.parks import habitable

SOURCE = "demo: dong statistics spread by synthetic homes"
# A habitable cell without homes weighs this share of the dong's mean homes per habitable cell.
FLOOR_SHARE = 0.05
# ... when at least this share of it is habitable, counted on its descendants this many
# levels finer (49 points).
MIN_HABITABLE = 0.5
SAMPLE_LEVELS = 2


def habitable_share(cell: str) -> float:
    """The share of the cell's finer descendants whose centres are habitable."""
    resolution = int(h3.get_resolution(cell)) + SAMPLE_LEVELS
    children = list(h3.cell_to_children(cell, resolution))
    return sum(habitable(Point(*h3.cell_to_latlng(child))) for child in children) / len(children)


def cell_weights(cells: Sequence[str], homes: Mapping[str, int]) -> dict[str, float]:
    """Weight of each inhabited cell of one dong: its homes, or the floor share of a mostly
    habitable cell without homes. Other cells are left out."""
    land = {cell: habitable_share(cell) for cell in cells}
    land_total = sum(land.values())
    home_total = sum(homes.get(cell, 0) for cell in cells)
    floor = FLOOR_SHARE * home_total / land_total if land_total and home_total else 1.0
    weights = {}
    for cell in cells:
        weight = homes.get(cell, 0) or (floor * land[cell] if land[cell] >= MIN_HABITABLE else 0.0)
        if weight > 0:
            weights[cell] = float(weight)
    return weights


def spread(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights` in whole numbers that add up to it exactly,
    each at least 1 when the total allows it (one each, then the rest by largest remainders)."""
    if total >= len(weights):
        return [1 + n for n in allocate(total - len(weights), weights)]
    return allocate(total, weights)


def create_population_grid(city: City, homes: Homes) -> list[PopulationCell]:
    """Write the dongs' PopulationCell rows (see the module's docstring); dongs without
    statistics are left out."""
    resolution = settings.REGION_CELL_RESOLUTION
    home_cells = Counter(
        str(h3.latlng_to_cell(float(lat), float(lng), resolution))
        for lat, lng in zip(homes.lat, homes.lng, strict=True)
    )
    cells_of: dict[int, list[str]] = {}
    for cell, region_id in city.cell_region.items():
        cells_of.setdefault(region_id, []).append(cell)
    rows: list[PopulationCell] = []
    for dong in city.dongs:
        region = dong.region
        if region.population is None:
            continue
        weights = cell_weights(sorted(cells_of.get(region.pk, [])), home_cells)
        if not weights:
            continue
        cells, values = list(weights), list(weights.values())
        people = spread(region.population, values)
        households = spread(region.households, values) if region.households is not None else None
        for i, cell in enumerate(cells):
            rows.append(
                PopulationCell(
                    cell=cell,
                    region=region,
                    population=people[i],
                    households=households[i] if households is not None else None,
                    source=SOURCE,
                )
            )
    return PopulationCell.objects.bulk_create(rows, batch_size=1000)


def delete_population_grid() -> None:
    PopulationCell.objects.filter(source=SOURCE).delete()
