"""Households from a CSV file: external_id, lat, lng[, address, size]. The whole file is
imported or nothing is; rows are upserted by (source "import", external_id)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings

from hyperlocal.accounts.models import Household
from hyperlocal.accounts.services.households import ADDRESS_MAX, SIZE_MAX
from hyperlocal.geo import InvalidCoordinates, Point, cell_of
from hyperlocal.imports import ImportFailed, ImportReport, RowCollector, RowError, decode, int_field, read_csv
from hyperlocal.regions.models import Region
from hyperlocal.regions.services import regions_for_points

KIND = "households"
SOURCE = "import"
EXTERNAL_ID_MAX = 64
COLUMNS_HELP = (
    "CSV with a header: external_id (required, unique in the file; a household imported before "
    "with the same id is updated), lat, lng (WGS84 degrees, inside a region this platform serves), "
    "address (optional), size (optional, people, 1 or more; default 1)."
)


@dataclass(frozen=True)
class _Row:
    line: int
    external_id: str
    point: Point
    address: str
    size: int


def check_text(text: str, kind: str) -> None:
    """PostgreSQL cannot store NUL characters: refuse the file and say where the first one is."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFailed([RowError(line, None, "the file contains a NUL character")], kind=kind)


def _parse(text: str, bad: RowCollector) -> list[_Row]:
    rows: list[_Row] = []
    first_line: dict[str, int] = {}
    csv_rows = read_csv(text, required=["external_id", "lat", "lng"], optional=["address", "size"], kind=KIND)
    for line, row in csv_rows:
        if "__error__" in row:
            bad.add(line, None, row["__error__"])
            continue
        external_id = row["external_id"]
        if not external_id:
            bad.add(line, "external_id", "is required")
        elif len(external_id) > EXTERNAL_ID_MAX:
            bad.add(line, "external_id", f"is longer than {EXTERNAL_ID_MAX} characters")
        elif external_id in first_line:
            bad.add(
                line,
                "external_id",
                f"{external_id!r} appears twice (lines {first_line[external_id]} and {line})",
            )
        first_line.setdefault(external_id, line)
        if len(row.get("address", "")) > ADDRESS_MAX:
            bad.add(line, "address", f"is longer than {ADDRESS_MAX} characters")
        try:
            size = int_field(row, "size", minimum=1, default=1)
            if size > SIZE_MAX:
                raise ValueError(f"must be at most {SIZE_MAX}, got {size}")
        except ValueError as exc:
            bad.add(line, "size", str(exc))
            size = 1
        try:
            point = Point.parse(row["lat"], row["lng"])
        except InvalidCoordinates as exc:
            bad.add(line, exc.field, str(exc))
            continue
        rows.append(_Row(line, external_id, point, row.get("address", ""), size))
    return rows


def _existing(external_ids: Iterable[str]) -> dict[str, Household]:
    ids = sorted(set(external_ids))
    found: dict[str, Household] = {}
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        found.update(
            {h.external_id: h for h in Household.objects.filter(source=SOURCE, external_id__in=chunk)}
        )
    return found


def _place(household: Household, row: _Row, region: Region) -> Household:
    household.region = region
    household.address = row.address
    household.lat, household.lng = row.point.lat, row.point.lng
    household.home_cell = cell_of(row.point, settings.NEIGHBOURHOOD_RESOLUTION)
    household.size = row.size
    return household


def _located(rows: list[_Row], bad: RowCollector) -> Iterator[tuple[_Row, Region]]:
    regions = regions_for_points(r.point for r in rows)
    for row in rows:
        region = regions.get(row.point)
        if region is None:
            where = f"({row.point.lat:.6f}, {row.point.lng:.6f})"
            bad.add(row.line, "lat", f"the point {where} is outside every region this platform serves")
        else:
            yield row, region


def import_households(data: bytes, filename: str) -> ImportReport:
    """Check every row first (and refuse the file, listing every bad row, if any is bad); then
    create the new households and update the ones imported before, in bulk."""
    text = decode(data, kind=KIND)
    check_text(text, KIND)
    bad = RowCollector(KIND)
    located = list(_located(_parse(text, bad), bad))
    bad.errors.sort(key=lambda e: e.line)  # in file order, whichever check found them
    bad.raise_if_any()
    existing = _existing(row.external_id for row, _ in located)
    created, updated = [], []
    for row, region in located:
        if row.external_id in existing:
            updated.append(_place(existing[row.external_id], row, region))
        else:
            created.append(_place(Household(source=SOURCE, external_id=row.external_id), row, region))
    Household.objects.bulk_create(created, batch_size=1000)
    fields = ["region", "address", "lat", "lng", "home_cell", "size"]
    Household.objects.bulk_update(updated, fields, batch_size=1000)
    return ImportReport(kind=KIND, created=len(created), updated=len(updated), notes=[f"from {filename}"])
