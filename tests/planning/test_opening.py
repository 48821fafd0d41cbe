"""Opening a space a plan chose as a hub: platform admins only; the hub takes the space's
place and floor, the plan's promise and mode, zones split by the district's rule and a
computed service area; refusals (not chosen, not done, already a hub, bad values) write
nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django.utils.text import slugify

from hyperlocal.accounts.models import User
from hyperlocal.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hyperlocal.hubs.models import Hub, ServiceAreaCell, Zone
from hyperlocal.planning.models import SitePlan, VacantSpace, ZoneSplitRule
from hyperlocal.planning.services import opening
from hyperlocal.planning.services.zoning import split_zones
from hyperlocal.regions.models import Region
from tests.factories import HubFactory
from tests.planning.plan_helpers import (
    SmallWorld,
    done_plan,
    operator,
    platform_admin,
    site_json,
    small_world,
)


@pytest.fixture
def world(mapo: Region) -> SmallWorld:
    return small_world()


@pytest.fixture
def admin(db: None) -> User:
    return platform_admin()


@pytest.fixture
def plan(world: SmallWorld) -> SitePlan:
    """The plan chose the first two spaces (ride promise 12 minutes by scooter)."""
    return done_plan(
        [site_json(world.spaces[0]), site_json(world.spaces[1])], [], promise_minutes=12, mode="scooter"
    )


def nothing_written() -> bool:
    """No hub was opened (an operator's own planned hub, made by ``operator()``, aside)."""
    opened = Hub.objects.exclude(status=Hub.Status.PLANNED, vacant_space__isnull=True)
    return not opened.exists() and not Zone.objects.exists() and not ServiceAreaCell.objects.exists()


def test_a_chosen_space_opens_as_a_hub_with_zones_and_a_service_area(
    world: SmallWorld, plan: SitePlan, admin: User
) -> None:
    space = world.spaces[0]  # can hold community rooms and pop-up bays, not stays
    hub = opening.open_site(admin, plan, space.pk)
    hub.refresh_from_db()
    assert hub.vacant_space == space
    assert (hub.name, hub.slug) == ("Seogyo Corner", "seogyo-corner")
    assert (hub.address, hub.lat, hub.lng) == (space.address, space.lat, space.lng)
    assert hub.floor_area_m2 == space.floor_area_m2
    assert hub.status == Hub.Status.OPEN
    # The plan's 12-minute ride plus the pick-and-pack time.
    assert hub.promise_minutes == 12 + hub.prep_minutes
    assert hub.courier_mode == "scooter"
    assert hub.service_area_computed_at is not None
    assert hub.service_cells.filter(cell=world.cells[0]).exists()
    expected = split_zones(space.floor_area_m2, ZoneSplitRule(), community=True, popup=True, stay=False)
    got = [(z.kind, z.name, z.area_m2, z.capacity) for z in hub.zones.order_by("pk")]
    assert got == [(z.kind, z.name, z.area_m2, z.capacity) for z in expected]
    kinds = {z.kind for z in hub.zones.all()}
    assert Zone.Kind.WAREHOUSE in kinds
    assert Zone.Kind.STAY_ROOM not in kinds
    assert sum(z.area_m2 for z in hub.zones.all()) <= space.floor_area_m2


def test_the_district_s_rule_splits_the_floor(world: SmallWorld, plan: SitePlan, admin: User) -> None:
    ZoneSplitRule.objects.create(
        region=Region.objects.get(code="11440"), warehouse_bp=8000, community_bp=0, popup_bp=0, stay_bp=2000
    )
    space = world.spaces[1]  # 300 m², can hold stays
    hub = opening.open_site(admin, plan, space.pk, name="와우산 허브", slug="wausan", promise_minutes=20)
    assert (hub.name, hub.slug, hub.promise_minutes) == ("와우산 허브", "wausan", 20)
    warehouse = hub.zones.get(kind=Zone.Kind.WAREHOUSE)
    assert warehouse.area_m2 == 240
    assert hub.zones.filter(kind=Zone.Kind.STAY_ROOM).exists()


def test_only_a_platform_admin_opens_a_site(world: SmallWorld, plan: SitePlan) -> None:
    with pytest.raises(NotAllowed):
        opening.open_site(operator(), plan, world.spaces[0].pk)
    assert nothing_written()


def test_only_a_new_site_of_a_done_plan_opens(world: SmallWorld, plan: SitePlan, admin: User) -> None:
    with pytest.raises(InvalidInput) as exc:
        opening.open_site(admin, plan, world.spaces[2].pk)  # not chosen
    assert exc.value.field == "space_id"
    running = SitePlan.objects.create(
        region=plan.region, parameters=plan.parameters, status=SitePlan.Status.RUNNING
    )
    with pytest.raises(Conflict, match="not done"):
        opening.open_site(admin, running, world.spaces[0].pk)
    assert nothing_written()


def test_a_space_already_a_hub_is_a_conflict(world: SmallWorld, plan: SitePlan, admin: User) -> None:
    first = opening.open_site(admin, plan, world.spaces[0].pk)
    with pytest.raises(Conflict) as exc:
        opening.open_site(admin, plan, world.spaces[0].pk, slug="another")
    assert exc.value.code == "already_a_hub"
    assert list(Hub.objects.all()) == [first]


def test_a_refused_value_or_a_failing_zone_leaves_nothing_behind(
    world: SmallWorld, plan: SitePlan, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InvalidInput):
        opening.open_site(admin, plan, world.spaces[0].pk, promise_minutes=5)  # shorter than pick and pack
    with pytest.raises(InvalidInput):
        opening.open_site(admin, plan, world.spaces[0].pk, courier_mode="rocket")
    assert nothing_written()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise InvalidInput("no room for that zone", field="area_m2")

    monkeypatch.setattr(opening, "add_zone", broken)
    with pytest.raises(InvalidInput):
        opening.open_site(admin, plan, world.spaces[0].pk)
    assert nothing_written()


def test_slugs_are_made_from_the_name_or_the_space_id(world: SmallWorld, plan: SitePlan, admin: User) -> None:
    space = world.spaces[0]
    HubFactory(slug="seogyo-corner")
    assert opening.default_slug(space) == f"seogyo-corner-{space.pk}"
    space.name = "서교 코너 045"  # no Latin letters: its slug would be "045"
    area = slugify(space.region.name_en)
    assert area
    assert opening.default_slug(space) == f"{area}-{space.pk}"
    space.save()
    hub = opening.open_site(admin, plan, space.pk)
    assert (hub.name, hub.slug) == ("서교 코너 045", f"{area}-{space.pk}")
    space.region.name_en = ""
    assert opening.default_slug(space) == f"space-{space.pk}"


def test_a_deleted_space_is_not_found(world: SmallWorld, plan: SitePlan, admin: User) -> None:
    world.spaces[1].delete()
    with pytest.raises(NotFound):
        opening.open_site(admin, plan, plan.result["sites"][1]["space_id"])  # type: ignore[index]


def test_spaces_are_listed_with_whether_each_is_a_hub(world: SmallWorld, plan: SitePlan, admin: User) -> None:
    opening.open_site(admin, plan, world.spaces[0].pk)
    listed = {s.name: s.is_hub for s in opening.list_spaces()}  # type: ignore[attr-defined]
    assert listed == {"Seogyo Corner": True, "Wausan Lane": False, "Hongdae Basement": False}
    assert [s.name for s in opening.list_spaces(open_only=True)] == ["Hongdae Basement", "Wausan Lane"]
    seogyo = Region.objects.get(code="1144066000")
    assert len(opening.list_spaces(region=seogyo)) == 3
    assert len(opening.list_spaces(region=Region.objects.get(code="11440"), limit=1)) == 1


def test_a_space_not_yet_available_opens_as_a_planned_hub(
    world: SmallWorld, plan: SitePlan, admin: User
) -> None:
    later_space, free_space = world.spaces[0], world.spaces[1]
    VacantSpace.objects.filter(pk=later_space.pk).update(
        available_from=timezone.localdate() + timedelta(days=30)
    )
    VacantSpace.objects.filter(pk=free_space.pk).update(available_from=timezone.localdate())
    planned = opening.open_site(admin, plan, later_space.pk)
    assert (planned.vacant_space_id, planned.status) == (later_space.pk, Hub.Status.PLANNED)
    assert planned.zones.exists()
    assert planned.service_cells.exists()
    assert opening.open_site(admin, plan, free_space.pk).status == Hub.Status.OPEN  # free from today
