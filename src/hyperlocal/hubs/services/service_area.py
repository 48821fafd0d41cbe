"""Service areas: the cells from which a courier of the hub's mode reaches the door within
the hub's promise (minus the pick-and-pack time), and the queries that use them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hyperlocal.errors import InvalidInput
from hyperlocal.geo import (
    CircuityModel,
    Mode,
    OsrmTableModel,
    Point,
    TravelTimeModel,
    TravelTimeUnavailable,
    cell_of,
    cells_to_feature_collection,
    haversine_m,
    reachable_cells,
    travel_model_from_config,
)
from hyperlocal.hubs.errors import ServiceAreaUnavailable
from hyperlocal.hubs.models import Hub, ServiceAreaCell


@dataclass(frozen=True)
class ServiceArea:
    cells: dict[str, float]  # cell -> travel minutes from the hub
    signature: str


def default_travel_model() -> TravelTimeModel:
    try:
        return travel_model_from_config(settings.TRAVEL_MODEL)
    except ValueError as exc:
        raise ServiceAreaUnavailable(f"the travel-time model is misconfigured: {exc}") from None


def _model_tag(model: TravelTimeModel, mode: Mode) -> str:
    if isinstance(model, CircuityModel):
        return f"circuity{model.circuity:g}@{model.speeds_m_per_min[mode]:g}"
    if isinstance(model, OsrmTableModel):
        return "osrm"
    return type(model).__name__.lower()


def signature_for(lat: float, lng: float, mode: str, budget: int, model: TravelTimeModel) -> str:
    """What an area was computed for, e.g. "bike:20:37.566300,126.901900:res9:circuity1.3@250"."""
    resolution = settings.SERVICE_AREA_RESOLUTION
    return f"{mode}:{budget}:{lat:.6f},{lng:.6f}:res{resolution}:{_model_tag(model, Mode(mode))}"[:120]


def compute_service_area(
    lat: float, lng: float, mode: str, budget_minutes: int, model: TravelTimeModel | None = None
) -> ServiceArea:
    """The cells reachable within the ride budget; writes nothing."""
    model = model or default_travel_model()
    try:
        cells = reachable_cells(
            Point(lat, lng), budget_minutes, Mode(mode), model, settings.SERVICE_AREA_RESOLUTION
        )
    except TravelTimeUnavailable as exc:
        raise ServiceAreaUnavailable(
            f"the service area cannot be computed now, the travel-time model is unavailable ({exc}); "
            "nothing was changed"
        ) from None
    except ValueError as exc:  # a budget too large for the resolution
        raise InvalidInput(str(exc), field="promise_minutes") from None
    return ServiceArea(cells, signature_for(lat, lng, mode, budget_minutes, model))


def area_for(hub: Hub, model: TravelTimeModel | None = None) -> ServiceArea:
    return compute_service_area(
        hub.lat, hub.lng, hub.courier_mode, hub.promise_minutes - hub.prep_minutes, model
    )


def store_service_area(hub: Hub, area: ServiceArea) -> int:
    """Replace the hub's cells in one go and stamp when and for what they were computed."""
    with transaction.atomic():
        ServiceAreaCell.objects.filter(hub=hub).delete()
        ServiceAreaCell.objects.bulk_create(
            [ServiceAreaCell(hub=hub, cell=c, travel_minutes=t) for c, t in sorted(area.cells.items())],
            batch_size=2000,
        )
        hub.service_area_computed_at = timezone.now()
        hub.service_area_signature = area.signature
        hub.save(update_fields=["service_area_computed_at", "service_area_signature"])
    return len(area.cells)


def refresh_service_area(hub: Hub, *, model: TravelTimeModel | None = None) -> int:
    """Recompute and replace the hub's service area; returns the number of cells. Raises
    ServiceAreaUnavailable (503) when the travel-time model cannot answer, before writing."""
    return store_service_area(hub, area_for(hub, model))


def service_area_is_stale(hub: Hub, model: TravelTimeModel | None = None) -> bool:
    """True when the stored area was computed for another point, promise, mode, resolution
    or travel model than the hub's current ones (or never computed)."""
    if hub.service_area_computed_at is None:
        return True
    current = signature_for(
        hub.lat,
        hub.lng,
        hub.courier_mode,
        hub.promise_minutes - hub.prep_minutes,
        model or default_travel_model(),
    )
    return current != hub.service_area_signature


def service_area_summary(hub: Hub) -> dict[str, Any]:
    stats = hub.service_cells.aggregate(max_minutes=Max("travel_minutes"))
    try:
        stale = service_area_is_stale(hub)
    except ServiceAreaUnavailable:
        stale = True
    return {
        "cells": hub.service_cells.count(),
        "max_travel_minutes": stats["max_minutes"],
        "computed_at": hub.service_area_computed_at,
        "signature": hub.service_area_signature,
        "stale": stale,
    }


def service_area_geojson(hub: Hub) -> dict[str, object]:
    """A FeatureCollection with one polygon per cell, each with its `travel_minutes`."""
    rows = hub.service_cells.order_by("cell").values_list("cell", "travel_minutes")
    return cells_to_feature_collection({cell: {"travel_minutes": minutes} for cell, minutes in rows})


def hubs_serving_with_minutes(point: Point, *, open_only: bool = True) -> list[tuple[Hub, float]]:
    """Hubs whose service area holds the point's cell, quickest first, with the ride time."""
    cell = cell_of(point, settings.SERVICE_AREA_RESOLUTION)
    rows = ServiceAreaCell.objects.filter(cell=cell).select_related("hub__region")
    if open_only:
        rows = rows.filter(hub__status=Hub.Status.OPEN)
    return [(row.hub, row.travel_minutes) for row in rows.order_by("travel_minutes", "hub__name")]


def hubs_serving(point: Point) -> list[Hub]:
    """Open hubs that deliver to the point (their service area holds its cell)."""
    return [hub for hub, _ in hubs_serving_with_minutes(point)]


def nearby_hubs(point: Point, *, limit: int = 5) -> list[tuple[Hub, float]]:
    """Open hubs by straight-line distance in metres, nearest first."""
    if limit < 1:
        raise InvalidInput("limit must be at least 1", field="limit")
    hubs = Hub.objects.filter(status=Hub.Status.OPEN).select_related("region")
    ranked = sorted(((hub, haversine_m(point, Point(hub.lat, hub.lng))) for hub in hubs), key=lambda x: x[1])
    return ranked[:limit]
