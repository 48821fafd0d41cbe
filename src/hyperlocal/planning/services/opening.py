""" "Open this site": a vacant space a plan chose becomes a hub, its floor split into zones by
the district's rule and its service area computed as for any hub; all or nothing."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from hyperlocal.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hyperlocal.geo import TravelTimeModel
from hyperlocal.hubs.services import (
    HubStatus,
    add_zone,
    create_hub,
    hub_of_space,
    slug_taken,
    space_ids_with_hubs,
)
from hyperlocal.hubs.services.fields import DEFAULTS, MAX_PROMISE_MINUTES
from hyperlocal.hubs.services.permissions import AnyUser, is_platform_admin
from hyperlocal.planning.models import SitePlan, VacantSpace
from hyperlocal.planning.services.zoning import split_zones, zone_rule_for
from hyperlocal.regions.models import Region

if TYPE_CHECKING:
    from hyperlocal.hubs.models import Hub

MAX_SPACES = 500


def new_site(plan: SitePlan, space_id: int) -> dict[str, Any]:
    """The plan's new site on this space; Conflict when the plan is not done, InvalidInput
    when the plan did not choose the space."""
    if plan.status != SitePlan.Status.DONE or not isinstance(plan.result, dict):
        raise Conflict(f"site plan {plan.pk} is {plan.status}, not done: no site can be opened from it yet")
    for site in plan.result.get("sites", []):
        if site.get("kind") == "new" and site.get("space_id") == space_id:
            return dict(site)
    raise InvalidInput(f"site plan {plan.pk} did not choose vacant space {space_id}", field="space_id")


def default_promise_minutes(plan: SitePlan) -> int:
    """The hub's door-to-door promise that gives it the plan's ride time: the ride promise
    (rounded up) plus the default pick-and-pack time, within the hubs' limit."""
    ride = plan.parameters.get("promise_minutes") if isinstance(plan.parameters, dict) else None
    ride_minutes = float(ride) if isinstance(ride, int | float) and not isinstance(ride, bool) else 15.0
    return min(MAX_PROMISE_MINUTES, math.ceil(ride_minutes) + int(DEFAULTS["prep_minutes"]))


def default_courier_mode(plan: SitePlan) -> str:
    mode = plan.parameters.get("mode") if isinstance(plan.parameters, dict) else None
    return mode if isinstance(mode, str) and mode else str(DEFAULTS["courier_mode"])


def default_slug(space: VacantSpace) -> str:
    """The space's name as a slug; a name without Latin letters (most Korean names, whose
    slug would be bare digits such as "045") gives "<its area's English name>-<id>", e.g.
    "seogyo-dong-45", else "space-<id>"; "-<id>" is added when a hub already has it."""
    base = slugify(space.name)[:100].strip("-")
    if not re.search("[a-z]", base):
        area = slugify(space.region.name_en)[:100].strip("-")
        return f"{area or 'space'}-{space.pk}"
    if not slug_taken(base):
        return base
    return f"{base}-{space.pk}"[:120]


def open_site(
    user: AnyUser,
    plan: SitePlan,
    space_id: int,
    *,
    name: str | None = None,
    slug: str | None = None,
    promise_minutes: int | None = None,
    courier_mode: str | None = None,
    model: TravelTimeModel | None = None,
) -> Hub:
    """Open the plan's chosen space as a hub (platform admins only): the hub takes the space's
    address, point and floor area, its zones come from split_zones(zone_rule_for(region)) for
    the kinds the space can hold, and its service area is computed. Name and slug default to
    the space's; the promise and courier mode to the plan's (ride promise + pick and pack).
    A space not available yet (``available_from`` after today) opens as a *planned* hub, which
    takes no orders until it is set open. Conflict when the space is already a hub; nothing is
    written when anything is refused."""
    if not is_platform_admin(user):
        raise NotAllowed("only a platform admin may open a hub")
    new_site(plan, space_id)
    with transaction.atomic():
        # The space's row is the lock: two admins opening it at once make one hub.
        space = VacantSpace.objects.select_for_update().filter(pk=space_id).first()
        if space is None:
            raise NotFound(f"vacant space {space_id} no longer exists", field="space_id")
        existing = hub_of_space(space.pk)
        if existing is not None:
            raise Conflict(
                f"vacant space {space.name!r} is already hub {existing.name!r} ({existing.slug})",
                field="space_id",
                code="already_a_hub",
            )
        # A space not free yet becomes a planned hub: zones and service area are ready, and
        # it takes no orders until an operator sets it open once the space is free.
        later = space.available_from > timezone.localdate()
        hub = create_hub(
            user,
            model=model,
            name=space.name if name is None or not name.strip() else name,
            slug=default_slug(space) if slug is None or not slug.strip() else slug.strip(),
            address=space.address,
            lat=space.lat,
            lng=space.lng,
            floor_area_m2=space.floor_area_m2,
            promise_minutes=default_promise_minutes(plan) if promise_minutes is None else promise_minutes,
            courier_mode=default_courier_mode(plan) if courier_mode is None else courier_mode,
            vacant_space=space,
            status=HubStatus.PLANNED if later else HubStatus.OPEN,
        )
        rule = zone_rule_for(plan.region)
        zones = split_zones(
            space.floor_area_m2,
            rule,
            community=space.can_community,
            popup=space.can_popup,
            stay=space.can_stay,
        )
        for zone in zones:
            add_zone(user, hub, kind=zone.kind, name=zone.name, area_m2=zone.area_m2, capacity=zone.capacity)
    return hub


def list_spaces(
    *, region: Region | None = None, open_only: bool = False, limit: int = 100
) -> QuerySet[VacantSpace]:
    """Vacant spaces (of a district or dong) with ``is_hub``; ``open_only`` leaves out those
    already a hub."""
    spaces = VacantSpace.objects.select_related("region").annotate(
        is_hub=ExpressionWrapper(Q(pk__in=space_ids_with_hubs()), output_field=BooleanField())
    )
    if region is not None:
        spaces = spaces.filter(Q(region=region) | Q(region__parent=region))
    if open_only:
        spaces = spaces.filter(is_hub=False)
    return spaces.order_by("name", "pk")[: max(1, min(MAX_SPACES, limit))]
