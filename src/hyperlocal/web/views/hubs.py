"""The hub list and a hub's page (address, hours, promise, zones, service area map)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import dates

from hyperlocal.errors import NotFound
from hyperlocal.geo import geometry_area_m2
from hyperlocal.hubs import services as hubs
from hyperlocal.web.maps import hub_payload


def hub_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/hubs/list.html", {"hubs": hubs.list_hubs()})


def hub_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        hub = hubs.get_hub(slug)
    except NotFound:
        raise Http404 from None
    hours = [
        {"day": dates.WEEKDAYS[window.weekday], "opens": window.opens_at, "closes": window.closes_at}
        for window in hub.opening_hours.order_by("weekday", "opens_at")
    ]
    payload = hub_payload(hub)
    bands = payload["hubs"][0]["area"]["features"]
    summary = hubs.service_area_summary(hub)
    context = {
        "hub": hub,
        "hours": hours,
        "zones": hub.zones.order_by("kind", "name"),
        # The first band is the whole service area.
        "area_km2": geometry_area_m2(bands[0]["geometry"]) / 1e6 if bands else None,
        "longest_ride": summary["max_travel_minutes"],
        "map": payload,
    }
    return render(request, "web/hubs/detail.html", context)
