"""create_hub / update_hub: who may, which input is refused, when the area is recomputed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from hyperlocal.accounts.models import User
from hyperlocal.errors import Conflict, InvalidInput, NotAllowed
from hyperlocal.hubs.errors import ServiceAreaUnavailable
from hyperlocal.hubs.models import Hub, ServiceAreaCell
from hyperlocal.hubs.services import can_operate, create_hub, update_hub
from hyperlocal.regions.models import Region
from tests.factories import HONGDAE, UserFactory
from tests.hubs.conftest import DOWN_OSRM, hub_fields


def test_platform_admin_opens_a_hub_with_its_region_and_area(hub: Hub, operator: User) -> None:
    assert hub.region.code.startswith("11440")
    assert hub.region.level == "dong"
    assert hub.cell
    assert hub.service_cells.count() > 100
    assert list(hub.operators.all()) == [operator]


def test_only_platform_admins_open_hubs(mapo: Region, operator: User, superuser: User) -> None:
    with pytest.raises(NotAllowed):
        create_hub(operator, **hub_fields())
    assert not Hub.objects.exists()
    assert create_hub(superuser, **hub_fields()).pk is not None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"lat": 91}, "lat"),
        ({"lng": -181}, "lng"),
        ({"lat": "abc"}, "lat"),
        ({"lng": float("nan")}, "lng"),
        ({"lat": 35.1796, "lng": 129.0756}, "lat"),  # Busan: outside every region served
        ({"floor_area_m2": 0}, "floor_area_m2"),
        ({"floor_area_m2": -50}, "floor_area_m2"),
        ({"floor_area_m2": 120.5}, "floor_area_m2"),
        ({"promise_minutes": 10, "prep_minutes": 10}, "promise_minutes"),
        ({"promise_minutes": 500}, "promise_minutes"),
        ({"prep_minutes": -1}, "prep_minutes"),
        ({"courier_mode": "rocket"}, "courier_mode"),
        ({"status": "exploded"}, "status"),
        ({"slug": "no spaces"}, "slug"),
        ({"name": ""}, "name"),
        ({"address": "x\x00y"}, "address"),
        ({"operators": ["nobody"]}, "operators"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_refused_by_field_and_writes_nothing(
    mapo: Region, platform_admin: User, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        create_hub(platform_admin, **hub_fields(**overrides))
    assert err.value.field == field
    assert not Hub.objects.exists()


def test_numeric_strings_are_read_as_coordinates(mapo: Region, platform_admin: User) -> None:
    hub = create_hub(platform_admin, **hub_fields(lat=" 37.5663", lng="126.9019"))
    assert (hub.lat, hub.lng) == (37.5663, 126.9019)


def test_duplicate_slug_is_a_conflict(hub: Hub, platform_admin: User) -> None:
    with pytest.raises(Conflict) as err:
        create_hub(platform_admin, **hub_fields(name="Another"))
    assert err.value.field == "slug"
    assert Hub.objects.count() == 1


def test_can_operate(hub: Hub, other_hub: Hub, operator: User, platform_admin: User) -> None:
    assert can_operate(operator, hub)
    assert not can_operate(operator, other_hub)
    assert can_operate(platform_admin, other_hub)
    assert not can_operate(UserFactory(), hub)


def test_an_operator_cannot_change_a_hub_they_do_not_run(other_hub: Hub, operator: User) -> None:
    with pytest.raises(NotAllowed):
        update_hub(operator, other_hub, name="Mine now", promise_minutes=45)
    other_hub.refresh_from_db()
    assert (other_hub.name, other_hub.promise_minutes) == ("Hongdae Hub", 30)


def test_operators_cannot_reassign_operators(hub: Hub, operator: User) -> None:
    with pytest.raises(NotAllowed) as err:
        update_hub(operator, hub, operators=[])
    assert err.value.field == "operators"


def cells(hub: Hub) -> set[str]:
    return set(ServiceAreaCell.objects.filter(hub=hub).values_list("cell", flat=True))


def test_changing_the_promise_recomputes_the_area(hub: Hub, operator: User) -> None:
    before, stamp = cells(hub), hub.service_area_computed_at
    update_hub(operator, hub, promise_minutes=40)
    hub.refresh_from_db()
    assert hub.service_area_computed_at != stamp
    assert hub.service_area_signature.startswith("bike:30:")
    assert cells(hub) > before
    assert max(hub.service_cells.values_list("travel_minutes", flat=True)) <= 30


@pytest.mark.parametrize(
    "change",
    [{"courier_mode": "walk"}, {"prep_minutes": 5}, {"lat": HONGDAE.lat, "lng": HONGDAE.lng}],
)
def test_mode_prep_and_point_changes_recompute(hub: Hub, operator: User, change: dict[str, Any]) -> None:
    stamp = hub.service_area_computed_at
    update_hub(operator, hub, **change)
    hub.refresh_from_db()
    assert hub.service_area_computed_at != stamp
    assert not hub.service_area_signature.startswith("bike:20:37.566300,126.901900")


def test_changing_the_name_does_not_recompute(hub: Hub, operator: User) -> None:
    stamp, signature, before = hub.service_area_computed_at, hub.service_area_signature, cells(hub)
    update_hub(operator, hub, name="Renamed", address="새 주소", status="paused", promise_minutes=30)
    hub.refresh_from_db()
    assert hub.name == "Renamed"
    assert hub.status == "paused"
    assert hub.service_area_computed_at == stamp
    assert hub.service_area_signature == signature
    assert cells(hub) == before


def test_moving_a_hub_outside_every_region_is_refused(hub: Hub, operator: User) -> None:
    with pytest.raises(InvalidInput) as err:
        update_hub(operator, hub, lat=35.1796, lng=129.0756)
    assert err.value.field == "lat"
    hub.refresh_from_db()
    assert hub.lat == 37.5663


def test_promise_must_stay_longer_than_prep(hub: Hub, operator: User) -> None:
    with pytest.raises(InvalidInput) as err:
        update_hub(operator, hub, prep_minutes=30)
    assert err.value.field == "prep_minutes"


def test_unavailable_travel_model_on_update_changes_nothing(hub: Hub, operator: User) -> None:
    before = cells(hub)
    with override_settings(TRAVEL_MODEL=DOWN_OSRM), pytest.raises(ServiceAreaUnavailable):
        update_hub(operator, hub, promise_minutes=45)
    hub.refresh_from_db()
    assert hub.promise_minutes == 30
    assert cells(hub) == before


def test_unavailable_travel_model_on_create_writes_no_hub(mapo: Region, platform_admin: User) -> None:
    with override_settings(TRAVEL_MODEL=DOWN_OSRM), pytest.raises(ServiceAreaUnavailable):
        create_hub(platform_admin, **hub_fields())
    assert not Hub.objects.exists()
