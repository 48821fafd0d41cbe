"""Exports of a finished plan: the sites as CSV (safe to open in a spreadsheet) and the sites
and covered cells as GeoJSON; nothing to export before a plan is done."""

from __future__ import annotations

import csv
import io

import pytest

from hyperlocal.errors import Conflict
from hyperlocal.geo import cell_boundary
from hyperlocal.planning.models import SitePlan
from hyperlocal.planning.services.export import CSV_COLUMNS, plan_csv, plan_geojson
from hyperlocal.planning.services.plans import execute_plan
from hyperlocal.regions.models import Region
from tests.planning.plan_helpers import BASE, SmallWorld, done_plan, operator, site_json, small_world


@pytest.fixture
def world(mapo: Region) -> SmallWorld:
    return small_world()


@pytest.fixture
def plan(world: SmallWorld) -> SitePlan:
    first, second = world.spaces[0], world.spaces[1]
    sites = [
        site_json(first, orders=5.5, households=110.0),
        site_json(second, orders=2.5, households=None),
        {
            **site_json(first),
            "key": "hub:old-hub",
            "kind": "existing",
            "space_id": None,
            "hub_slug": "old-hub",
            "name": '=HYPERLINK("http://evil")',
            "monthly_rent_won": None,
        },
    ]
    cells = [
        {
            "cell": world.cells[0],
            "orders_per_day": 5.0,
            "households": 100.0,
            "site": f"space:{first.pk}",
            "minutes": 3.0,
        },
        {
            "cell": world.cells[1],
            "orders_per_day": 3.0,
            "households": 60.0,
            "site": f"space:{second.pk}",
            "minutes": 7.5,
        },
        {"cell": world.cells[3], "orders_per_day": 0.5, "households": 10.0, "site": None, "minutes": None},
    ]
    return done_plan(sites, cells)


def test_csv_has_one_row_per_site_with_the_columns_named(plan: SitePlan, world: SmallWorld) -> None:
    text = plan_csv(plan)
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 4
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    space = world.spaces[0]
    assert first["key"] == f"space:{space.pk}"
    assert first["kind"] == "new"
    assert first["name"] == space.name
    assert float(first["lat"]) == pytest.approx(space.lat)
    assert first["monthly_rent_won"] == "1000000"
    assert first["orders_per_day"] == "5.5"
    second = dict(zip(CSV_COLUMNS, rows[2], strict=True))
    assert second["households"] == ""  # unknown, not "None"
    existing = dict(zip(CSV_COLUMNS, rows[3], strict=True))
    assert existing["kind"] == "existing"
    assert existing["monthly_rent_won"] == ""
    # A name that a spreadsheet would run as a formula is kept as text.
    assert existing["name"] == '\'=HYPERLINK("http://evil")'


def test_geojson_has_site_points_and_covered_cell_polygons(plan: SitePlan, world: SmallWorld) -> None:
    collection = plan_geojson(plan)
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    sites = [f for f in features if f["properties"]["feature"] == "site"]
    cells = [f for f in features if f["properties"]["feature"] == "cell"]
    assert len(sites) == 3
    space = world.spaces[0]
    assert sites[0]["geometry"] == {"type": "Point", "coordinates": [space.lng, space.lat]}
    assert sites[0]["properties"]["key"] == f"space:{space.pk}"
    assert sites[0]["properties"]["space_id"] == space.pk
    # The uncovered cell is left out.
    assert [c["properties"]["cell"] for c in cells] == world.cells[:2]
    polygon = cells[1]["geometry"]
    assert polygon["type"] == "Polygon"
    ring = polygon["coordinates"][0]
    assert ring[0] == ring[-1]
    assert ring == [list(p) for p in cell_boundary(world.cells[1])]
    assert cells[1]["properties"] | {} == {
        "feature": "cell",
        "cell": world.cells[1],
        "site": f"space:{world.spaces[1].pk}",
        "minutes": 7.5,
        "orders_per_day": 3.0,
        "households": 60.0,
    }
    assert collection["properties"]["plan"] == plan.pk


def test_a_plan_not_done_has_nothing_to_export(world: SmallWorld) -> None:
    plan = SitePlan.objects.create(region=Region.objects.get(code="11440"), parameters={})
    for export in (plan_csv, plan_geojson):
        with pytest.raises(Conflict):
            export(plan)
    plan.status = SitePlan.Status.FAILED
    with pytest.raises(Conflict, match="failed"):
        plan_csv(plan)


def test_a_plan_run_by_the_solver_exports_its_sites_and_cells(world: SmallWorld) -> None:
    from hyperlocal.planning.services.parameters import clean_parameters

    queued = SitePlan.objects.create(
        region=Region.objects.get(code="11440"),
        requested_by=operator(),
        parameters=clean_parameters(BASE | {"p": 2}).to_json(),
    )
    plan = execute_plan(queued.pk)
    assert plan.status == SitePlan.Status.DONE, plan.error
    assert plan.result is not None
    rows = list(csv.DictReader(io.StringIO(plan_csv(plan))))
    assert [r["key"] for r in rows] == [s["key"] for s in plan.result["sites"]]
    collection = plan_geojson(plan)
    covered = [c for c in plan.result["cells"] if c["site"]]
    assert sum(f["properties"]["feature"] == "cell" for f in collection["features"]) == len(covered) > 0
