"""Request and response bodies of the hubs API."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any, Literal, cast

from ninja import Schema
from pydantic import Field, StrictInt

from hyperlocal.hubs.models import CourierMode, Hub, OpeningHours, Zone
from hyperlocal.hubs.services.fields import MAX_AREA_M2, MAX_CAPACITY, MAX_PROMISE_MINUTES

# Spelled out (and checked against the models in the tests) because enums named "Kind" or
# "Status" in several apps would share one OpenAPI component and contradict each other.
HubStatus = Literal["planned", "open", "paused", "closed"]
ZoneKind = Literal["warehouse", "community_room", "popup_bay", "stay_room"]


class HubOut(Schema):
    slug: str
    name: str
    status: HubStatus
    region: str = Field(description="code of the hub's dong")
    region_name: str
    address: str
    lat: float
    lng: float
    floor_area_m2: int
    promise_minutes: int
    prep_minutes: int
    courier_mode: CourierMode
    service_cells: int


class ServingHubOut(Schema):
    hub: HubOut
    travel_minutes: float = Field(description="courier ride from the hub to the point's cell")


class NearbyHubOut(Schema):
    hub: HubOut
    distance_m: float = Field(description="straight-line distance")


class ZoneOut(Schema):
    id: int
    kind: ZoneKind
    name: str
    area_m2: int
    capacity: int


class OpeningWindow(Schema):
    weekday: int = Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")
    opens: time
    closes: time = Field(description="at or before `opens`: the window runs past midnight")


class ServiceAreaSummary(Schema):
    cells: int
    max_travel_minutes: float | None
    computed_at: datetime | None
    signature: str = Field(description="mode:ride minutes:point:resolution:travel model it was computed for")
    stale: bool = Field(description="the hub or the travel model changed since it was computed")


class HubDetailOut(HubOut):
    zones: list[ZoneOut]
    opening_hours: list[OpeningWindow]
    is_open_now: bool
    service_area: ServiceAreaSummary


class HubIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    slug: str = Field(min_length=1, max_length=120, pattern=r"^[-a-zA-Z0-9_]+$")
    address: str = Field(min_length=1, max_length=300)
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    floor_area_m2: StrictInt = Field(gt=0, le=MAX_AREA_M2)
    promise_minutes: StrictInt = Field(30, ge=2, le=MAX_PROMISE_MINUTES)
    prep_minutes: StrictInt = Field(10, ge=0, lt=MAX_PROMISE_MINUTES)
    courier_mode: CourierMode = CourierMode.BIKE
    status: HubStatus = "open"
    operators: list[str] = Field(default_factory=list, description="usernames of the hub's operators")


class HubPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    address: str | None = Field(None, min_length=1, max_length=300)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    floor_area_m2: StrictInt | None = Field(None, gt=0, le=MAX_AREA_M2)
    promise_minutes: StrictInt | None = Field(None, ge=2, le=MAX_PROMISE_MINUTES)
    prep_minutes: StrictInt | None = Field(None, ge=0, lt=MAX_PROMISE_MINUTES)
    courier_mode: CourierMode | None = None
    status: HubStatus | None = None


class ZoneIn(Schema):
    kind: ZoneKind
    name: str = Field(min_length=1, max_length=80)
    area_m2: StrictInt = Field(gt=0, le=MAX_AREA_M2)
    capacity: StrictInt = Field(ge=0, le=MAX_CAPACITY)


class ZonePatch(Schema):
    kind: ZoneKind | None = None
    name: str | None = Field(None, min_length=1, max_length=80)
    area_m2: StrictInt | None = Field(None, gt=0, le=MAX_AREA_M2)
    capacity: StrictInt | None = Field(None, ge=0, le=MAX_CAPACITY)


class OpeningHoursIn(Schema):
    windows: list[OpeningWindow] = Field(max_length=28)


class CellGeometry(Schema):
    type: Literal["Polygon"]
    coordinates: list[list[list[float]]]


class CellProperties(Schema):
    cell: str
    travel_minutes: float


class CellFeature(Schema):
    type: Literal["Feature"]
    id: str
    geometry: CellGeometry
    properties: CellProperties


class ServiceAreaGeoJSON(Schema):
    type: Literal["FeatureCollection"]
    features: list[CellFeature]


def hub_out(hub: Hub) -> HubOut:
    return HubOut(**_hub_fields(hub))


def _hub_fields(hub: Hub) -> dict[str, Any]:
    cells = getattr(hub, "service_cell_count", None)  # annotated by list_hubs
    return {
        "slug": hub.slug,
        "name": hub.name,
        "status": hub.status,
        "region": hub.region.code,
        "region_name": hub.region.name_ko,
        "address": hub.address,
        "lat": hub.lat,
        "lng": hub.lng,
        "floor_area_m2": hub.floor_area_m2,
        "promise_minutes": hub.promise_minutes,
        "prep_minutes": hub.prep_minutes,
        "courier_mode": hub.courier_mode,
        "service_cells": hub.service_cells.count() if cells is None else cells,
    }


def zone_out(zone: Zone) -> ZoneOut:
    return ZoneOut(
        id=zone.pk,
        kind=cast(ZoneKind, zone.kind),
        name=zone.name,
        area_m2=zone.area_m2,
        capacity=zone.capacity,
    )


def window_out(window: OpeningHours) -> OpeningWindow:
    return OpeningWindow(weekday=window.weekday, opens=window.opens_at, closes=window.closes_at)


def hub_detail_out(hub: Hub, *, is_open_now: bool, summary: dict[str, Any]) -> HubDetailOut:
    return HubDetailOut(
        **_hub_fields(hub),
        zones=[zone_out(z) for z in hub.zones.all()],
        opening_hours=[window_out(w) for w in hub.opening_hours.all()],
        is_open_now=is_open_now,
        service_area=ServiceAreaSummary(**summary),
    )
