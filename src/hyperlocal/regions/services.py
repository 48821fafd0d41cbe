"""Regions: loading administrative boundaries and finding the region of a point."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from hyperlocal.errors import InvalidInput, NotFound
from hyperlocal.geo import InvalidCoordinates, Point, cell_of, geometry_cells, geometry_centroid
from hyperlocal.imports import ImportFailed, RowCollector, RowError, int_field, read_csv
from hyperlocal.regions.models import Region, RegionCell

MAPO_CODE = "11440"
MAX_CODE_LENGTH = 16  # Region.code's max_length
# Cells per `cell__in` query: well below SQLite's and PostgreSQL's parameter limits.
LOOKUP_CHUNK = 2000


@dataclass(frozen=True)
class DongStats:
    code: str
    name_ko: str
    name_en: str
    lat: float
    lng: float
    population: int | None
    households: int | None


@dataclass(frozen=True)
class _Dong:
    """One dong of a district file, checked and with its cells, ready to be written."""

    number: int  # position in the file, counting from 1
    code: str
    name_ko: str
    geometry: dict[str, Any]
    cells: frozenset[str]


def _optional_int(value: str | None) -> int | None:
    return int(value) if value else None


def read_dong_stats(rows: Iterable[Mapping[str, str]]) -> dict[str, DongStats]:
    """Rows shaped like the shipped dongs.csv (adm_code, name_ko, name_en, lat, lng, ...),
    trusted as they are; use parse_dong_stats for a file from elsewhere."""
    stats = {}
    for row in rows:
        stats[row["adm_code"]] = DongStats(
            code=row["adm_code"],
            name_ko=row["name_ko"],
            name_en=row.get("name_en", ""),
            lat=float(row["lat"]),
            lng=float(row["lng"]),
            population=_optional_int(row.get("population")),
            households=_optional_int(row.get("households")),
        )
    return stats


def parse_dong_stats(text: str) -> dict[str, DongStats]:
    """A dong statistics CSV (columns as in the shipped dongs.csv), every row checked;
    raises ImportFailed listing every bad row."""
    kind = "dong statistics"
    rows = read_csv(
        text,
        required=["adm_code", "name_ko", "lat", "lng"],
        optional=["name_en", "population", "households", "source_note"],
        kind=kind,
    )
    bad = RowCollector(kind)
    stats: dict[str, DongStats] = {}
    for line, row in rows:
        if "__error__" in row:
            bad.add(line, None, row["__error__"])
            continue
        code = row["adm_code"]
        if not code.isdigit():
            bad.add(line, "adm_code", f"must be a numeric administrative code, got {code!r}")
        elif code in stats:
            bad.add(line, "adm_code", f"{code} appears twice")
        if not row["name_ko"]:
            bad.add(line, "name_ko", "is required")
        try:
            point = Point.parse(row["lat"], row["lng"])
        except InvalidCoordinates as exc:
            bad.add(line, exc.field, str(exc))
            continue
        counts: dict[str, int | None] = {}
        for name in ("population", "households"):
            try:
                counts[name] = int_field(row, name, minimum=0) if row.get(name) else None
            except ValueError as exc:
                bad.add(line, name, str(exc))
        stats[code] = DongStats(
            code=code,
            name_ko=row["name_ko"],
            name_en=row.get("name_en", ""),
            lat=point.lat,
            lng=point.lng,
            population=counts.get("population"),
            households=counts.get("households"),
        )
    bad.raise_if_any()
    return stats


def _check_dongs(code: str, dongs: Mapping[str, Any], resolution: int) -> list[_Dong]:
    """Every feature of a district's FeatureCollection checked (10-digit `adm_cd2` inside the
    district, a polygon geometry) before anything is written; ImportFailed lists the bad ones.
    The `line` of an error is the feature's position in the file, counting from 1."""
    kind = "district boundaries"
    is_collection = isinstance(dongs, Mapping) and dongs.get("type") == "FeatureCollection"
    features = dongs.get("features") if is_collection else None
    if not isinstance(features, list) or not features:
        problem = RowError(0, None, "expected a GeoJSON FeatureCollection with features")
        raise ImportFailed([problem], kind=kind)
    bad = RowCollector(kind)
    checked: list[_Dong] = []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, Mapping) else None
        geometry = feature.get("geometry") if isinstance(feature, Mapping) else None
        if not isinstance(props, Mapping) or not isinstance(geometry, dict):
            bad.add(number, None, f"feature {number} needs properties and a geometry")
            continue
        dong_code = str(props.get("adm_cd2", "")).strip()
        if not dong_code.isdigit() or not dong_code.startswith(code) or dong_code == code:
            bad.add(number, "adm_cd2", f"feature {number}: dong {dong_code!r} is not part of district {code}")
            continue
        try:
            cells = geometry_cells(geometry, resolution)
        except ValueError as exc:
            bad.add(number, "geometry", f"feature {number}: {exc}")
            continue
        name = str(props.get("adm_nm", "")).split()
        checked.append(_Dong(number, dong_code, name[-1] if name else dong_code, geometry, frozenset(cells)))
    first: dict[str, int] = {}
    for dong in checked:
        if dong.code in first:
            where = f"features {first[dong.code]} and {dong.number}"
            bad.add(dong.number, "adm_cd2", f"dong {dong.code} appears twice ({where})")
        first.setdefault(dong.code, dong.number)
    bad.raise_if_any()
    return checked


def _polygons(geometry: Mapping[str, Any]) -> list[Any]:
    coordinates = geometry["coordinates"]
    return list(coordinates) if geometry["type"] == "MultiPolygon" else [coordinates]


@transaction.atomic
def import_district(
    *, code: str, name_ko: str, name_en: str, dongs: Mapping[str, Any], stats: Mapping[str, DongStats]
) -> Region:
    """Create or update a district and its dongs from a GeoJSON FeatureCollection whose
    features carry `adm_cd2` (10-digit code) and `adm_nm`; rebuilds the dongs' cells.
    Statistics are optional per dong; a dong without them gets its polygon's centroid."""
    resolution = settings.REGION_CELL_RESOLUTION
    checked = _check_dongs(code, dongs, resolution)
    district, _ = Region.objects.update_or_create(
        code=code,
        defaults={"name_ko": name_ko, "name_en": name_en, "level": Region.Level.DISTRICT},
    )
    polygons: list[Any] = []
    population = households = 0
    # Generalised boundaries can overlap by a sliver: a cell goes to the first dong by code.
    taken: set[str] = set()
    for item in sorted(checked, key=lambda d: d.code):
        row = stats.get(item.code)
        centroid = Point(row.lat, row.lng) if row else geometry_centroid(item.geometry)
        dong, _ = Region.objects.update_or_create(
            code=item.code,
            defaults={
                "name_ko": row.name_ko if row else item.name_ko,
                "name_en": row.name_en if row else "",
                "level": Region.Level.DONG,
                "parent": district,
                "boundary": item.geometry,
                "centroid_lat": centroid.lat,
                "centroid_lng": centroid.lng,
                "population": row.population if row else None,
                "households": row.households if row else None,
            },
        )
        cells = sorted(item.cells - taken)
        taken.update(cells)
        RegionCell.objects.filter(region=dong).delete()
        # A cell whose centre lies in this dong cannot be another region's: replace stale rows.
        for chunk in _chunks(cells):
            RegionCell.objects.filter(cell__in=chunk).delete()
        RegionCell.objects.bulk_create([RegionCell(region=dong, cell=c) for c in cells])
        polygons.extend(_polygons(item.geometry))
        if row is not None:
            population += row.population or 0
            households += row.households or 0
    district.boundary = {"type": "MultiPolygon", "coordinates": polygons}
    district.population = population or None
    district.households = households or None
    centre = geometry_centroid(district.boundary)
    district.centroid_lat, district.centroid_lng = centre.lat, centre.lng
    district.save()
    return district


def load_mapo() -> Region:
    """Mapo-gu, Seoul, from the package's copy of the public boundary and population data."""
    data = resources.files("hyperlocal.regions") / "data" / "mapo"
    dongs = json.loads((data / "dongs.geojson").read_text(encoding="utf-8"))
    stats = read_dong_stats(csv.DictReader(io.StringIO((data / "dongs.csv").read_text(encoding="utf-8"))))
    return import_district(code=MAPO_CODE, name_ko="마포구", name_en="Mapo-gu", dongs=dongs, stats=stats)


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), LOOKUP_CHUNK):
        yield items[start : start + LOOKUP_CHUNK]


def find_region(point: Point) -> Region | None:
    """The leaf region (a dong) whose cells hold the point, or None."""
    cell = cell_of(point, settings.REGION_CELL_RESOLUTION)
    found = RegionCell.objects.select_related("region__parent").filter(cell=cell).first()
    return found.region if found else None


def region_for_point(point: Point, *, field: str = "location") -> Region:
    """Like find_region, but refuses points outside every configured region."""
    region = find_region(point)
    if region is None:
        raise InvalidInput(
            f"{field}: the point ({point.lat:.6f}, {point.lng:.6f}) is outside every region "
            "this platform serves",
            field=field,
        )
    return region


def regions_for_cells(cells: Iterable[str]) -> dict[str, Region]:
    """The leaf region of each cell (at REGION_CELL_RESOLUTION) that lies in one, in a few
    queries: for imports, which locate thousands of rows at once."""
    region_ids: dict[str, int] = {}
    for chunk in _chunks(sorted(set(cells))):
        region_ids.update(RegionCell.objects.filter(cell__in=chunk).values_list("cell", "region_id"))
    regions = Region.objects.in_bulk(set(region_ids.values()))
    return {cell: regions[region_id] for cell, region_id in region_ids.items()}


def regions_for_points(points: Iterable[Point]) -> dict[Point, Region]:
    """The leaf region of each point that lies in one (points outside are left out)."""
    resolution = settings.REGION_CELL_RESOLUTION
    cells = {point: cell_of(point, resolution) for point in points}
    by_cell = regions_for_cells(cells.values())
    return {point: by_cell[cell] for point, cell in cells.items() if cell in by_cell}


def region_cells(region: Region) -> set[str]:
    """All cells of a region: its own, or its dongs' for a district."""
    if region.level == Region.Level.DONG:
        return set(RegionCell.objects.filter(region=region).values_list("cell", flat=True))
    return set(RegionCell.objects.filter(region__parent=region).values_list("cell", flat=True))


def get_region(code: str) -> Region:
    """A region named in input (e.g. a column of an import); unknown -> InvalidInput."""
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise InvalidInput(f"no region with code {code!r}", field="region") from None


def region_by_code(code: str) -> Region:
    """A region addressed by its code (e.g. in a URL); unknown -> NotFound."""
    # A NUL byte cannot even be sent to PostgreSQL: such a code names no region.
    valid = 0 < len(code) <= MAX_CODE_LENGTH and "\x00" not in code
    region = Region.objects.select_related("parent").filter(code=code).first() if valid else None
    if region is None:
        raise NotFound(f"no region with code {code!r}", field="code")
    return region


def list_regions(*, level: str | None = None) -> QuerySet[Region]:
    regions = Region.objects.select_related("parent").order_by("code")
    return regions.filter(level=level) if level else regions


def locate(point: Point, *, field: str = "lat") -> tuple[Region, Region]:
    """The dong and the district that hold a point; InvalidInput outside every region."""
    dong = region_for_point(point, field=field)
    return dong, dong.district
