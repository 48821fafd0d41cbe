"""What site planning reads of hubs: open hubs with their warehouse area and zone kinds,
spaces that are hubs, served cells and the regions a user operates a hub in."""

from __future__ import annotations

import h3
from django.conf import settings

from hyperlocal.hubs.models import Hub, ServiceAreaCell, Zone
from hyperlocal.hubs.services import (
    hub_of_space,
    open_hubs_for_planning,
    region_ids_operated_by,
    served_cells,
    slug_taken,
    space_ids_with_hubs,
)
from hyperlocal.regions.models import Region
from tests.factories import HubFactory, UserFactory, ZoneFactory
from tests.planning.helpers import dong_cells, space


def test_open_hubs_with_their_warehouse_and_zone_kinds(mapo: Region) -> None:
    seogyo = Region.objects.get(code="1144066000")
    open_hub = HubFactory(slug="b-open", region=seogyo, status=Hub.Status.OPEN)
    ZoneFactory(hub=open_hub, kind=Zone.Kind.WAREHOUSE, area_m2=100)
    ZoneFactory(hub=open_hub, kind=Zone.Kind.WAREHOUSE, area_m2=50)
    ZoneFactory(hub=open_hub, kind=Zone.Kind.POPUP_BAY, area_m2=20)
    bare = HubFactory(slug="a-bare", region=mapo, status=Hub.Status.OPEN)
    HubFactory(slug="closed", region=seogyo, status=Hub.Status.CLOSED)
    found = open_hubs_for_planning([mapo.pk, seogyo.pk])
    assert [h.slug for h in found] == ["a-bare", "b-open"]
    assert (found[1].warehouse_m2, found[1].zone_kinds) == (150, frozenset({"warehouse", "popup_bay"}))
    assert (found[0].warehouse_m2, found[0].zone_kinds, found[0].floor_area_m2) == (0, frozenset(), 400)
    assert [h.slug for h in open_hubs_for_planning([seogyo.pk])] == ["b-open"]
    assert bare.pk


def test_spaces_that_are_hubs_and_slugs(mapo: Region) -> None:
    (a,) = dong_cells(count=1)
    taken, free = space("Taken", a), space("Free", a)
    hub = HubFactory(slug="taken", vacant_space=taken, status=Hub.Status.PLANNED)
    assert space_ids_with_hubs() == {taken.pk}
    assert hub_of_space(taken.pk) == hub
    assert hub_of_space(free.pk) is None
    assert (slug_taken("taken"), slug_taken("free")) == (True, False)


def test_served_cells_are_those_of_open_hubs(mapo: Region) -> None:
    a, b, c = dong_cells(count=3)
    open_hub = HubFactory(status=Hub.Status.OPEN)
    paused = HubFactory(status=Hub.Status.PAUSED)
    ServiceAreaCell.objects.create(hub=open_hub, cell=a, travel_minutes=3)
    ServiceAreaCell.objects.create(hub=paused, cell=b, travel_minutes=3)
    assert served_cells([a, b, c]) == {a}
    assert served_cells([]) == set()
    parent = h3.cell_to_parent(a, settings.SERVICE_AREA_RESOLUTION - 1)
    assert served_cells([parent], resolution=settings.SERVICE_AREA_RESOLUTION - 1) == {parent}


def test_regions_a_user_operates_in(mapo: Region) -> None:
    seogyo = Region.objects.get(code="1144066000")
    user, nobody = UserFactory(), UserFactory()
    HubFactory(region=seogyo, status=Hub.Status.PLANNED).operators.add(user)
    assert region_ids_operated_by(user) == {seogyo.pk}
    assert region_ids_operated_by(nobody) == set()
