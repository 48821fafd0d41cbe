"""Hubs API (/api/hubs): hubs, their zones, opening hours and service areas.

Reading is public. Opening a hub is for platform admins; changing one, its zones and its
hours is for its operators. Computing a service area answers 503 when the travel-time
model (e.g. an OSRM server) is unavailable; nothing is changed then.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import P, QueryEx, Router, Status

from hyperlocal.accounts.auth import api_auth
from hyperlocal.accounts.auth import signed_in_user as _user
from hyperlocal.errors import InvalidInput, NotAllowed
from hyperlocal.geo import InvalidCoordinates, Point
from hyperlocal.hubs import services
from hyperlocal.hubs.models import Hub
from hyperlocal.hubs.schemas import (
    HubDetailOut,
    HubIn,
    HubOut,
    HubPatch,
    HubStatus,
    NearbyHubOut,
    OpeningHoursIn,
    OpeningWindow,
    ServiceAreaGeoJSON,
    ServiceAreaSummary,
    ServingHubOut,
    ZoneIn,
    ZoneOut,
    ZonePatch,
    hub_detail_out,
    hub_out,
    window_out,
    zone_out,
)
from hyperlocal.schemas import with_errors

router = Router(tags=["hubs"])


def _point(lat: float, lng: float) -> Point:
    try:
        return Point(lat, lng)
    except InvalidCoordinates as exc:
        raise InvalidInput(str(exc), field=exc.field) from None


def _detail(hub: Hub) -> HubDetailOut:
    return hub_detail_out(
        hub, is_open_now=services.is_open_at(hub, timezone.now()), summary=services.service_area_summary(hub)
    )


# Fixed paths first: "/serving" must not be read as a hub called "serving".
@router.get("", response=with_errors({200: list[HubOut]}, 422), summary="Hubs")
def list_hubs(
    request: HttpRequest,
    status: HubStatus | None = None,
    region: QueryEx[str | None, P(max_length=16, description="region code (a dong or its district)")] = None,
) -> list[HubOut]:
    return [hub_out(h) for h in services.list_hubs(status=status, region_code=region)]


@router.get(
    "/serving",
    response=with_errors({200: list[ServingHubOut]}, 422),
    summary="Open hubs that deliver to a point, quickest first",
)
def serving(request: HttpRequest, lat: float, lng: float) -> list[ServingHubOut]:
    found = services.hubs_serving_with_minutes(_point(lat, lng))
    return [ServingHubOut(hub=hub_out(h), travel_minutes=minutes) for h, minutes in found]


@router.get(
    "/nearby", response=with_errors({200: list[NearbyHubOut]}, 422), summary="Open hubs nearest a point"
)
def nearby(
    request: HttpRequest, lat: float, lng: float, limit: QueryEx[int, P(ge=1, le=50)] = 5
) -> list[NearbyHubOut]:
    found = services.nearby_hubs(_point(lat, lng), limit=limit)
    return [NearbyHubOut(hub=hub_out(h), distance_m=round(d, 1)) for h, d in found]


@router.post(
    "",
    auth=api_auth,
    response=with_errors({201: HubDetailOut}, 401, 403, 409, 422, 503),
    summary="Open a hub (platform admin)",
    description="The point must lie in a region the platform serves. A slug in use answers 409.",
)
def create_hub(request: HttpRequest, payload: HubIn) -> Status[HubDetailOut]:
    user = _user(request)
    with transaction.atomic():
        hub = services.create_hub(user, **payload.dict())
    return Status(201, _detail(services.get_hub(hub.slug)))


@router.get("/{slug}", response=with_errors({200: HubDetailOut}, 404), summary="One hub")
def get_hub(request: HttpRequest, slug: str) -> HubDetailOut:
    return _detail(services.get_hub(slug))


@router.get(
    "/{slug}/service-area",
    response=with_errors({200: ServiceAreaGeoJSON}, 404),
    summary="The hub's service area as GeoJSON (one polygon per H3 cell)",
)
def service_area(request: HttpRequest, slug: str) -> dict[str, Any]:
    return services.service_area_geojson(services.get_hub(slug))


@router.patch(
    "/{slug}",
    auth=api_auth,
    response=with_errors({200: HubDetailOut}, 401, 403, 404, 409, 422, 503),
    summary="Change a hub (its operators)",
    description="Changing the point, promise, prep time or courier mode recomputes the service area.",
)
def patch_hub(request: HttpRequest, slug: str, payload: HubPatch) -> HubDetailOut:
    user = _user(request)
    with transaction.atomic():
        hub = services.update_hub(user, services.get_hub(slug), **payload.dict(exclude_unset=True))
    return _detail(services.get_hub(hub.slug))


@router.post(
    "/{slug}/service-area/refresh",
    auth=api_auth,
    response=with_errors({200: ServiceAreaSummary}, 401, 403, 404, 503),
    summary="Recompute the service area (its operators)",
)
def refresh(request: HttpRequest, slug: str) -> ServiceAreaSummary:
    user = _user(request)
    hub = services.get_hub(slug)
    if not services.can_operate(user, hub):
        raise NotAllowed(f"only the operators of {hub.name} may recompute its service area")
    with transaction.atomic():
        services.refresh_service_area(hub)
    return ServiceAreaSummary(**services.service_area_summary(hub))


@router.put(
    "/{slug}/opening-hours",
    auth=api_auth,
    response=with_errors({200: list[OpeningWindow]}, 401, 403, 404, 422),
    summary="Replace the opening hours (its operators)",
)
def put_opening_hours(request: HttpRequest, slug: str, payload: OpeningHoursIn) -> list[OpeningWindow]:
    user = _user(request)
    hub = services.get_hub(slug)
    with transaction.atomic():
        services.set_opening_hours(user, hub, [(w.weekday, w.opens, w.closes) for w in payload.windows])
    return [window_out(w) for w in hub.opening_hours.all()]


@router.post(
    "/{slug}/zones",
    auth=api_auth,
    response=with_errors({201: ZoneOut}, 401, 403, 404, 409, 422),
    summary="Add a zone (its operators)",
    description="Zones' areas add up to at most the hub's floor area (422, field area_m2).",
)
def add_zone(request: HttpRequest, slug: str, payload: ZoneIn) -> Status[ZoneOut]:
    user = _user(request)
    with transaction.atomic():
        zone = services.add_zone(user, services.get_hub(slug), **payload.dict())
    return Status(201, zone_out(zone))


@router.patch(
    "/{slug}/zones/{zone_id}",
    auth=api_auth,
    response=with_errors({200: ZoneOut}, 401, 403, 404, 409, 422),
    summary="Change a zone (its operators)",
)
def patch_zone(request: HttpRequest, slug: str, zone_id: int, payload: ZonePatch) -> ZoneOut:
    user = _user(request)
    with transaction.atomic():
        zone = services.get_zone(services.get_hub(slug), zone_id)
        services.update_zone(user, zone, **payload.dict(exclude_unset=True))
    return zone_out(zone)


@router.delete(
    "/{slug}/zones/{zone_id}",
    auth=api_auth,
    response=with_errors({204: None}, 401, 403, 404, 422),
    summary="Remove a zone (its operators)",
)
def delete_zone(request: HttpRequest, slug: str, zone_id: int) -> Status[None]:
    user = _user(request)
    with transaction.atomic():
        services.delete_zone(user, services.get_zone(services.get_hub(slug), zone_id))
    return Status(204, None)
