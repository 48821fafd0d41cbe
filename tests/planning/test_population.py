"""Population grid imports: cells or points, summed into the planning cells, all or nothing."""

from __future__ import annotations

import h3
import pytest
from django.conf import settings

from hyperlocal.geo import Point, cell_of
from hyperlocal.imports import ImportFailed
from hyperlocal.planning.imports import import_population_grid
from hyperlocal.planning.models import PopulationCell
from hyperlocal.regions.models import Region
from tests.factories import HONGDAE, MAPO_OFFICE

RES = settings.REGION_CELL_RESOLUTION
HONGDAE_CELL = cell_of(HONGDAE, RES)
OFFICE_CELL = cell_of(MAPO_OFFICE, RES)
SANGAM = Point(37.571793, 126.880860)
GANGNAM_CELL = str(h3.latlng_to_cell(37.4979, 127.0276, RES))


def run(text: str, source: str = "SGIS 2024") -> object:
    return import_population_grid(text.encode(), "grid.csv", source=source)


def errors_of(text: str, source: str = "SGIS 2024") -> set[tuple[int, str | None]]:
    with pytest.raises(ImportFailed) as exc:
        run(text, source)
    return {(e.line, e.field) for e in exc.value.errors}


def test_cells_at_the_platform_resolution_then_an_update(mapo: Region) -> None:
    report = run(f"cell,population,households\n{HONGDAE_CELL},120,50\n{OFFICE_CELL},80,\n")
    assert (report.created, report.updated) == (2, 0)  # type: ignore[attr-defined]
    hongdae = PopulationCell.objects.get(cell=HONGDAE_CELL)
    assert (hongdae.population, hongdae.households, hongdae.region.code) == (120, 50, "1144066000")
    assert PopulationCell.objects.get(cell=OFFICE_CELL).households is None
    report = run(f"cell,population\n{HONGDAE_CELL.upper()},130\n")
    assert (report.created, report.updated) == (0, 1)  # type: ignore[attr-defined]
    assert PopulationCell.objects.get(cell=HONGDAE_CELL).population == 130
    assert PopulationCell.objects.count() == 2  # cells not in the file stay
    run(f"cell,population\n{HONGDAE_CELL},7\n", source="other survey")
    assert PopulationCell.objects.filter(cell=HONGDAE_CELL).count() == 2  # one per source


def test_finer_cells_are_summed_into_their_parent(mapo: Region) -> None:
    children = sorted(h3.cell_to_children(HONGDAE_CELL, RES + 1))[:3]
    rows = "".join(f"{c},{10 * (i + 1)},{i + 1}\n" for i, c in enumerate(children))
    run("cell,population,households\n" + rows)
    cell = PopulationCell.objects.get()
    assert (cell.cell, cell.population, cell.households) == (HONGDAE_CELL, 60, 6)


def test_points_are_counted_into_the_cell_that_holds_them(mapo: Region) -> None:
    run(
        f"lat,lng,population\n{HONGDAE.lat},{HONGDAE.lng},5\n{HONGDAE.lat},{HONGDAE.lng},7\n{MAPO_OFFICE.lat},{MAPO_OFFICE.lng},1\n"
    )
    assert dict(PopulationCell.objects.values_list("cell", "population")) == {
        HONGDAE_CELL: 12,
        OFFICE_CELL: 1,
    }


def test_every_bad_row_is_reported_and_nothing_changes(mapo: Region) -> None:
    run(f"cell,population\n{HONGDAE_CELL},100\n")
    coarse = str(h3.cell_to_parent(OFFICE_CELL, RES - 1))
    child = sorted(h3.cell_to_children(HONGDAE_CELL, RES + 1))[0]
    text = (
        "cell,population,households\n"
        f"{HONGDAE_CELL},200,\n"  # 2: fine on its own (but see line 9)
        "not-a-cell,1,\n"  # 3
        f"{OFFICE_CELL},-1,\n"  # 4
        f"{OFFICE_CELL},1,\n"  # 5: twice
        f"{coarse},1,\n"  # 6: coarser than the platform's cells
        f"{GANGNAM_CELL},1,\n"  # 7: outside every region
        f"{cell_of(SANGAM, RES + 1)},,\n"  # 8: population missing
        f"{child},3,x\n"  # 9: households not a number, and its parent was given directly
    )
    assert errors_of(text) == {
        (3, "cell"),
        (4, "population"),
        (5, "cell"),
        (6, "cell"),
        (7, "cell"),
        (8, "population"),
        (9, "households"),
        (9, "cell"),
    }
    assert list(PopulationCell.objects.values_list("cell", "population")) == [(HONGDAE_CELL, 100)]


def test_point_rows_blame_lat_and_lng(mapo: Region) -> None:
    assert errors_of("lat,lng,population\nx,126.9,1\n37.5,181,1\n37.4979,127.0276,1\n") == {
        (2, "lat"),
        (3, "lng"),
        (4, "lat"),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("population\n1\n", (1, "lat")),  # neither cell nor lat/lng
        ("cell,lat,lng,population\n", (1, "cell")),
        ("cell,population,colour\n", (1, "colour")),
        ("", (0, None)),
        ('cell,population\n"abc,1\n', (2, None)),
    ],
)
def test_malformed_files(mapo: Region, text: str, expected: tuple[int, str | None]) -> None:
    assert expected in errors_of(text)
    assert not PopulationCell.objects.exists()


@pytest.mark.parametrize("source", ["", "   ", "x" * 101])
def test_the_source_is_required(mapo: Region, source: str) -> None:
    assert errors_of(f"cell,population\n{HONGDAE_CELL},1\n", source=source) == {(0, "source")}


def test_bom_and_thousands_separators(mapo: Region) -> None:
    text = f'\ufeffcell,population\n{HONGDAE_CELL},"1,234"\n'
    import_population_grid(text.encode(), "grid.csv", source="s")
    assert PopulationCell.objects.get().population == 1234
