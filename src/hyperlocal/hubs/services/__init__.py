"""Hub services: hubs, zones, opening hours and service areas.

The API, admin, imports and commands call these; they hold every business rule for hubs.
"""

from hyperlocal.hubs.services.hours import clean_windows, is_open_at, set_opening_hours
from hyperlocal.hubs.services.hubs import create_hub, get_hub, list_hubs, update_hub
from hyperlocal.hubs.services.permissions import can_operate, is_platform_admin
from hyperlocal.hubs.services.service_area import (
    ServiceArea,
    compute_service_area,
    hubs_serving,
    hubs_serving_with_minutes,
    nearby_hubs,
    refresh_service_area,
    service_area_geojson,
    service_area_is_stale,
    service_area_summary,
)
from hyperlocal.hubs.services.siting import (
    HubStatus,
    PlanningHub,
    ZoneKind,
    hub_of_space,
    open_hubs_for_planning,
    region_ids_operated_by,
    served_cells,
    slug_taken,
    space_ids_with_hubs,
)
from hyperlocal.hubs.services.zones import add_zone, check_zone_areas, delete_zone, get_zone, update_zone

__all__ = [
    "HubStatus",
    "PlanningHub",
    "ServiceArea",
    "ZoneKind",
    "add_zone",
    "can_operate",
    "check_zone_areas",
    "clean_windows",
    "compute_service_area",
    "create_hub",
    "delete_zone",
    "get_hub",
    "get_zone",
    "hub_of_space",
    "hubs_serving",
    "hubs_serving_with_minutes",
    "is_open_at",
    "is_platform_admin",
    "list_hubs",
    "nearby_hubs",
    "open_hubs_for_planning",
    "refresh_service_area",
    "region_ids_operated_by",
    "served_cells",
    "service_area_geojson",
    "service_area_is_stale",
    "service_area_summary",
    "set_opening_hours",
    "slug_taken",
    "space_ids_with_hubs",
    "update_hub",
    "update_zone",
]
