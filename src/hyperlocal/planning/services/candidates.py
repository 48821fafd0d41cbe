"""The places a plan may choose: vacant spaces of the region that are not a hub yet, and
the region's open hubs, which stay open (fixed) and cost the plan nothing. Spaces not yet
available are proposed too unless ``available_by`` is given; each candidate carries its
``available_from`` so that the plan shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hyperlocal.errors import InvalidInput
from hyperlocal.hubs.services import ZoneKind, open_hubs_for_planning, space_ids_with_hubs
from hyperlocal.planning.models import VacantSpace, ZoneSplitRule
from hyperlocal.planning.services.demand import leaf_regions
from hyperlocal.planning.services.parameters import PlanParameters
from hyperlocal.planning.services.zoning import daily_capacity
from hyperlocal.regions.models import Region

__all__ = ["Candidate", "candidate_sites"]

ZONE_FLAG = {"community": "can_community", "popup": "can_popup", "stay": "can_stay"}
ZONE_WORDS = {"community": "community rooms", "popup": "pop-up bays", "stay": "stay rooms"}


@dataclass(frozen=True)
class Candidate:
    key: str  # "space:<id>" or "hub:<slug>"
    name: str
    address: str
    lat: float
    lng: float
    floor_area_m2: int
    monthly_rent_won: int | None  # None for existing hubs
    capacity_per_day: float
    existing: bool
    space_id: int | None
    hub_slug: str | None
    can_community: bool
    can_popup: bool
    can_stay: bool
    available_from: date | None = None  # spaces: the first day it can be used


def _spaces(region: Region, params: PlanParameters, rule: ZoneSplitRule) -> list[Candidate]:
    spaces = (
        VacantSpace.objects.filter(region__in=leaf_regions(region), can_warehouse=True)
        .exclude(pk__in=space_ids_with_hubs())
        .order_by("pk")
    )
    if params.available_by is not None:
        spaces = spaces.filter(available_from__lte=params.available_by)
    if params.zone_kind is not None:
        spaces = spaces.filter(**{ZONE_FLAG[params.zone_kind]: True})
    return [
        Candidate(
            key=f"space:{s.pk}",
            name=s.name,
            address=s.address,
            lat=s.lat,
            lng=s.lng,
            floor_area_m2=s.floor_area_m2,
            monthly_rent_won=int(s.monthly_rent_won),
            capacity_per_day=daily_capacity(s.floor_area_m2, rule),
            existing=False,
            space_id=s.pk,
            hub_slug=None,
            can_community=s.can_community,
            can_popup=s.can_popup,
            can_stay=s.can_stay,
            available_from=s.available_from,
        )
        for s in spaces
    ]


def _hubs(region: Region, rule: ZoneSplitRule) -> list[Candidate]:
    out = []
    for hub in open_hubs_for_planning(r.pk for r in leaf_regions(region)):
        if hub.warehouse_m2:
            capacity = hub.warehouse_m2 * float(rule.orders_per_warehouse_m2)
        else:  # a hub without warehouse zones yet: as if it were split by the rule
            capacity = daily_capacity(hub.floor_area_m2, rule)
        out.append(
            Candidate(
                key=f"hub:{hub.slug}",
                name=hub.name,
                address=hub.address,
                lat=hub.lat,
                lng=hub.lng,
                floor_area_m2=hub.floor_area_m2,
                monthly_rent_won=None,
                capacity_per_day=capacity,
                existing=True,
                space_id=hub.vacant_space_id,
                hub_slug=hub.slug,
                can_community=ZoneKind.COMMUNITY_ROOM in hub.zone_kinds,
                can_popup=ZoneKind.POPUP_BAY in hub.zone_kinds,
                can_stay=ZoneKind.STAY_ROOM in hub.zone_kinds,
            )
        )
    return out


def _none_message(region: Region, params: PlanParameters) -> InvalidInput:
    wanted = []
    if params.available_by is not None:
        wanted.append(f"is available by {params.available_by.isoformat()}")
    if params.zone_kind is not None:
        wanted.append(f"can hold {ZONE_WORDS[params.zone_kind]}")
    field = "zone_kind" if params.zone_kind is not None else "available_by" if wanted else "region_code"
    condition = (" that " + " and ".join(wanted)) if wanted else ""
    return InvalidInput(
        f"no vacant space in {region}{condition} can become a hub (spaces that are hubs already "
        "or cannot hold a warehouse are left out)",
        field=field,
    )


def candidate_sites(region: Region, params: PlanParameters, rule: ZoneSplitRule) -> list[Candidate]:
    """New candidates (by space id), then the open hubs (by slug) when they are included.
    InvalidInput when no vacant space qualifies."""
    spaces = _spaces(region, params, rule)
    if not spaces:
        raise _none_message(region, params)
    return spaces + (_hubs(region, rule) if params.include_existing_hubs else [])
