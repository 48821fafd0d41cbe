"""How a new hub's floor is split into zones, and what its warehouse ships a day.

One ``ZoneSplitRule`` per district (an unsaved default until an operator changes it). The
split is the one the demo city uses: the warehouse takes its share, then a community room,
pop-up bays and stay rooms where the space can hold them; what no share takes is
circulation, packing and staff."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from hyperlocal.errors import InvalidInput, NotAllowed
from hyperlocal.hubs.services import ZoneKind, is_platform_admin, region_ids_operated_by
from hyperlocal.hubs.services.permissions import AnyUser
from hyperlocal.planning.models import ZoneSplitRule
from hyperlocal.regions.models import Region

__all__ = [
    "RULE_FIELDS",
    "ZonePlan",
    "can_plan",
    "daily_capacity",
    "split_zones",
    "update_zone_rule",
    "warehouse_area",
    "zone_rule_for",
]

BASIS_POINTS = 10_000
MIN_WAREHOUSE_BP = 1_000
MIN_COMMUNITY_ROOM_M2 = 20  # a room smaller than this is no room
MAX_POPUP_BAYS = 6
MAX_STAY_ROOMS = 4
BINS_PER_WAREHOUSE_M2 = 2
MAX_UNIT_M2 = 10_000
MAX_ORDERS_PER_M2 = 1_000.0

SHARE_FIELDS = ("warehouse_bp", "community_bp", "popup_bp", "stay_bp")
RULE_FIELDS = (*SHARE_FIELDS, "popup_bay_m2", "stay_room_m2", "orders_per_warehouse_m2")


@dataclass(frozen=True)
class ZonePlan:
    kind: str
    name: str
    area_m2: int
    capacity: int


def zone_rule_for(region: Region) -> ZoneSplitRule:
    """The district's rule; an unsaved default when it has none."""
    district = region.district
    rule = ZoneSplitRule.objects.filter(region=district).first()
    return rule if rule is not None else ZoneSplitRule(region=district)


def can_plan(user: AnyUser, region: Region | None = None) -> bool:
    """Who plans sites and changes the zone split of ``region``'s district: platform admins
    everywhere; a hub operator only in the district of a hub they operate (a hub whose region
    is the district or one of its dongs). The hub operator role without a hub gives no
    district. ``region`` None asks whether the user may plan anywhere at all."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_platform_admin(user):
        return True
    operated = region_ids_operated_by(user)
    if not operated:
        return False
    if region is None:
        return True
    district = region.district
    districts = {district.pk}
    districts |= set(Region.objects.filter(parent=district).values_list("pk", flat=True))
    return bool(operated & districts)


def districts_planned_by(user: AnyUser) -> list[Region] | None:
    """The districts ``can_plan`` allows this user, in one query; None for every district
    (platform admins)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if is_platform_admin(user):
        return None
    operated = region_ids_operated_by(user)
    if not operated:
        return []
    districts = Region.objects.filter(level=Region.Level.DISTRICT).filter(
        Q(pk__in=operated) | Q(children__pk__in=operated)
    )
    return list(districts.distinct().order_by("code"))


def _share(value: Any, key: str) -> int:
    number = _number(value, key)
    if number != int(number) or not 0 <= number <= BASIS_POINTS:
        raise InvalidInput(
            f"{key} is a whole number of basis points from 0 to 10000, not {value!r}", field=key
        )
    return int(number)


def _unit(value: Any, key: str) -> int:
    number = _number(value, key)
    if number != int(number) or not 1 <= number <= MAX_UNIT_M2:
        raise InvalidInput(f"{key} is a whole number of m² from 1 to {MAX_UNIT_M2}, not {value!r}", field=key)
    return int(number)


def _rate(value: Any, key: str) -> float:
    number = _number(value, key)
    if not 0 < number <= MAX_ORDERS_PER_M2:
        raise InvalidInput(
            f"{key} must be above 0 and at most {MAX_ORDERS_PER_M2:g}, not {value!r}", field=key
        )
    return number


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or value is None:
        raise InvalidInput(f"{key} must be a number, not {value!r}", field=key)
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{key} must be a number, not {value!r}", field=key) from None
    if not math.isfinite(number):
        raise InvalidInput(f"{key} must be a finite number, not {value!r}", field=key)
    return number


def check_rule(rule: ZoneSplitRule) -> None:
    """The database's constraints, as messages."""
    total = sum(getattr(rule, name) for name in SHARE_FIELDS)
    if total > BASIS_POINTS:
        raise InvalidInput(
            f"the shares add up to {total / 100:g} % of the floor; they may take at most 100 %",
            field="warehouse_bp",
        )
    if rule.warehouse_bp < MIN_WAREHOUSE_BP:
        raise InvalidInput(
            f"the warehouse needs at least {MIN_WAREHOUSE_BP / 100:g} % of the floor, "
            f"not {rule.warehouse_bp / 100:g} %",
            field="warehouse_bp",
        )


def update_zone_rule(user: AnyUser, region: Region, **values: Any) -> ZoneSplitRule:
    """Change the district's rule (created on first change). Shares are basis points of the
    floor; unit areas whole m²; ``orders_per_warehouse_m2`` above 0. Blank values keep the
    current one. Platform admins and hub operators only."""
    if not can_plan(user, region):
        raise NotAllowed(
            f"only platform admins and the operators of a hub in {region.district} change its zone split"
        )
    cleaners: dict[str, Callable[[Any, str], float]] = {
        **dict.fromkeys(SHARE_FIELDS, _share),
        "popup_bay_m2": _unit,
        "stay_room_m2": _unit,
        "orders_per_warehouse_m2": _rate,
    }
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        if key not in cleaners:
            raise InvalidInput(f"{key!r} is not part of the zone split rule", field=key)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        cleaned[key] = cleaners[key](value, key)
    district = region.district
    with transaction.atomic():
        rule = ZoneSplitRule.objects.select_for_update().filter(region=district).first()
        rule = rule if rule is not None else ZoneSplitRule(region=district)
        for key, value in cleaned.items():
            setattr(rule, key, value)
        check_rule(rule)
        rule.updated_by = user if user.is_authenticated else None
        rule.updated_at = timezone.now()
        try:
            with transaction.atomic():
                rule.save()
        except IntegrityError:
            raise InvalidInput("the zone split does not fit the floor", field="warehouse_bp") from None
    return rule


def _part(area: int, bp: int) -> int:
    return area * bp // BASIS_POINTS


def warehouse_area(floor_area_m2: int, rule: ZoneSplitRule) -> int:
    return _part(floor_area_m2, rule.warehouse_bp)


def daily_capacity(floor_area_m2: int, rule: ZoneSplitRule) -> float:
    """Orders a day the warehouse of a new hub can pick and pack."""
    return warehouse_area(floor_area_m2, rule) * float(rule.orders_per_warehouse_m2)


def _units(kind: str, share: int, unit_m2: int, most: int, ko: str, en: str, capacity: int) -> list[ZonePlan]:
    if share <= 0:
        return []
    count = max(1, min(most, share // unit_m2))
    area = share // count
    if area <= 0:
        return []
    return [ZonePlan(kind, f"{ko} {n} {en} {n}", area, capacity) for n in range(1, count + 1)]


def split_zones(
    floor_area_m2: int, rule: ZoneSplitRule, *, community: bool, popup: bool, stay: bool
) -> list[ZonePlan]:
    """The zones of a new hub on this floor: a warehouse, then a community room, pop-up bays
    and stay rooms for the kinds the space can hold. Zones never add up to more than the floor."""
    area = int(floor_area_m2)
    if area <= 0:
        raise InvalidInput(f"the floor area must be above 0 m², not {floor_area_m2}", field="floor_area_m2")
    warehouse = warehouse_area(area, rule)
    zones = [
        ZonePlan(ZoneKind.WAREHOUSE.value, "창고 Warehouse", warehouse, warehouse * BINS_PER_WAREHOUSE_M2)
    ]
    left = area - warehouse
    if community and rule.community_bp > 0:
        room = min(max(_part(area, rule.community_bp), MIN_COMMUNITY_ROOM_M2), left)
        if room > 0:
            zones.append(
                ZonePlan(ZoneKind.COMMUNITY_ROOM.value, "커뮤니티룸 Community room", room, room // 2)
            )
            left -= room
    if popup:
        share = min(_part(area, rule.popup_bp), left)
        bays = _units(
            ZoneKind.POPUP_BAY.value, share, rule.popup_bay_m2, MAX_POPUP_BAYS, "팝업 베이", "Pop-up bay", 1
        )
        zones += bays
        left -= sum(z.area_m2 for z in bays)
    if stay:
        share = min(_part(area, rule.stay_bp), left)
        zones += _units(
            ZoneKind.STAY_ROOM.value, share, rule.stay_room_m2, MAX_STAY_ROOMS, "스테이", "Stay room", 2
        )
    return [z for z in zones if z.area_m2 > 0]
