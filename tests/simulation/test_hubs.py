"""The open hubs: converted vacant spaces with zones, hours, service areas and couriers."""

from __future__ import annotations

from collections import Counter
from datetime import time

from django.db.models import Sum

from hyperlocal.accounts.roles import Role
from hyperlocal.dispatch.models import Courier
from hyperlocal.hubs.models import CourierMode, Hub, Zone
from hyperlocal.hubs.services import hubs_serving
from hyperlocal.planning.models import VacantSpace
from hyperlocal.simulation.demo import DEMO_HOME, BuildOutcome
from hyperlocal.simulation.demo.hubs import MIN_HUB_AREA_M2, zone_plan
from hyperlocal.simulation.demo.people import login_for


def test_four_open_hubs_made_from_vacant_spaces(city: BuildOutcome) -> None:
    hubs = list(Hub.objects.select_related("vacant_space", "region"))
    assert len(hubs) == 4
    assert len({h.slug for h in hubs}) == 4
    for hub in hubs:
        space = hub.vacant_space
        assert isinstance(space, VacantSpace)
        assert (hub.lat, hub.lng, hub.floor_area_m2) == (space.lat, space.lng, space.floor_area_m2)
        assert hub.region_id == space.region_id
        assert hub.floor_area_m2 >= MIN_HUB_AREA_M2
        assert hub.status == Hub.Status.OPEN
        assert (hub.promise_minutes, hub.prep_minutes, hub.courier_mode) == (30, 10, CourierMode.BIKE)
        assert hub.name.endswith(" Hub")
        assert " 허브 " in hub.name
        assert hub.address == space.address


def test_zones_fit_the_floor_and_follow_the_space(city: BuildOutcome) -> None:
    for hub in Hub.objects.select_related("vacant_space"):
        zones = list(hub.zones.all())
        total = hub.zones.aggregate(total=Sum("area_m2"))["total"]
        assert total <= hub.floor_area_m2
        warehouse = next(z for z in zones if z.kind == Zone.Kind.WAREHOUSE)
        assert warehouse.area_m2 == hub.floor_area_m2 * 55 // 100
        kinds = Counter(z.kind for z in zones)
        assert kinds[Zone.Kind.COMMUNITY_ROOM] == 1  # every hub space can hold community rooms
        assert kinds[Zone.Kind.POPUP_BAY] >= 1
        assert (kinds[Zone.Kind.STAY_ROOM] > 0) == bool(hub.vacant_space and hub.vacant_space.can_stay)
        assert all(z.area_m2 > 0 and z.capacity > 0 for z in zones)


def test_zone_plan_for_a_space_that_can_hold_everything() -> None:
    space = VacantSpace(floor_area_m2=1000, can_community=True, can_popup=True, can_stay=True)
    plan = zone_plan(space)
    assert sum(z.area_m2 for z in plan) <= 1000
    assert [z.kind for z in plan].count(Zone.Kind.POPUP_BAY) == 6
    assert [z.kind for z in plan].count(Zone.Kind.STAY_ROOM) == 4
    assert len({z.name for z in plan}) == len(plan)


def test_hubs_open_every_day_and_serve_the_district(city: BuildOutcome) -> None:
    for hub in Hub.objects.all():
        hours = list(hub.opening_hours.values_list("weekday", "opens_at", "closes_at"))
        assert hours == [(day, time(7, 0), time(0, 0)) for day in range(7)]
        assert hub.service_cells.count() > 0
        assert hub.service_area_computed_at is not None
    # The demo resident, by Mangwon Market, can order from at least one hub.
    assert hubs_serving(DEMO_HOME)


def test_the_demo_operator_runs_two_hubs(city: BuildOutcome) -> None:
    operated = Hub.objects.filter(operators__username=login_for(Role.HUB_OPERATOR).username)
    assert operated.count() == 2


def test_six_couriers_per_hub_on_bikes_and_scooters(city: BuildOutcome) -> None:
    couriers = list(Courier.objects.select_related("user"))
    assert len(couriers) == 24
    assert Counter(c.home_hub_id for c in couriers) == dict.fromkeys(
        Hub.objects.values_list("pk", flat=True), 6
    )
    assert Counter(c.mode for c in couriers) == {CourierMode.BIKE: 16, CourierMode.SCOOTER: 8}
    for courier in couriers:
        assert courier.user.groups.filter(name=str(Role.COURIER)).exists()
        assert courier.capacity_items >= (16 if courier.mode == CourierMode.SCOOTER else 8)
        assert courier.user.display_name
    assert sum(c.user.has_usable_password() for c in couriers) == 1  # only the demo login
