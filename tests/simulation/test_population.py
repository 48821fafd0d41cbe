"""The demo's population grid: the dongs' real counts, spread by the synthetic homes, in the
region, out of the river and the large parks."""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import pairwise

import h3
import pytest
from django.conf import settings

from hyperlocal.accounts.models import Household
from hyperlocal.geo import Point
from hyperlocal.planning.models import PopulationCell
from hyperlocal.regions.models import Region, RegionCell
from hyperlocal.regions.services import MAPO_CODE
from hyperlocal.simulation.demo import BuildOutcome
from hyperlocal.simulation.demo.households import SOURCE as HOMES
from hyperlocal.simulation.demo.parks import PARKS, habitable, in_park
from hyperlocal.simulation.demo.population import MIN_HABITABLE, SOURCE, spread
from hyperlocal.simulation.demo.river import on_land


def grid() -> list[PopulationCell]:
    return list(PopulationCell.objects.select_related("region__parent").order_by("cell"))


def home_cells() -> Counter[str]:
    resolution = settings.REGION_CELL_RESOLUTION
    return Counter(
        h3.latlng_to_cell(lat, lng, resolution)
        for lat, lng in Household.objects.filter(source=HOMES).values_list("lat", "lng")
    )


def sample_points(cell: str) -> list[Point]:
    """The cell's centre and its descendants' centres two levels down."""
    finer = h3.cell_to_children(cell, h3.get_resolution(cell) + 2)
    return [Point(*h3.cell_to_latlng(c)) for c in [cell, *finer]]


def test_spread_adds_up_exactly_with_at_least_one_each() -> None:
    assert spread(10, [1.0, 1.0, 1.0]) == [4, 3, 3]
    assert spread(100, [97.0, 0.01, 2.0]) == [96, 1, 3]
    counts = spread(24_817, [512.0, 3.0, 0.4, 77.0, 0.4])
    assert sum(counts) == 24_817
    assert min(counts) >= 1
    assert counts[0] / 24_817 == pytest.approx(512 / 592.8, abs=1e-3)
    assert spread(2, [1.0, 5.0, 1.0]) == [0, 2, 0]  # too few to give each one
    with pytest.raises(ValueError, match="weights"):
        spread(5, [])


def test_the_grid_holds_each_dongs_registered_counts_exactly(city: BuildOutcome) -> None:
    dongs = list(Region.objects.filter(parent__code=MAPO_CODE, level=Region.Level.DONG))
    assert len(dongs) == 16
    people: Counter[int] = Counter()
    households: Counter[int] = Counter()
    for row in grid():
        people[row.region_id] += row.population
        households[row.region_id] += row.households or 0
    for dong in dongs:
        assert dong.population
        assert dong.households
        assert people[dong.pk] == dong.population, dong.name_ko
        assert households[dong.pk] == dong.households, dong.name_ko


def test_the_grid_lies_in_the_region_at_its_resolution(city: BuildOutcome) -> None:
    rows = grid()
    assert rows
    cell_region = dict(RegionCell.objects.values_list("cell", "region_id"))
    for row in rows:
        assert row.source == SOURCE
        assert h3.get_resolution(row.cell) == settings.REGION_CELL_RESOLUTION
        assert cell_region[row.cell] == row.region_id, row.cell
        assert row.region.level == Region.Level.DONG
        assert row.region.parent is not None
        assert row.region.parent.code == MAPO_CODE
        assert row.population >= 1
        assert row.households is not None
        assert 1 <= row.households <= row.population


def test_no_cell_of_the_grid_is_in_the_river_or_a_large_park(city: BuildOutcome) -> None:
    rows = grid()
    homes = home_cells()
    for row in rows:
        # A home stands there, or most of the cell is land out of the parks.
        points = sample_points(row.cell)[1:]
        land = sum(on_land(p) and not in_park(p) for p in points) / len(points)
        assert homes[row.cell] or land >= MIN_HABITABLE, row.cell
    cells = {row.cell for row in rows}
    resolution = settings.REGION_CELL_RESOLUTION
    # Mid-river (see test_river) and the middle of the World Cup Park mounds.
    for lat, lng in [(37.5432, 126.8997), (37.5320, 126.9370), (37.5390, 126.9260), (37.5640, 126.8680)]:
        assert h3.latlng_to_cell(lat, lng, resolution) not in cells, (lat, lng)
    for park in PARKS[:2]:
        assert h3.latlng_to_cell(park.lat, park.lng, resolution) not in cells, park.name
    # Every region cell wholly in the water or a park is left out: not a rounding accident.
    water = [
        c
        for c in RegionCell.objects.values_list("cell", flat=True)
        if not any(habitable(p) for p in sample_points(c))
    ]
    assert len(water) > 20
    assert not cells & set(water)


def test_every_inhabited_cell_has_people_and_homes_weigh_more(city: BuildOutcome) -> None:
    rows = grid()
    homes = home_cells()
    by_cell = {row.cell: row for row in rows}
    assert set(homes) <= set(by_cell)  # every cell with a home is in the grid
    for cell in RegionCell.objects.values_list("cell", flat=True):
        if all(habitable(p) for p in sample_points(cell)):
            assert cell in by_cell, cell  # wholly habitable land is never left at zero
    per_dong: dict[int, list[PopulationCell]] = defaultdict(list)
    for row in rows:
        per_dong[row.region_id].append(row)
    for dong_rows in per_dong.values():
        with_homes = sorted((homes[r.cell], r.population) for r in dong_rows if homes[r.cell])
        without = [r.population for r in dong_rows if not homes[r.cell]]
        assert with_homes
        # More homes, more people; a cell without homes has fewer people than any with one.
        for (fewer, low), (more, high) in pairwise(with_homes):
            assert low <= high if fewer == more else low < high
        assert not without or max(without) < with_homes[0][1]


@pytest.mark.parametrize(
    ("lat", "lng", "where"),
    [
        (37.5680, 126.8855, "Haneul Park, on landfill 2"),
        (37.5665, 126.8740, "Noeul Park, on landfill 1"),
        (37.5650, 126.8925, "Pyeonghwa Park, by Nanji pond"),
    ],
)
def test_the_world_cup_park_is_not_habitable(lat: float, lng: float, where: str) -> None:
    assert not habitable(Point(lat, lng)), where


@pytest.mark.parametrize(
    ("lat", "lng", "where"),
    [
        (37.5771, 126.8895, "Digital Media City"),
        (37.5663, 126.9019, "Mapo-gu Office"),
        (37.5683, 126.8972, "Seoul World Cup Stadium"),
        (37.5795, 126.8870, "Sangam World Cup Park apartments"),
        (37.5556, 126.9063, "Mangwon Market"),
    ],
)
def test_neighbourhoods_around_the_parks_are_habitable(lat: float, lng: float, where: str) -> None:
    assert habitable(Point(lat, lng)), where
