"""Same seed, same city; another seed, another city. And the full scale the issue asks for."""

from __future__ import annotations

from collections import Counter

import pytest

from hyperlocal.accounts.models import Household
from hyperlocal.catalog.models import Product
from hyperlocal.hubs.models import Hub
from hyperlocal.planning.models import PopulationCell, VacantSpace
from hyperlocal.regions.models import Region
from hyperlocal.regions.services import MAPO_CODE
from hyperlocal.simulation.demo import DEFAULT_HOUSEHOLDS, build_demo
from hyperlocal.simulation.demo.households import SOURCE

SMALL = 400


def snapshot() -> dict[str, list[tuple[object, ...]]]:
    return {
        "homes": list(
            Household.objects.filter(source=SOURCE)
            .order_by("external_id")
            .values_list("external_id", "lat", "lng", "size", "region__code", "address")
        ),
        "products": list(
            Product.objects.order_by("merchant__slug", "sku").values_list(
                "merchant__slug", "sku", "name_ko", "price_won", "barcode"
            )
        ),
        "spaces": list(
            VacantSpace.objects.order_by("external_id").values_list(
                "external_id", "lat", "lng", "kind", "floor_area_m2", "monthly_rent_won"
            )
        ),
        "hubs": list(Hub.objects.order_by("slug").values_list("slug", "lat", "lng", "floor_area_m2")),
        "grid": list(
            PopulationCell.objects.order_by("cell").values_list(
                "cell", "region__code", "population", "households"
            )
        ),
    }


@pytest.mark.django_db
def test_same_seed_same_city_other_seed_other_city() -> None:
    build_demo(seed=123, households=SMALL)
    first = snapshot()
    build_demo(seed=123, households=SMALL, force=True)
    assert snapshot() == first
    build_demo(seed=124, households=SMALL, force=True)
    other = snapshot()
    for part in ("homes", "products", "spaces", "grid"):
        assert other[part] != first[part], part
    first_coords = {(lat, lng) for _, lat, lng, *_ in first["homes"]}
    assert not first_coords & {(lat, lng) for _, lat, lng, *_ in other["homes"]}


@pytest.mark.django_db
def test_default_scale_meets_the_issue() -> None:
    # The issue's minimums: at least 20,000 households, 150 spaces, 4 hubs, 30 merchants, 300 products.
    assert DEFAULT_HOUSEHOLDS >= 20_000
    build_demo(seed=20240601)
    assert Household.objects.filter(source=SOURCE).count() == DEFAULT_HOUSEHOLDS
    assert VacantSpace.objects.count() == 150
    assert Hub.objects.filter(status=Hub.Status.OPEN).count() == 4
    assert Product.objects.count() == 300
    per_dong = Counter(Household.objects.filter(source=SOURCE).values_list("region__code", flat=True))
    dongs = Region.objects.filter(parent__code=MAPO_CODE)
    registered = sum(d.households or 0 for d in dongs)
    for dong in dongs:
        share = per_dong[dong.code] / DEFAULT_HOUSEHOLDS
        assert share == pytest.approx((dong.households or 0) / registered, abs=0.0005), dong.name_ko
