"""Opening and changing hubs. The service area is computed before anything is written, so
that an unavailable travel model leaves nothing half-done."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Sum

from hyperlocal.accounts.models import User
from hyperlocal.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hyperlocal.geo import TravelTimeModel
from hyperlocal.hubs.models import Hub
from hyperlocal.hubs.services.fields import DEFAULTS, REQUIRED_HUB_FIELDS, SLUG, clean_hub_values
from hyperlocal.hubs.services.permissions import AnyUser, can_operate, is_platform_admin
from hyperlocal.hubs.services.service_area import area_for, store_service_area

# Changing any of these changes the service area.
AREA_FIELDS = ("lat", "lng", "promise_minutes", "prep_minutes", "courier_mode")


def list_hubs(*, status: str | None = None, region_code: str | None = None) -> QuerySet[Hub]:
    """Hubs with `service_cell_count`; `region_code` matches the hub's dong or its district."""
    hubs = Hub.objects.select_related("region").annotate(service_cell_count=Count("service_cells"))
    if status:
        hubs = hubs.filter(status=status)
    if region_code:
        hubs = hubs.filter(Q(region__code=region_code) | Q(region__parent__code=region_code))
    return hubs.order_by("name", "pk")


def get_hub(slug: str) -> Hub:
    hub = Hub.objects.select_related("region").filter(slug=slug).first() if SLUG.fullmatch(slug) else None
    if hub is None:
        raise NotFound(f"no hub {slug!r}", field="slug")
    return hub


def _operators(value: object) -> list[User]:
    """Users given as User objects or usernames."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInput("operators must be a list of usernames", field="operators")
    users = [v for v in value if isinstance(v, User)]
    names = [v for v in value if not isinstance(v, User)]
    if any(not isinstance(n, str) or "\x00" in n for n in names):
        raise InvalidInput("operators must be a list of usernames", field="operators")
    found = {u.username: u for u in User.objects.filter(username__in=names)}
    missing = sorted(set(names) - set(found))
    if missing:
        raise InvalidInput(f"no user {missing[0]!r}", field="operators")
    return users + list(found.values())


def _save(hub: Hub, **kwargs: Any) -> None:
    try:
        with transaction.atomic():  # a savepoint: a racing duplicate slug fails cleanly
            hub.save(**kwargs)
    except IntegrityError:
        raise Conflict(f"there is already a hub {hub.slug!r}", field="slug") from None


def create_hub(user: AnyUser, *, model: TravelTimeModel | None = None, **fields: Any) -> Hub:
    """Open a hub (platform admins only) and compute its service area. Fields: name, slug,
    address, lat, lng, floor_area_m2 (required); promise_minutes, prep_minutes,
    courier_mode, status, operators (usernames), vacant_space (optional)."""
    if not is_platform_admin(user):
        raise NotAllowed("only a platform admin may open a hub")
    missing = [name for name in REQUIRED_HUB_FIELDS if name not in fields]
    if missing:
        raise InvalidInput(f"{missing[0]} is required", field=missing[0])
    operators = _operators(fields.pop("operators", []))
    vacant_space = fields.pop("vacant_space", None)
    values = {**DEFAULTS, **clean_hub_values(fields)}
    if Hub.objects.filter(slug=values["slug"]).exists():
        raise Conflict(f"there is already a hub {values['slug']!r}", field="slug")
    hub = Hub(**values, vacant_space=vacant_space)
    area = area_for(hub, model)
    with transaction.atomic():
        _save(hub)
        hub.operators.set(operators)
        store_service_area(hub, area)
    return hub


def update_hub(user: AnyUser, hub: Hub, *, model: TravelTimeModel | None = None, **changes: Any) -> Hub:
    """Change a hub (its operators or a platform admin). The service area is recomputed
    when the point, promise, prep time or courier mode change, and only then."""
    if not can_operate(user, hub):
        raise NotAllowed(f"only the operators of {hub.name} may change it")
    operators = None
    if "operators" in changes:
        if not is_platform_admin(user):
            raise NotAllowed("only a platform admin may change who operates a hub", field="operators")
        operators = _operators(changes.pop("operators"))
    vacant_space_given = "vacant_space" in changes
    vacant_space = changes.pop("vacant_space", None)
    cleaned = clean_hub_values(changes, current=hub)
    if (
        "slug" in cleaned
        and cleaned["slug"] != hub.slug
        and Hub.objects.filter(slug=cleaned["slug"]).exists()
    ):
        raise Conflict(f"there is already a hub {cleaned['slug']!r}", field="slug")
    if "floor_area_m2" in cleaned:
        zoned = hub.zones.aggregate(total=Sum("area_m2"))["total"] or 0
        if cleaned["floor_area_m2"] < zoned:
            raise InvalidInput(
                f"floor_area_m2 ({cleaned['floor_area_m2']}) is smaller than the zones' {zoned} m²",
                field="floor_area_m2",
            )
    recompute = any(name in cleaned and cleaned[name] != getattr(hub, name) for name in AREA_FIELDS)
    for name, value in cleaned.items():
        setattr(hub, name, value)
    if vacant_space_given:
        hub.vacant_space = vacant_space
    area = area_for(hub, model) if recompute or hub.service_area_computed_at is None else None
    with transaction.atomic():
        _save(hub)
        if operators is not None:
            hub.operators.set(operators)
        if area is not None:
            store_service_area(hub, area)
    return hub
