"""A finished plan as files: the chosen sites as CSV, sites and covered cells as GeoJSON.

Both read the plan's stored result only, so an export says what the plan said even after
spaces, hubs or orders have changed."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from hyperlocal.errors import Conflict
from hyperlocal.geo import cell_boundary
from hyperlocal.planning.models import SitePlan

CSV_COLUMNS = (
    "key",
    "kind",
    "name",
    "address",
    "lat",
    "lng",
    "floor_area_m2",
    "monthly_rent_won",
    "capacity_per_day",
    "orders_per_day",
    "households",
    "cells",
)
SITE_PROPERTIES = (
    "key",
    "kind",
    "space_id",
    "hub_slug",
    "name",
    "address",
    "floor_area_m2",
    "monthly_rent_won",
    "capacity_per_day",
    "orders_per_day",
    "households",
    "cells",
    "can_community",
    "can_popup",
    "can_stay",
)
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _result(plan: SitePlan) -> Mapping[str, Any]:
    if plan.status != SitePlan.Status.DONE or not isinstance(plan.result, dict):
        raise Conflict(
            f"site plan {plan.pk} is {plan.status}, not done: there is nothing to export yet", field="plan_id"
        )
    return plan.result


def _safe_text(value: object) -> object:
    """Text that a spreadsheet shows as text (a leading ' stops formulas); numbers as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: object) -> object:
    return "" if value is None else _safe_text(value)


def plan_csv(plan: SitePlan) -> str:
    """One row per site of the plan (new and existing), in the plan's order."""
    result = _result(plan)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for site in result.get("sites", []):
        writer.writerow([_cell(site.get(column)) for column in CSV_COLUMNS])
    return out.getvalue()


def plan_geojson(plan: SitePlan) -> dict[str, Any]:
    """A FeatureCollection: one Point per site, then one Polygon per covered cell (with the site
    serving it, the minutes to it and its demand). Each feature says which it is in
    ``properties.feature`` ("site" or "cell")."""
    result = _result(plan)
    features: list[dict[str, Any]] = []
    for site in result.get("sites", []):
        properties = {"feature": "site", **{name: site.get(name) for name in SITE_PROPERTIES}}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [site["lng"], site["lat"]]},
                "properties": properties,
            }
        )
    for cell in result.get("cells", []):
        if cell.get("site") is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[list(p) for p in cell_boundary(cell["cell"])]],
                },
                "properties": {
                    "feature": "cell",
                    "cell": cell["cell"],
                    "site": cell["site"],
                    "minutes": cell.get("minutes"),
                    "orders_per_day": cell.get("orders_per_day"),
                    "households": cell.get("households"),
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "properties": {
            "plan": plan.pk,
            "model": result.get("model"),
            "status": result.get("status"),
            "coverage_share": (result.get("coverage") or {}).get("share"),
        },
        "features": features,
    }
