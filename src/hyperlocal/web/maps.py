"""What the Leaflet maps draw, as plain JSON-ready dicts (rendered with json_script).

The map works offline: without MAP_TILES_URL the dongs' boundaries are the base layer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import h3
from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hyperlocal.accounts.models import Household
from hyperlocal.geo import cells_to_feature_collection
from hyperlocal.hubs import services as hub_services
from hyperlocal.hubs.models import Hub
from hyperlocal.regions.models import Region

# Required by the boundary data's licence (see regions/data/mapo/README.md).
BOUNDARY_ATTRIBUTION = (
    "Boundaries: Statistics Korea SGIS (KOGL Type 1), "
    '<a href="https://github.com/vuski/admdongkor">vuski/admdongkor</a> (CC BY 4.0)'
)


def region_name(region: Region) -> str:
    if (get_language() or "ko").startswith("ko") or not region.name_en:
        return region.name_ko
    return region.name_en


def default_district() -> Region | None:
    """The district the anonymous map shows: the first one configured."""
    return Region.objects.filter(level=Region.Level.DISTRICT).order_by("code").first()


def dong_outlines(district: Region | None) -> dict[str, Any]:
    features = []
    if district is not None:
        for dong in district.children.filter(boundary__isnull=False).order_by("code"):
            features.append(
                {
                    "type": "Feature",
                    "geometry": dong.boundary,
                    "properties": {
                        "name": region_name(dong),
                        "lat": dong.centroid_lat,
                        "lng": dong.centroid_lng,
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


def _rounded(value: Any) -> Any:
    # Five decimals are about a metre: plenty for a drawing, and half the bytes.
    if isinstance(value, float):
        return round(value, 5)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def outline(cells: Iterable[str]) -> dict[str, Any]:
    """The outline of a set of cells as one GeoJSON geometry (far lighter than a polygon per cell)."""
    geometry = h3.cells_to_geo(list(cells))
    return {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"])}


def area_bands(area: dict[str, Any], parts: int = 3) -> dict[str, Any]:
    """A service area (a FeatureCollection of cells with travel_minutes) as nested outlines:
    the cells reached within a third, two thirds and all of the longest ride. Drawn on top of
    each other with a light fill, the area gets darker where delivery is quicker."""
    minutes = {f["properties"]["cell"]: float(f["properties"]["travel_minutes"]) for f in area["features"]}
    features: list[dict[str, Any]] = []
    if minutes:
        longest = max(minutes.values())
        for part in range(parts, 0, -1):
            limit = longest * part / parts
            cells = [cell for cell, m in minutes.items() if m <= limit + 1e-9]
            if cells:
                features.append(
                    {
                        "type": "Feature",
                        "geometry": outline(cells),
                        "properties": {"minutes": math.ceil(limit), "cells": len(cells)},
                    }
                )
    return {"type": "FeatureCollection", "features": features}


def hub_entry(hub: Hub, distance_m: float | None = None, *, parts: int = 3) -> dict[str, Any]:
    return {
        "name": hub.name,
        "url": reverse("web:hub", args=[hub.slug]),
        "lat": hub.lat,
        "lng": hub.lng,
        "distance_m": distance_m,
        "area": area_bands(hub_services.service_area_geojson(hub), parts),
    }


def base_payload(district: Region | None) -> dict[str, Any]:
    return {
        "tiles": {"url": settings.MAP_TILES_URL, "attribution": settings.MAP_TILES_ATTRIBUTION}
        if settings.MAP_TILES_URL
        else None,
        "attribution": BOUNDARY_ATTRIBUTION,
        "dongs": dong_outlines(district),
        "cells": None,
        "home": None,
        "hubs": [],
        "pick": False,
        "labels": {
            "home": _("Home"),
            "picked": _("New home here"),
            "zoom_in": _("Zoom in"),
            "zoom_out": _("Zoom out"),
        },
    }


def neighbourhood_payload(
    household: Household, cells: set[str], hubs: list[tuple[Hub, float]]
) -> dict[str, Any]:
    payload = base_payload(household.region.district)
    payload["cells"] = cells_to_feature_collection(
        {cell: {"home": cell == household.home_cell} for cell in sorted(cells)}
    )
    payload["home"] = {"lat": household.lat, "lng": household.lng}
    payload["hubs"] = [hub_entry(hub, distance) for hub, distance in hubs]
    return payload


def district_payload(district: Region | None, hubs: list[Hub], *, pick: bool = False) -> dict[str, Any]:
    payload = base_payload(district)
    # Several hubs at once: only the outline of each service area, drawn lightly.
    payload["hubs"] = [hub_entry(hub, parts=1) for hub in hubs]
    payload["pick"] = pick
    payload["overview"] = True
    return payload


def hub_payload(hub: Hub) -> dict[str, Any]:
    payload = base_payload(hub.region.district)
    payload["hubs"] = [hub_entry(hub)]
    payload["show_areas"] = True
    return payload
