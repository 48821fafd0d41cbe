"""Hubs from CSV or GeoJSON: upsert by slug, the whole file or nothing.

CSV columns: name, slug, address, lat, lng, floor_area_m2 (required); promise_minutes,
prep_minutes, courier_mode, status (optional; defaults 30, 10, bike, open).
GeoJSON: a FeatureCollection of Point features whose properties carry the same names
(lat and lng come from the geometry). For GeoJSON a reported "line" is the feature's
number (1 = the first feature); 0 means the file as a whole.
Service areas of created hubs and of hubs whose point, promise, prep time or mode changed
are computed after the rows are written, in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Sum

from hyperlocal.errors import InvalidInput
from hyperlocal.hubs.models import Hub, Zone
from hyperlocal.hubs.services.fields import DEFAULTS, HUB_CLEANERS, SLUG, check_minutes, clean_location
from hyperlocal.hubs.services.hubs import AREA_FIELDS
from hyperlocal.hubs.services.service_area import area_for, store_service_area
from hyperlocal.imports import ImportFailed, ImportReport, RowCollector, RowError, decode, int_field, read_csv

KIND = "hubs"
GEOJSON_KIND = "hubs (GeoJSON: line = feature number)"
REQUIRED = ("name", "slug", "address", "lat", "lng", "floor_area_m2")
OPTIONAL = ("promise_minutes", "prep_minutes", "courier_mode", "status")
INT_FIELDS = ("floor_area_m2", "promise_minutes", "prep_minutes")
HELP = (
    "CSV with columns name, slug, address, lat, lng, floor_area_m2 and optionally promise_minutes, "
    "prep_minutes, courier_mode (walk/bike/scooter/car), status (planned/open/paused/closed); or a "
    "GeoJSON FeatureCollection of Point features with those properties (for GeoJSON, a reported line "
    "is the feature's number). Hubs are matched by slug: a match is updated, anything else is created."
)


def _is_geojson(data: bytes, filename: str) -> bool:
    if filename.lower().endswith((".geojson", ".json")):
        return True
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def _features(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(feature number, properties with lat/lng from the geometry); a bad feature comes as
    {"__error__": (field, message)}."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            [RowError(0, None, f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")],
            kind=GEOJSON_KIND,
        ) from None
    if (
        not isinstance(doc, dict)
        or doc.get("type") != "FeatureCollection"
        or not isinstance(doc.get("features"), list)
    ):
        raise ImportFailed([RowError(0, None, "expected a GeoJSON FeatureCollection")], kind=GEOJSON_KIND)
    for number, feature in enumerate(doc["features"], start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            yield number, {"__error__": (None, "not a GeoJSON Feature")}
            continue
        geometry, props = feature.get("geometry"), feature.get("properties")
        if not isinstance(props, dict):
            yield number, {"__error__": ("properties", "feature has no properties")}
            continue
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            kind = geometry.get("type") if isinstance(geometry, dict) else geometry
            yield number, {"__error__": ("geometry", f"geometry must be a Point, got {kind!r}")}
            continue
        if not isinstance(coords, list) or len(coords) < 2:
            yield number, {"__error__": ("geometry", "a Point needs [longitude, latitude]")}
            continue
        yield number, {**props, "lng": coords[0], "lat": coords[1]}


def _rows(data: bytes, filename: str) -> tuple[str, list[tuple[int, dict[str, Any]]]]:
    if _is_geojson(data, filename):
        return GEOJSON_KIND, list(_features(decode(data, kind=GEOJSON_KIND)))
    return KIND, list(read_csv(decode(data, kind=KIND), required=REQUIRED, optional=OPTIONAL, kind=KIND))


def _number(row: dict[str, Any], name: str) -> int | None:
    """An integer from a CSV cell ("1,200") or a JSON number (1200, never 1200.5); None if empty."""
    value = row.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        return int_field(row, name)
    raise ValueError(f"must be a whole number, got {value!r}")


@dataclass
class _Known:
    """The hubs the file may update, and the floor area their zones take."""

    hubs: dict[str, Hub]
    zoned: dict[int, int]


def _known(rows: list[tuple[int, dict[str, Any]]]) -> _Known:
    slugs = {r["slug"] for _, r in rows if isinstance(r.get("slug"), str) and SLUG.fullmatch(r["slug"])}
    hubs = {h.slug: h for h in Hub.objects.filter(slug__in=slugs)}
    totals = Zone.objects.filter(hub__in=hubs.values()).values("hub").annotate(total=Sum("area_m2"))
    return _Known(hubs, {t["hub"]: t["total"] for t in totals})


def _check_combined(line: int, values: dict[str, Any], known: _Known, errors: RowCollector) -> None:
    """Rules across fields, against the hub's current values (or the defaults for a new hub)
    where the row leaves a cell empty."""
    current = known.hubs.get(values.get("slug", ""))
    promise = values.get(
        "promise_minutes", current.promise_minutes if current else DEFAULTS["promise_minutes"]
    )
    prep = values.get("prep_minutes", current.prep_minutes if current else DEFAULTS["prep_minutes"])
    try:
        check_minutes(
            promise, prep, field="promise_minutes" if "promise_minutes" in values else "prep_minutes"
        )
    except InvalidInput as exc:
        errors.add(line, exc.field, exc.message)
    zoned = known.zoned.get(current.pk, 0) if current else 0
    if "floor_area_m2" in values and values["floor_area_m2"] < zoned:
        errors.add(line, "floor_area_m2", f"is smaller than the {zoned} m² the hub's zones take")


def _clean_row(line: int, row: dict[str, Any], known: _Known, errors: RowCollector) -> dict[str, Any] | None:
    """The row's hub fields (empty optional cells left out), or None if any cell is bad."""
    before = len(errors.errors)
    raw: dict[str, Any] = {}
    for name in REQUIRED:
        if name not in row or row[name] in ("", None):
            errors.add(line, name, "is required")
    for name in INT_FIELDS:
        try:
            raw[name] = _number(row, name)
        except ValueError as exc:
            errors.add(line, name, str(exc))
    for name in ("name", "slug", "address", "courier_mode", "status"):
        raw[name] = row.get(name)
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if value in ("", None):
            continue
        try:
            values[name] = HUB_CLEANERS[name](value)
        except InvalidInput as exc:
            errors.add(line, exc.field or name, exc.message)
    if row.get("lat") not in ("", None) and row.get("lng") not in ("", None):
        try:
            values.update(clean_location(row["lat"], row["lng"]))
        except InvalidInput as exc:  # the report names the field already: drop a "lat: " prefix
            errors.add(line, exc.field, exc.message.removeprefix(f"{exc.field}: "))
    if len(errors.errors) == before:
        _check_combined(line, values, known, errors)
    return values if len(errors.errors) == before else None


def import_hubs(data: bytes, filename: str) -> ImportReport:
    """Validate every row, write hubs in bulk, then compute the needed service areas.
    Any bad row refuses the whole file (ImportFailed); nothing is written then. An empty
    optional cell keeps an existing hub's value (a new hub gets the default)."""
    kind, rows = _rows(data, filename)
    known = _known(rows)
    errors = RowCollector(kind)
    good: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        if "__error__" in row:
            problem = row["__error__"]
            field, message = problem if isinstance(problem, tuple) else (None, problem)
            errors.add(line, field, message)
            continue
        values = _clean_row(line, row, known, errors)
        if values is None:
            continue
        if values["slug"] in seen:
            errors.add(
                line, "slug", f"slug {values['slug']!r} already appears on line {seen[values['slug']]}"
            )
            continue
        seen[values["slug"]] = line
        good.append(values)
    errors.raise_if_any()

    created: list[Hub] = []
    updated: list[Hub] = []
    stale: list[Hub] = []
    changed: set[str] = set()
    for values in good:
        hub = known.hubs.get(values["slug"])
        if hub is None:
            created.append(Hub(**{**DEFAULTS, **values}))
            continue
        if hub.service_area_computed_at is None or any(
            name in values and getattr(hub, name) != values[name] for name in AREA_FIELDS
        ):
            stale.append(hub)
        for name, value in values.items():
            setattr(hub, name, value)
        changed.update(values)
        updated.append(hub)
    # Compute every area before writing: an unavailable travel model then changes nothing.
    areas = [(hub, area_for(hub)) for hub in created + stale]
    with transaction.atomic():
        Hub.objects.bulk_create(created)
        if updated:
            Hub.objects.bulk_update(updated, sorted(changed - {"slug"}))
        for hub, area in areas:
            store_service_area(hub, area)
    notes = [f"from {filename}", f"{len(areas)} service area(s) computed"]
    return ImportReport(kind=KIND, created=len(created), updated=len(updated), notes=notes)
