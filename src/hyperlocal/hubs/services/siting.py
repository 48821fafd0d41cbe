"""What site planning reads of hubs: the open hubs of some regions (with their warehouse
area and zone kinds), which vacant spaces are hubs already, which cells open hubs serve
and which regions a user operates a hub in. Read-only; planning calls these instead of
querying hub models."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import h3
from django.conf import settings

from hyperlocal.hubs.models import Hub, ServiceAreaCell, Zone
from hyperlocal.hubs.services.permissions import AnyUser

__all__ = [
    "HubStatus",
    "PlanningHub",
    "ZoneKind",
    "hub_of_space",
    "open_hubs_for_planning",
    "region_ids_operated_by",
    "served_cells",
    "slug_taken",
    "space_ids_with_hubs",
]

ZoneKind = Zone.Kind  # the zone kinds' values, for callers outside hubs
HubStatus = Hub.Status  # likewise the hub statuses

CHUNK = 2_000  # cells per IN (...) query


@dataclass(frozen=True)
class PlanningHub:
    slug: str
    name: str
    address: str
    lat: float
    lng: float
    floor_area_m2: int
    vacant_space_id: int | None
    warehouse_m2: int  # the area of its warehouse zones (0 when it has none yet)
    zone_kinds: frozenset[str]


def open_hubs_for_planning(region_ids: Iterable[int]) -> list[PlanningHub]:
    """The open hubs whose region is one of ``region_ids``, by slug."""
    hubs = list(Hub.objects.filter(region_id__in=list(region_ids), status=Hub.Status.OPEN).order_by("slug"))
    kinds: dict[int, set[str]] = defaultdict(set)
    warehouse: dict[int, int] = defaultdict(int)
    for hub_id, kind, area in Zone.objects.filter(hub__in=hubs).values_list("hub_id", "kind", "area_m2"):
        kinds[hub_id].add(kind)
        if kind == Zone.Kind.WAREHOUSE:
            warehouse[hub_id] += area
    return [
        PlanningHub(
            slug=hub.slug,
            name=hub.name,
            address=hub.address,
            lat=hub.lat,
            lng=hub.lng,
            floor_area_m2=hub.floor_area_m2,
            vacant_space_id=hub.vacant_space_id,
            warehouse_m2=warehouse[hub.pk],
            zone_kinds=frozenset(kinds[hub.pk]),
        )
        for hub in hubs
    ]


def hub_of_space(space_id: int) -> Hub | None:
    """The hub made from this vacant space, if any."""
    return Hub.objects.filter(vacant_space_id=space_id).first()


def space_ids_with_hubs() -> set[int]:
    """Ids of the vacant spaces that are a hub already (whatever the hub's status)."""
    return set(Hub.objects.filter(vacant_space__isnull=False).values_list("vacant_space_id", flat=True))


def slug_taken(slug: str) -> bool:
    return Hub.objects.filter(slug=slug).exists()


def region_ids_operated_by(user: AnyUser) -> set[int]:
    """The regions of the hubs ``user`` operates (any status)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    return set(Hub.objects.filter(operators=user.pk).values_list("region_id", flat=True))


def _at(cells: Iterable[str], resolution: int) -> set[str]:
    """Cells at ``resolution``: a finer cell's parent, a coarser cell's children."""
    out: set[str] = set()
    for cell in cells:
        have = h3.get_resolution(cell)
        if have == resolution:
            out.add(cell)
        elif have > resolution:
            out.add(str(h3.cell_to_parent(cell, resolution)))
        else:
            out.update(str(c) for c in h3.cell_to_children(cell, resolution))
    return out


def served_cells(cells: Collection[str], resolution: int | None = None) -> set[str]:
    """Those of ``cells`` (H3 cells at ``resolution``, default the region cells') that lie in
    the service area of some open hub."""
    resolution = settings.REGION_CELL_RESOLUTION if resolution is None else resolution
    rows = ServiceAreaCell.objects.filter(hub__status=Hub.Status.OPEN)
    wanted = set(cells)
    if not wanted:
        return set()
    if resolution == settings.SERVICE_AREA_RESOLUTION:
        found: set[str] = set()
        ordered = sorted(wanted)
        for first in range(0, len(ordered), CHUNK):
            chunk = ordered[first : first + CHUNK]
            found.update(rows.filter(cell__in=chunk).values_list("cell", flat=True).distinct())
        return found
    return _at(rows.values_list("cell", flat=True).distinct(), resolution) & wanted
