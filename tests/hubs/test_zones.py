"""Zones share the hub's floor area."""

from __future__ import annotations

from typing import Any

import pytest

from hyperlocal.accounts.models import User
from hyperlocal.errors import Conflict, InvalidInput, NotAllowed
from hyperlocal.hubs.models import Hub, Zone
from hyperlocal.hubs.services import add_zone, delete_zone, update_hub, update_zone


def zone(**overrides: Any) -> dict[str, Any]:
    return {"kind": "warehouse", "name": "Dark store", "area_m2": 250, "capacity": 400, **overrides}


def test_operator_adds_zones_up_to_the_floor_area(hub: Hub, operator: User) -> None:
    add_zone(operator, hub, **zone())
    add_zone(operator, hub, **zone(kind="community_room", name="Living room", area_m2=150, capacity=30))
    assert sum(hub.zones.values_list("area_m2", flat=True)) == hub.floor_area_m2 == 400
    with pytest.raises(InvalidInput) as err:
        add_zone(operator, hub, **zone(kind="popup_bay", name="Bay 1", area_m2=1, capacity=1))
    assert err.value.field == "area_m2"
    assert hub.zones.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"area_m2": -10}, "area_m2"),
        ({"area_m2": 0}, "area_m2"),
        ({"area_m2": 401}, "area_m2"),
        ({"area_m2": 10.5}, "area_m2"),
        ({"capacity": -1}, "capacity"),
        ({"kind": "ballroom"}, "kind"),
        ({"name": " "}, "name"),
    ],
)
def test_bad_zones_are_refused_by_field(
    hub: Hub, operator: User, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        add_zone(operator, hub, **zone(**overrides))
    assert err.value.field == field
    assert not hub.zones.exists()


def test_zone_names_are_unique_per_hub(hub: Hub, operator: User) -> None:
    add_zone(operator, hub, **zone(area_m2=10))
    with pytest.raises(Conflict) as err:
        add_zone(operator, hub, **zone(area_m2=10))
    assert err.value.field == "name"


def test_update_and_delete_zones(hub: Hub, operator: User) -> None:
    store = add_zone(operator, hub, **zone(area_m2=200))
    room = add_zone(operator, hub, **zone(kind="stay_room", name="Room 1", area_m2=100, capacity=2))
    update_zone(operator, store, area_m2=300)  # 300 + 100 = 400: still fits
    with pytest.raises(InvalidInput):
        update_zone(operator, room, area_m2=101)
    room.refresh_from_db()
    assert room.area_m2 == 100
    delete_zone(operator, room)
    assert list(hub.zones.all()) == [store]


def test_zones_of_a_hub_one_does_not_run_are_out_of_reach(hub: Hub, other_hub: Hub, operator: User) -> None:
    with pytest.raises(NotAllowed):
        add_zone(operator, other_hub, **zone())
    theirs = Zone.objects.create(hub=other_hub, **zone())
    with pytest.raises(NotAllowed):
        update_zone(operator, theirs, capacity=1)
    with pytest.raises(NotAllowed):
        delete_zone(operator, theirs)
    assert Zone.objects.filter(pk=theirs.pk, capacity=400).exists()


def test_floor_area_cannot_shrink_below_the_zones(hub: Hub, operator: User) -> None:
    add_zone(operator, hub, **zone(area_m2=300))
    with pytest.raises(InvalidInput) as err:
        update_hub(operator, hub, floor_area_m2=299)
    assert err.value.field == "floor_area_m2"
    update_hub(operator, hub, floor_area_m2=300)
