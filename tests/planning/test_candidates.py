"""Candidate sites: the region's vacant spaces that can still become hubs, filtered by date
and zone kind, and its open hubs fixed open."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hyperlocal.errors import InvalidInput
from hyperlocal.hubs.models import Hub, Zone
from hyperlocal.planning.models import ZoneSplitRule
from hyperlocal.planning.services import Candidate, candidate_sites, clean_parameters, zone_rule_for
from hyperlocal.regions.models import Region, RegionCell
from tests.factories import HubFactory, ZoneFactory
from tests.planning.helpers import DONG, dong_cells, space


def candidates(region: str = "11440", **raw: Any) -> list[Candidate]:
    place = Region.objects.get(code=region)
    return candidate_sites(place, clean_parameters({"region_code": region, **raw}), zone_rule_for(place))


def other_dong_cell() -> RegionCell:
    cell = RegionCell.objects.exclude(region__code=DONG).order_by("cell").first()
    assert cell is not None
    return cell


def test_spaces_of_the_region_that_are_not_hubs(mapo: Region) -> None:
    a, b, c = dong_cells(count=3)
    shop = space("Shop", a, rent=2_000_000, area=300, can_popup=True)
    space("Store room", b, can_warehouse=False)  # cannot hold a warehouse
    taken = space("Taken", c)
    HubFactory(vacant_space=taken, lat=taken.lat, lng=taken.lng)
    elsewhere = other_dong_cell()
    far = space("Far", elsewhere.cell, code=elsewhere.region.code)
    found = candidates(include_existing_hubs=False)
    assert [c.key for c in found] == [f"space:{shop.pk}", f"space:{far.pk}"]
    first = found[0]
    assert (first.name, first.address, first.lat, first.lng) == ("Shop", "Shop street", shop.lat, shop.lng)
    assert (first.floor_area_m2, first.monthly_rent_won, first.capacity_per_day) == (
        300,
        2_000_000,
        165 * 2.0,
    )
    assert (first.existing, first.space_id, first.hub_slug) == (False, shop.pk, None)
    assert (first.can_community, first.can_popup, first.can_stay) == (False, True, False)
    assert [c.key for c in candidates(region=DONG, include_existing_hubs=False)] == [f"space:{shop.pk}"]


def test_capacity_follows_the_districts_rule(mapo: Region) -> None:
    (a,) = dong_cells(count=1)
    space("Shop", a, area=1000)
    ZoneSplitRule.objects.create(region=mapo, warehouse_bp=4000, orders_per_warehouse_m2=0.5)
    assert candidates(region=DONG)[0].capacity_per_day == 400 * 0.5


def test_filters_by_date_and_zone_kind(mapo: Region) -> None:
    a, b, c = dong_cells(count=3)
    early = space("Early", a, available=date(2025, 1, 1), can_stay=True)
    late = space("Late", b, available=date(2025, 9, 1), can_community=True)
    popup = space("Popup", c, available=date(2025, 3, 1), can_popup=True)
    assert [c.key for c in candidates(available_by="2025-03-01")] == [
        f"space:{early.pk}",
        f"space:{popup.pk}",
    ]
    assert [c.key for c in candidates(zone_kind="community")] == [f"space:{late.pk}"]
    # Without available_by every space is proposed, each with the day it becomes available.
    assert [(c.key, c.available_from) for c in candidates()] == [
        (f"space:{early.pk}", date(2025, 1, 1)),
        (f"space:{late.pk}", date(2025, 9, 1)),
        (f"space:{popup.pk}", date(2025, 3, 1)),
    ]
    assert [c.key for c in candidates(zone_kind="stay", available_by="2025-12-31")] == [f"space:{early.pk}"]
    with pytest.raises(InvalidInput) as exc:
        candidates(zone_kind="community", available_by="2025-06-01")
    assert exc.value.field == "zone_kind"
    assert "available by 2025-06-01 and can hold community rooms" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        candidates(available_by="2024-06-01")
    assert exc.value.field == "available_by"


def test_no_space_at_all(mapo: Region) -> None:
    HubFactory(status=Hub.Status.OPEN)
    with pytest.raises(InvalidInput) as exc:
        candidates()
    assert exc.value.field == "region_code"
    assert "no vacant space" in exc.value.message


def test_open_hubs_come_after_the_spaces_fixed_open(mapo: Region) -> None:
    (a,) = dong_cells(count=1)
    shop = space("Shop", a)
    open_hub = HubFactory(slug="b-hub", status=Hub.Status.OPEN, floor_area_m2=500)
    ZoneFactory(hub=open_hub, kind=Zone.Kind.WAREHOUSE, area_m2=100)
    ZoneFactory(hub=open_hub, kind=Zone.Kind.WAREHOUSE, area_m2=50)
    ZoneFactory(hub=open_hub, kind=Zone.Kind.STAY_ROOM, area_m2=20)
    bare = HubFactory(slug="a-hub", status=Hub.Status.OPEN, floor_area_m2=200)  # no zones yet
    HubFactory(slug="paused", status=Hub.Status.PAUSED)
    found = candidates()
    assert [c.key for c in found] == [f"space:{shop.pk}", "hub:a-hub", "hub:b-hub"]
    by_key = {c.key: c for c in found}
    hub = by_key["hub:b-hub"]
    assert (hub.existing, hub.monthly_rent_won, hub.hub_slug, hub.name) == (
        True,
        None,
        "b-hub",
        open_hub.name,
    )
    assert hub.capacity_per_day == 150 * 2.0
    assert (hub.can_stay, hub.can_popup, hub.can_community) == (True, False, False)
    assert by_key["hub:a-hub"].capacity_per_day == 110 * 2.0  # as if split by the rule
    assert by_key["hub:a-hub"].floor_area_m2 == bare.floor_area_m2
    assert [c.key for c in candidates(include_existing_hubs=False)] == [f"space:{shop.pk}"]
