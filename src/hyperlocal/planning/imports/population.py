"""A population grid from CSV, counted per H3 cell at REGION_CELL_RESOLUTION.

Columns: either `cell` (an H3 cell) or `lat` and `lng` (a point, e.g. the centre of a census
grid square), then `population` (required, 0 or more) and `households` (optional).

How rows become cells (the planning cells are REGION_CELL_RESOLUTION cells, like regions):
- a cell at that resolution is taken as it is, and may appear only once in a file;
- a finer cell, and a point, is counted into the cell at that resolution that holds it, and
  such rows are summed (a 100 m census grid lands in the cells it falls in);
- a coarser cell is refused: splitting its people among its children would invent a pattern;
- a cell given directly and also through finer cells or points is refused (counted twice?).
`households` of a cell is the sum of its rows when every row gives one, else left empty.
Every cell must lie in a region. Rows are upserted by (source, cell); cells of the same source
that are not in the file are left as they were."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import h3
from django.conf import settings
from django.utils import timezone

from hyperlocal.geo import InvalidCoordinates, Point, cell_of, is_cell
from hyperlocal.imports import ImportFailed, ImportReport, RowCollector, RowError, decode, int_field, read_csv
from hyperlocal.planning.imports.common import check_text, chunks
from hyperlocal.planning.models import PopulationCell
from hyperlocal.regions.services import regions_for_cells

KIND = "population grid"
SOURCE_MAX = 100
POPULATION_HELP = (
    "CSV with a header: either cell (an H3 cell at the platform's resolution or finer) or lat, lng; "
    "then population (required, 0 or more) and households (optional). Finer cells and points are "
    "summed into the platform's cells; every cell must lie in a region. Rows are updated by "
    "(source, cell)."
)


@dataclass
class _Cell:
    """What the file says about one planning cell."""

    column: str  # the column to blame when the cell is refused
    direct_line: int | None = None  # the line that named this very cell
    via_line: int | None = None  # the first line that reached it through a finer cell or a point
    lines: list[int] = field(default_factory=list)
    population: int = 0
    households: int | None = 0


def _resolution(cell: str) -> int:
    return int(h3.get_resolution(cell))


def _parent(cell: str, resolution: int) -> str:
    return str(h3.cell_to_parent(cell, resolution))


def _header(text: str) -> list[str]:
    try:
        return [h.strip() for h in next(csv.reader(io.StringIO(text, newline="")), [])]
    except csv.Error:
        return []  # read_csv reports it


def _check_source(source: str) -> str:
    source = (source or "").strip()
    problem = None
    if not source:
        problem = "source is required: name the data set and its vintage, e.g. 'SGIS grid 2024'"
    elif len(source) > SOURCE_MAX or "\x00" in source:
        problem = f"source must be text of at most {SOURCE_MAX} characters"
    if problem:
        raise ImportFailed([RowError(0, "source", problem)], kind=KIND)
    return source


def _target(row: dict[str, str], by_cell: bool, resolution: int) -> tuple[str, bool]:
    """(planning cell, whether the row names it directly); ValueError(field, message) if bad."""
    if not by_cell:
        try:
            return cell_of(Point.parse(row["lat"], row["lng"]), resolution), False
        except InvalidCoordinates as exc:
            raise ValueError(exc.field, str(exc)) from None
    raw = row["cell"].lower()
    if not is_cell(raw):
        raise ValueError("cell", f"{row['cell']!r} is not a valid H3 cell")
    found = _resolution(raw)
    if found < resolution:
        raise ValueError(
            "cell",
            f"{raw} is at resolution {found}, coarser than the platform's {resolution}; give finer cells",
        )
    return (raw, True) if found == resolution else (_parent(raw, resolution), False)


def _collect(text: str, bad: RowCollector) -> dict[str, _Cell]:
    header = _header(text)
    by_cell = "cell" in header
    if by_cell and ("lat" in header or "lng" in header):
        raise ImportFailed(
            [RowError(1, "cell", "give either a cell column or lat and lng, not both")], kind=KIND
        )
    where = ["cell"] if by_cell else ["lat", "lng"]
    resolution = settings.REGION_CELL_RESOLUTION
    cells: dict[str, _Cell] = {}
    seen: dict[str, int] = {}
    for line, row in read_csv(text, required=[*where, "population"], optional=["households"], kind=KIND):
        if "__error__" in row:
            bad.add(line, None, row["__error__"])
            continue
        population = households = None
        try:
            population = int_field(row, "population", minimum=0)
        except ValueError as exc:
            bad.add(line, "population", str(exc))
        try:
            households = int_field(row, "households", minimum=0) if row.get("households") else None
        except ValueError as exc:
            bad.add(line, "households", str(exc))
        try:
            target, direct = _target(row, by_cell, resolution)
        except ValueError as exc:
            bad.add(line, *exc.args)
            continue
        literal = row["cell"].lower() if by_cell else None
        if literal is not None and literal in seen:
            bad.add(line, "cell", f"{literal} appears twice (lines {seen[literal]} and {line})")
            continue
        if literal is not None:
            seen[literal] = line
        entry = cells.setdefault(target, _Cell(column="cell" if by_cell else "lat"))
        if direct:
            entry.direct_line = line
        elif entry.via_line is None:
            entry.via_line = line
        if entry.direct_line is not None and entry.via_line is not None:
            bad.add(
                line,
                "cell",
                f"cell {target} is given directly (line {entry.direct_line}) and through finer cells "
                f"(line {entry.via_line}); it would be counted twice",
            )
        entry.lines.append(line)
        entry.population += population or 0
        entry.households = (
            None if households is None or entry.households is None else entry.households + households
        )
    return cells


def import_population_grid(data: bytes, filename: str, *, source: str) -> ImportReport:
    """Check every row, refuse the file if any is bad, then upsert the cells of `source`."""
    source = _check_source(source)
    text = decode(data, kind=KIND)
    check_text(text, KIND)
    bad = RowCollector(KIND)
    cells = _collect(text, bad)
    regions = regions_for_cells(cells)
    for cell, entry in cells.items():
        if cell not in regions:
            for line in entry.lines:
                bad.add(line, entry.column, f"cell {cell} is outside every region this platform serves")
    bad.errors.sort(key=lambda e: e.line)  # in file order, whichever check found them
    bad.raise_if_any()
    existing: dict[str, PopulationCell] = {}
    for chunk in chunks(sorted(cells)):
        existing.update({p.cell: p for p in PopulationCell.objects.filter(source=source, cell__in=chunk)})
    now = timezone.now()
    created: list[PopulationCell] = []
    updated: list[PopulationCell] = []
    for cell, entry in sorted(cells.items()):
        row = existing.get(cell) or PopulationCell(source=source, cell=cell)
        row.region = regions[cell]
        row.population, row.households, row.imported_at = entry.population, entry.households, now
        (updated if cell in existing else created).append(row)
    PopulationCell.objects.bulk_create(created, batch_size=1000)
    PopulationCell.objects.bulk_update(
        updated, ["region", "population", "households", "imported_at"], batch_size=1000
    )
    notes = [f"source {source!r}", f"from {filename}"]
    return ImportReport(kind=KIND, created=len(created), updated=len(updated), notes=notes)
