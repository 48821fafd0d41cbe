"""Candidate vacant spaces from CSV or from a GeoJSON FeatureCollection of Point features.

Both carry the same fields (as CSV columns or as feature properties): name, address, kind,
floor_area_m2, monthly_rent_won, and optionally available_from (YYYY-MM-DD), can_warehouse,
can_community, can_popup, can_stay (true/false) and external_id. CSV has lat and lng columns;
GeoJSON takes the point from the geometry. For GeoJSON the `line` of an error is the feature's
position in the file (counting from 1), and the message says so. A space whose external_id
was imported before is updated; one without an external_id is always new."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone

from hyperlocal.geo import InvalidCoordinates, Point, cell_of
from hyperlocal.imports import (
    ImportFailed,
    ImportReport,
    RowCollector,
    RowError,
    bool_field,
    decode,
    int_field,
    read_csv,
)
from hyperlocal.planning.imports.common import check_text, chunks
from hyperlocal.planning.models import VacantSpace
from hyperlocal.regions.services import regions_for_points

KIND = "vacant spaces"
FIELDS = ["name", "address", "kind", "floor_area_m2", "monthly_rent_won"]
OPTIONAL = ["available_from", "can_warehouse", "can_community", "can_popup", "can_stay", "external_id"]
FLAGS = {"can_warehouse": True, "can_community": False, "can_popup": False, "can_stay": False}
LIMITS = {"name": 120, "address": 300, "external_id": 64}
INT_MAX = {"floor_area_m2": 2**31 - 1, "monthly_rent_won": 2**63 - 1}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SPACES_HELP = (
    "CSV (columns name, address, lat, lng, kind, floor_area_m2, monthly_rent_won, and optionally "
    "available_from YYYY-MM-DD, can_warehouse, can_community, can_popup, can_stay, external_id) or a "
    "GeoJSON FeatureCollection of Point features with those properties. kind is one of "
    + ", ".join(VacantSpace.Kind.values)
    + ". A space with an external_id imported before is updated."
)


@dataclass(frozen=True)
class _Space:
    line: int
    point: Point
    values: dict[str, Any]


class _Rows:
    """A RowCollector that says "feature N" in the message when the file is GeoJSON."""

    def __init__(self, bad: RowCollector, geojson: bool) -> None:
        self.bad, self.geojson = bad, geojson

    def add(self, line: int, field: str | None, message: str) -> None:
        self.bad.add(line, field, f"feature {line}: {message}" if self.geojson and line else message)


def _is_geojson(filename: str, text: str) -> bool:
    return filename.lower().endswith((".geojson", ".json")) or text.lstrip().startswith("{")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str | int | float):
        return str(value).strip()
    raise ValueError("must be a single value, not a list or an object")


def _features(text: str, rows: _Rows) -> Iterator[tuple[int, dict[str, str], Point | None]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        problem = f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        raise ImportFailed([RowError(exc.lineno, None, problem)], kind=KIND) from None
    features = document.get("features") if isinstance(document, dict) else None
    if (
        not isinstance(document, dict)
        or document.get("type") != "FeatureCollection"
        or not isinstance(features, list)
    ):
        raise ImportFailed([RowError(0, None, "expected a GeoJSON FeatureCollection")], kind=KIND)
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            rows.add(number, None, "is not a GeoJSON Feature")
            continue
        props = feature.get("properties")
        row: dict[str, str] = {}
        for key, value in (props if isinstance(props, dict) else {}).items():
            try:
                row[str(key)] = _as_text(value)
            except ValueError as exc:
                rows.add(number, str(key), str(exc))
        yield number, row, _geometry_point(number, feature.get("geometry"), rows)


def _geometry_point(number: int, geometry: Any, rows: _Rows) -> Point | None:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind != "Point":
        rows.add(number, "geometry", f"geometry must be a Point, got {kind or 'none'}")
        return None
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        rows.add(number, "geometry", "a Point's coordinates must be [lng, lat]")
        return None
    try:
        return Point(coordinates[1], coordinates[0])
    except InvalidCoordinates as exc:
        rows.add(number, exc.field, str(exc))
        return None


def _csv_rows(text: str, rows: _Rows) -> Iterator[tuple[int, dict[str, str], Point | None]]:
    for line, row in read_csv(
        text, required=[*FIELDS[:2], "lat", "lng", *FIELDS[2:]], optional=OPTIONAL, kind=KIND
    ):
        if "__error__" in row:
            rows.add(line, None, row["__error__"])
            continue
        try:
            point: Point | None = Point.parse(row["lat"], row["lng"])
        except InvalidCoordinates as exc:
            rows.add(line, exc.field, str(exc))
            point = None
        yield line, row, point


def _values(line: int, row: dict[str, str], rows: _Rows) -> dict[str, Any]:
    """The model fields of one row; every problem is reported, with its field."""
    values: dict[str, Any] = {}
    for name in (*FIELDS[:2], "external_id"):
        text = row.get(name, "")
        if not text and name != "external_id":
            rows.add(line, name, "is required")
        elif len(text) > LIMITS[name]:
            rows.add(line, name, f"is longer than {LIMITS[name]} characters")
        values[name] = text
    kind = row.get("kind", "")
    if kind not in VacantSpace.Kind.values:
        rows.add(line, "kind", f"must be one of {', '.join(VacantSpace.Kind.values)}, got {kind!r}")
    values["kind"] = kind
    for name, minimum in (("floor_area_m2", 1), ("monthly_rent_won", 0)):
        try:
            values[name] = int_field(row, name, minimum=minimum)
            if values[name] > INT_MAX[name]:
                raise ValueError(f"is too large ({values[name]})")
        except ValueError as exc:
            rows.add(line, name, str(exc))
    values["available_from"] = _date(line, row.get("available_from", ""), rows)
    for name, default in FLAGS.items():
        try:
            values[name] = bool_field(row, name, default=default)
        except ValueError as exc:
            rows.add(line, name, str(exc))
    return values


def _date(line: int, raw: str, rows: _Rows) -> date:
    if not raw:
        return timezone.localdate()
    try:
        if not DATE.fullmatch(raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        rows.add(line, "available_from", f"must be a date written YYYY-MM-DD, got {raw!r}")
        return timezone.localdate()


def _parse(text: str, geojson: bool, bad: RowCollector) -> list[_Space]:
    rows = _Rows(bad, geojson)
    source = _features(text, rows) if geojson else _csv_rows(text, rows)
    spaces: list[_Space] = []
    first: dict[str, int] = {}
    for line, row, point in source:
        if geojson:
            missing = [name for name in FIELDS if name not in row]
            if missing:
                rows.add(line, missing[0], f"missing properties: {', '.join(missing)}")
                continue
        values = _values(line, row, rows)
        external_id = values["external_id"]
        if external_id and external_id in first:
            unit = "features" if geojson else "lines"
            rows.add(
                line, "external_id", f"{external_id!r} appears twice ({unit} {first[external_id]} and {line})"
            )
        first.setdefault(external_id, line)
        if point is not None:
            spaces.append(_Space(line, point, values))
    regions = regions_for_points(s.point for s in spaces)
    for space in spaces:
        if space.point not in regions:
            where = f"({space.point.lat:.6f}, {space.point.lng:.6f})"
            rows.add(space.line, "lat", f"the point {where} is outside every region this platform serves")
        else:
            space.values.update(region=regions[space.point], lat=space.point.lat, lng=space.point.lng)
    return spaces


def import_vacant_spaces(data: bytes, filename: str) -> ImportReport:
    """Check every row or feature, refuse the file if any is bad, then create and update in bulk."""
    text = decode(data, kind=KIND)
    check_text(text, KIND)
    bad = RowCollector(KIND)
    spaces = _parse(text, _is_geojson(filename, text), bad)
    bad.errors.sort(key=lambda e: e.line)  # in file order, whichever check found them
    bad.raise_if_any()
    ids = [s.values["external_id"] for s in spaces if s.values["external_id"]]
    existing: dict[str, VacantSpace] = {}
    for chunk in chunks(ids):
        existing.update({v.external_id: v for v in VacantSpace.objects.filter(external_id__in=chunk)})
    resolution = settings.REGION_CELL_RESOLUTION
    created: list[VacantSpace] = []
    updated: list[VacantSpace] = []
    for space in spaces:
        row = existing.get(space.values["external_id"]) or VacantSpace()
        for name, value in space.values.items():
            setattr(row, name, value)
        row.cell = cell_of(space.point, resolution)
        (updated if row.pk else created).append(row)
    VacantSpace.objects.bulk_create(created, batch_size=1000)
    fields = [*FIELDS, *OPTIONAL, "region", "lat", "lng", "cell"]
    VacantSpace.objects.bulk_update(updated, fields, batch_size=1000)
    return ImportReport(kind=KIND, created=len(created), updated=len(updated), notes=[f"from {filename}"])
