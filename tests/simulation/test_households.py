"""Demo households: inside their own dong, on land, in proportion to registered households."""

from __future__ import annotations

from collections import Counter

import pytest
from django.conf import settings

from hyperlocal.accounts.models import Household
from hyperlocal.geo import Point, cell_of, point_in_geometry
from hyperlocal.regions.models import Region, RegionCell
from hyperlocal.regions.services import MAPO_CODE, find_region
from hyperlocal.simulation.demo import BuildOutcome
from hyperlocal.simulation.demo.households import SOURCE, allocate
from hyperlocal.simulation.demo.parks import habitable
from tests.simulation.conftest import SMALL


def test_allocate_splits_exactly_and_in_proportion() -> None:
    assert allocate(10, [1, 1, 1]) == [4, 3, 3]
    assert allocate(0, [5, 7]) == [0, 0]
    counts = allocate(22_000, [12_360, 18_542, 9_372, 19_651])
    assert sum(counts) == 22_000
    assert abs(counts[1] / 22_000 - 18_542 / 59_925) < 1 / 22_000
    with pytest.raises(ValueError, match="weights"):
        allocate(3, [0, 0])


def test_households_are_in_their_dong_on_land_and_findable(city: BuildOutcome) -> None:
    homes = list(Household.objects.filter(source=SOURCE).select_related("region").order_by("external_id"))
    assert len(homes) == SMALL
    cell_region = dict(RegionCell.objects.values_list("cell", "region_id"))
    for n, home in enumerate(homes):
        point = Point(home.lat, home.lng)
        assert point_in_geometry(point, home.region.boundary or {}), home.external_id
        assert habitable(point), home.external_id
        assert cell_region[cell_of(point, settings.REGION_CELL_RESOLUTION)] == home.region_id
        if n % 10 == 0:  # the regions service agrees (one query each, so a sample)
            found = find_region(point)
            assert found is not None, home.external_id
            assert found.pk == home.region_id, home.external_id
        assert home.home_cell == cell_of(point, settings.NEIGHBOURHOOD_RESOLUTION)
        assert 1 <= home.size <= 4
        assert home.address.startswith(f"서울 마포구 {home.region.name_ko} ")
    ids = sorted(h.external_id for h in homes)
    assert ids[0] == "demo-000001"
    assert ids[-1] == f"demo-{SMALL:06d}"


def test_households_follow_registered_households_per_dong(city: BuildOutcome) -> None:
    dongs = list(Region.objects.filter(parent__code=MAPO_CODE).order_by("code"))
    assert len(dongs) == 16
    registered = sum(d.households or 0 for d in dongs)
    sampled = Counter(Household.objects.filter(source=SOURCE).values_list("region_id", flat=True))
    for dong in dongs:
        expected = SMALL * (dong.households or 0) / registered
        assert abs(sampled[dong.pk] - expected) < 1, dong.name_ko


def test_household_sizes_look_like_mapo(city: BuildOutcome) -> None:
    sizes = Counter(Household.objects.filter(source=SOURCE).values_list("size", flat=True))
    assert set(sizes) <= {1, 2, 3, 4}
    assert sizes[1] > sizes[2] > sizes[4]  # one-person households are the most common
    mean = sum(k * v for k, v in sizes.items()) / SMALL
    assert 1.8 < mean < 2.2  # Mapo registers 2.0 people per household
