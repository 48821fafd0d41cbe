"""The zone split of a new hub: the demo's split with the default rule, any rule's split
fits the floor, and who may change the rule."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperlocal.accounts.roles import Role, grant_role
from hyperlocal.errors import InvalidInput, NotAllowed
from hyperlocal.planning.models import VacantSpace, ZoneSplitRule
from hyperlocal.planning.services import (
    can_plan,
    daily_capacity,
    districts_planned_by,
    split_zones,
    update_zone_rule,
    zone_rule_for,
)
from hyperlocal.regions.models import Region
from tests.factories import HubFactory, UserFactory


def default_rule() -> ZoneSplitRule:
    return ZoneSplitRule()


def test_the_default_rule_on_a_400_m2_floor() -> None:
    zones = split_zones(400, default_rule(), community=True, popup=True, stay=True)
    assert [(z.kind, z.name, z.area_m2, z.capacity) for z in zones] == [
        ("warehouse", "창고 Warehouse", 220, 440),
        ("community_room", "커뮤니티룸 Community room", 60, 30),
        ("popup_bay", "팝업 베이 1 Pop-up bay 1", 20, 1),
        ("popup_bay", "팝업 베이 2 Pop-up bay 2", 20, 1),
        ("popup_bay", "팝업 베이 3 Pop-up bay 3", 20, 1),
        ("stay_room", "스테이 1 Stay room 1", 20, 2),
        ("stay_room", "스테이 2 Stay room 2", 20, 2),
    ]
    only_warehouse = split_zones(400, default_rule(), community=False, popup=False, stay=False)
    assert [(z.kind, z.area_m2) for z in only_warehouse] == [("warehouse", 220)]


@pytest.mark.parametrize("area", [300, 333, 480, 900, 1500, 4000])
@pytest.mark.parametrize(
    "flags", [(True, True, True), (True, True, False), (False, True, True), (True, False, True)]
)
def test_the_default_rule_splits_as_the_demo_city_did(area: int, flags: tuple[bool, bool, bool]) -> None:
    from hyperlocal.simulation.demo.hubs import zone_plan

    community, popup, stay = flags
    demo_space = VacantSpace(floor_area_m2=area, can_community=community, can_popup=popup, can_stay=stay)
    expected = [(str(z.kind), z.name, z.area_m2, z.capacity) for z in zone_plan(demo_space)]
    zones = split_zones(area, default_rule(), community=community, popup=popup, stay=stay)
    assert [(z.kind, z.name, z.area_m2, z.capacity) for z in zones] == expected


def test_a_changed_rule_changes_the_split() -> None:
    rule = ZoneSplitRule(warehouse_bp=4000, community_bp=0, popup_bp=3000, stay_bp=2000, popup_bay_m2=30)
    zones = split_zones(1000, rule, community=True, popup=True, stay=True)
    kinds = [z.kind for z in zones]
    assert kinds.count("community_room") == 0
    assert [z.area_m2 for z in zones if z.kind == "popup_bay"] == [50] * 6  # 300 m² in at most 6 bays
    assert [z.area_m2 for z in zones if z.kind == "stay_room"] == [50] * 4
    assert zones[0].area_m2 == 400


def test_small_floors_never_overflow() -> None:
    zones = split_zones(25, default_rule(), community=True, popup=True, stay=True)
    assert sum(z.area_m2 for z in zones) <= 25
    assert zones[0].kind == "warehouse"
    with pytest.raises(InvalidInput):
        split_zones(0, default_rule(), community=True, popup=True, stay=True)


@settings(max_examples=200, deadline=None)
@given(
    area=st.integers(1, 20_000),
    shares=st.lists(st.integers(0, 3000), min_size=3, max_size=3),
    warehouse=st.integers(1000, 10_000),
    bay=st.integers(1, 200),
    room=st.integers(1, 200),
    flags=st.tuples(st.booleans(), st.booleans(), st.booleans()),
)
def test_any_rule_fits_the_floor(
    area: int, shares: list[int], warehouse: int, bay: int, room: int, flags: tuple[bool, bool, bool]
) -> None:
    community, popup, stay = shares
    warehouse = min(warehouse, 10_000 - sum(shares))
    rule = ZoneSplitRule(
        warehouse_bp=max(warehouse, 0),
        community_bp=community,
        popup_bp=popup,
        stay_bp=stay,
        popup_bay_m2=bay,
        stay_room_m2=room,
    )
    zones = split_zones(area, rule, community=flags[0], popup=flags[1], stay=flags[2])
    assert sum(z.area_m2 for z in zones) <= area
    assert all(z.area_m2 > 0 and z.capacity >= 0 for z in zones)
    assert len({z.name for z in zones}) == len(zones)
    assert sum(z.kind == "popup_bay" for z in zones) <= 6
    assert sum(z.kind == "stay_room" for z in zones) <= 4
    if not flags[1]:
        assert all(z.kind != "popup_bay" for z in zones)


def test_daily_capacity() -> None:
    assert daily_capacity(400, default_rule()) == 440.0
    assert daily_capacity(999, ZoneSplitRule(warehouse_bp=5000, orders_per_warehouse_m2=1.5)) == 499 * 1.5


def test_the_rule_of_a_dong_is_its_districts(mapo: Region) -> None:
    dong = Region.objects.get(code="1144066000")
    rule = zone_rule_for(dong)
    assert rule.pk is None
    assert rule.region == mapo
    assert rule.warehouse_bp == 5500
    saved = ZoneSplitRule.objects.create(region=mapo, warehouse_bp=6000)
    assert zone_rule_for(dong) == saved
    assert zone_rule_for(mapo).warehouse_bp == 6000


@pytest.fixture
def admin(db: None) -> Any:
    user = UserFactory()
    grant_role(user, Role.PLATFORM_ADMIN)
    return user


def test_a_platform_admin_changes_the_rule(mapo: Region, admin: Any) -> None:
    rule = update_zone_rule(admin, mapo, warehouse_bp="6000", stay_bp=500, orders_per_warehouse_m2="1.5")
    assert rule.pk is not None
    stored = ZoneSplitRule.objects.get(region=mapo)
    assert (stored.warehouse_bp, stored.stay_bp, stored.community_bp) == (6000, 500, 1500)
    assert (stored.orders_per_warehouse_m2, stored.updated_by) == (1.5, admin)
    dong = Region.objects.get(code="1144066000")
    update_zone_rule(admin, dong, popup_bay_m2=25, stay_bp="")  # the district's rule; blank keeps
    stored.refresh_from_db()
    assert (stored.popup_bay_m2, stored.stay_bp) == (25, 500)
    assert ZoneSplitRule.objects.count() == 1


def test_hub_operators_may_in_their_district_and_residents_may_not(mapo: Region) -> None:
    dong = Region.objects.get(code="1144066000")
    runs_a_hub = UserFactory()
    HubFactory(region=dong).operators.add(runs_a_hub)  # a hub in one of Mapo's dongs
    update_zone_rule(runs_a_hub, mapo, stay_bp=700)
    update_zone_rule(runs_a_hub, dong, stay_bp=750)  # a dong: its district's rule
    role_only = UserFactory()
    grant_role(role_only, Role.HUB_OPERATOR)  # the role without a hub: no district
    resident = UserFactory()
    grant_role(resident, Role.RESIDENT)
    for user in (role_only, resident):
        with pytest.raises(NotAllowed):
            update_zone_rule(user, mapo, stay_bp=600)
    assert ZoneSplitRule.objects.get(region=mapo).stay_bp == 750


def test_an_operator_plans_only_the_district_of_a_hub_they_run(mapo: Region, admin: Any) -> None:
    jongno = Region.objects.create(code="11110", name_ko="종로구", level=Region.Level.DISTRICT)
    sajik = Region.objects.create(code="1111053000", name_ko="사직동", level=Region.Level.DONG, parent=jongno)
    mapo_operator, jongno_operator, role_only = UserFactory(), UserFactory(), UserFactory()
    HubFactory(region=mapo).operators.add(mapo_operator)  # a hub of the district itself
    HubFactory(region=sajik, status="planned").operators.add(jongno_operator)  # of a dong, any status
    grant_role(role_only, Role.HUB_OPERATOR)
    seogyo = Region.objects.get(code="1144066000")
    assert (can_plan(mapo_operator, mapo), can_plan(mapo_operator, seogyo)) == (True, True)
    assert (can_plan(mapo_operator, jongno), can_plan(mapo_operator, sajik)) == (False, False)
    assert (can_plan(jongno_operator, jongno), can_plan(jongno_operator, mapo)) == (True, False)
    assert (can_plan(role_only, mapo), can_plan(role_only, jongno), can_plan(role_only)) == (
        False,
        False,
        False,
    )
    assert all(can_plan(admin, region) for region in (mapo, seogyo, jongno, sajik))
    assert (can_plan(mapo_operator), can_plan(admin)) == (True, True)  # may plan somewhere
    # The districts listed for each, in one query, are those can_plan allows.
    both = UserFactory()
    HubFactory(region=seogyo).operators.add(both)
    HubFactory(region=sajik).operators.add(both)
    assert districts_planned_by(mapo_operator) == [mapo]
    assert districts_planned_by(jongno_operator) == [jongno]
    assert districts_planned_by(both) == [jongno, mapo]  # by code
    assert districts_planned_by(role_only) == []
    assert districts_planned_by(admin) is None  # every district
    with pytest.raises(NotAllowed, match="종로구"):
        update_zone_rule(mapo_operator, jongno, stay_bp=600)
    update_zone_rule(jongno_operator, sajik, stay_bp=600)
    assert ZoneSplitRule.objects.get().region == jongno
    assert not ZoneSplitRule.objects.filter(region=mapo).exists()


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"community_bp": 3000}, "warehouse_bp", "110 %"),  # 55 + 30 + 15 + 10
        ({"warehouse_bp": 900}, "warehouse_bp", "at least 10 %"),
        ({"popup_bp": 10_001}, "popup_bp", "basis points"),
        ({"stay_bp": "ten"}, "stay_bp", "number"),
        ({"popup_bay_m2": 0}, "popup_bay_m2", "m²"),
        ({"stay_room_m2": 2.5}, "stay_room_m2", "whole number"),
        ({"orders_per_warehouse_m2": 0}, "orders_per_warehouse_m2", "above 0"),
        ({"orders_per_warehouse_m2": "inf"}, "orders_per_warehouse_m2", "finite"),
        ({"colour": "red"}, "colour", "not part"),
    ],
)
def test_bad_rules_are_refused_and_change_nothing(
    mapo: Region, admin: Any, values: dict[str, Any], field: str, words: str
) -> None:
    update_zone_rule(admin, mapo, stay_bp=1000)
    with pytest.raises(InvalidInput) as exc:
        update_zone_rule(admin, mapo, **values)
    assert exc.value.field == field
    assert words in exc.value.message
    stored = ZoneSplitRule.objects.get(region=mapo)
    assert (stored.warehouse_bp, stored.community_bp, stored.popup_bp, stored.stay_bp) == (
        5500,
        1500,
        1500,
        1000,
    )
