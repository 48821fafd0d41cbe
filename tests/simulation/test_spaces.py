"""Candidate vacant spaces: kinds, sizes, rents and places."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.utils import timezone

from hyperlocal.geo import Point, point_in_geometry
from hyperlocal.planning.models import VacantSpace
from hyperlocal.regions.models import Region
from hyperlocal.regions.services import MAPO_CODE, find_region
from hyperlocal.simulation.demo import BuildOutcome
from hyperlocal.simulation.demo.parks import habitable
from hyperlocal.simulation.demo.spaces import KINDS, RENT_RANGE


def test_150_spaces_of_every_kind(city: BuildOutcome) -> None:
    spaces = list(VacantSpace.objects.select_related("region"))
    assert len(spaces) == 150
    assert Counter(s.kind for s in spaces) == {kind: spec.count for kind, spec in KINDS.items()}
    assert len({s.external_id for s in spaces}) == 150
    today = timezone.localdate()
    for space in spaces:
        low, high = KINDS[space.kind].area_m2
        assert low <= space.floor_area_m2 <= high
        # Rents are rounded to 10,000 won; per m² they stay within Mapo's range.
        slack = 5_000 / space.floor_area_m2
        assert RENT_RANGE[0] - slack <= space.monthly_rent_won / space.floor_area_m2 <= RENT_RANGE[1] + slack
        assert space.monthly_rent_won % 10_000 == 0
        assert today - timedelta(days=90) <= space.available_from <= today + timedelta(days=180)
        assert space.can_warehouse
        point = Point(space.lat, space.lng)
        assert habitable(point)
        assert point_in_geometry(point, space.region.boundary or {})
        found = find_region(point)
        assert found is not None
        assert found.pk == space.region_id


def test_spaces_follow_households(city: BuildOutcome) -> None:
    # Denser dongs get more spaces: the busiest half of the dongs holds most of them.
    per_dong = Counter(VacantSpace.objects.values_list("region_id", flat=True))
    dongs = sorted(Region.objects.filter(parent__code=MAPO_CODE), key=lambda d: d.households or 0)
    busy = dongs[len(dongs) // 2 :]
    assert sum(per_dong[d.pk] for d in busy) > 75
