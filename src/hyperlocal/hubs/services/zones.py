"""Zones of a hub (warehouse, community rooms, pop-up bays, stay rooms): together they fit
in the hub's floor area."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum

from hyperlocal.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hyperlocal.hubs.models import Hub, Zone
from hyperlocal.hubs.services.fields import MAX_AREA_M2, MAX_CAPACITY, clean_choice, clean_int, clean_text
from hyperlocal.hubs.services.permissions import AnyUser, can_operate

ZONE_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "kind": lambda v: clean_choice(v, field="kind", choices=Zone.Kind.values),
    "name": lambda v: clean_text(v, field="name", max_length=80),
    "area_m2": lambda v: clean_int(v, field="area_m2", minimum=1, maximum=MAX_AREA_M2),
    "capacity": lambda v: clean_int(v, field="capacity", minimum=0, maximum=MAX_CAPACITY),
}


def clean_zone_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {}
    for name, value in values.items():
        if name not in ZONE_CLEANERS:
            raise InvalidInput(f"{name!r} is not a zone field that can be set", field=name)
        cleaned[name] = ZONE_CLEANERS[name](value)
    return cleaned


def check_zone_areas(floor_area_m2: int, areas: Iterable[int]) -> None:
    """Zones share the hub's floor: their areas add up to at most the floor area."""
    total = sum(areas)
    if total > floor_area_m2:
        raise InvalidInput(
            f"the zones would cover {total} m², more than the hub's floor area of {floor_area_m2} m²",
            field="area_m2",
        )


def get_zone(hub: Hub, zone_id: int) -> Zone:
    zone = hub.zones.filter(pk=zone_id).first()
    if zone is None:
        raise NotFound(f"{hub.name} has no zone {zone_id}", field="zone_id")
    return zone


def _locked(hub: Hub) -> Hub:
    # The hub row is the lock for its zones: two writers cannot both squeeze a zone in.
    return Hub.objects.select_for_update().get(pk=hub.pk)


def _save(zone: Zone) -> None:
    try:
        with transaction.atomic():
            zone.save()
    except IntegrityError:
        raise Conflict(f"{zone.hub.name} already has a zone named {zone.name!r}", field="name") from None


def _check_name_free(hub: Hub, name: str, *, exclude_pk: int | None = None) -> None:
    clash = hub.zones.filter(name=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise Conflict(f"{hub.name} already has a zone named {name!r}", field="name")


def add_zone(user: AnyUser, hub: Hub, **fields: Any) -> Zone:
    """A new zone (kind, name, area_m2, capacity); its operators or a platform admin."""
    if not can_operate(user, hub):
        raise NotAllowed(f"only the operators of {hub.name} may change its zones")
    missing = [name for name in ZONE_CLEANERS if name not in fields]
    if missing:
        raise InvalidInput(f"{missing[0]} is required", field=missing[0])
    values = clean_zone_values(fields)
    with transaction.atomic():
        locked = _locked(hub)
        used = locked.zones.aggregate(total=Sum("area_m2"))["total"] or 0
        check_zone_areas(locked.floor_area_m2, [used, values["area_m2"]])
        _check_name_free(locked, values["name"])
        zone = Zone(hub=locked, **values)
        _save(zone)
    return zone


def update_zone(user: AnyUser, zone: Zone, **changes: Any) -> Zone:
    if not can_operate(user, zone.hub):
        raise NotAllowed(f"only the operators of {zone.hub.name} may change its zones")
    values = clean_zone_values(changes)
    with transaction.atomic():
        locked = _locked(zone.hub)
        if "area_m2" in values:
            others = locked.zones.exclude(pk=zone.pk).aggregate(total=Sum("area_m2"))["total"] or 0
            check_zone_areas(locked.floor_area_m2, [others, values["area_m2"]])
        if "name" in values:
            _check_name_free(locked, values["name"], exclude_pk=zone.pk)
        for name, value in values.items():
            setattr(zone, name, value)
        _save(zone)
    return zone


def delete_zone(user: AnyUser, zone: Zone) -> None:
    if not can_operate(user, zone.hub):
        raise NotAllowed(f"only the operators of {zone.hub.name} may change its zones")
    zone.delete()
