"""Demand per cell: households from a population grid or the dongs' statistics, orders by
count or value, a blend of both, and growth per dong or district."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import h3
import pytest
from django.conf import settings
from django.utils import timezone

from hyperlocal.errors import InvalidInput
from hyperlocal.hubs.models import Hub, ServiceAreaCell
from hyperlocal.orders.models import Order, OrderStatus
from hyperlocal.planning.models import PopulationCell
from hyperlocal.planning.services import CellDemand, build_demand, clean_parameters
from hyperlocal.regions.models import Region, RegionCell
from tests.factories import HubFactory
from tests.planning.helpers import DONG, dong_cells, population
from tests.planning.helpers import order as place_order

NOW = timezone.make_aware(datetime(2025, 6, 30, 12, 0))


def demand(region: str = "11440", notes: list[str] | None = None, **raw: Any) -> dict[str, CellDemand]:
    params = clean_parameters({"region_code": region, **raw})
    rows = build_demand(Region.objects.get(code=region), params, now=NOW, notes=notes)
    assert [r.cell for r in rows] == sorted(r.cell for r in rows)
    return {r.cell: r for r in rows}


def order(cell: str, total: int, *, days_ago: float = 1, status: str = OrderStatus.DELIVERED) -> Order:
    return place_order(cell, total, at=NOW - timedelta(days=days_ago), status=status)


def test_households_from_the_grid(mapo: Region) -> None:
    a, b, c = dong_cells(count=3)
    population({a: 100, b: 60})
    seogyo = Region.objects.get(code=DONG)
    PopulationCell.objects.create(cell=c, region=seogyo, population=330, households=None, source="test grid")
    rows = demand(demand_source="population", orders_per_household_day=0.1)
    assert set(rows) == {a, b, c}
    assert rows[a] == CellDemand(a, DONG, pytest.approx(10.0), 100.0)  # type: ignore[arg-type]
    # No household count: population over the dong's persons per household.
    per_household = seogyo.population / seogyo.households  # type: ignore[operator]
    assert rows[c].households == pytest.approx(330 / per_household)
    assert rows[c].orders_per_day == pytest.approx(0.1 * 330 / per_household)


def test_the_newest_source_unless_one_is_named(mapo: Region) -> None:
    a, b = dong_cells(count=2)
    population({a: 10}, source="old survey")
    PopulationCell.objects.filter(source="old survey").update(imported_at=NOW - timedelta(days=400))
    population({b: 20}, source="new survey")
    assert set(demand(demand_source="population")) == {b}
    assert set(demand(demand_source="population", population_source="old survey")) == {a}
    with pytest.raises(InvalidInput) as exc:
        demand(demand_source="population", population_source="census 1990")
    assert exc.value.field == "population_source"


def test_without_a_grid_the_dongs_statistics_are_spread_over_their_cells(mapo: Region) -> None:
    rows = demand(demand_source="population", orders_per_household_day=0.05)
    seogyo = Region.objects.get(code=DONG)
    mine = [r for r in rows.values() if r.dong_code == DONG]
    assert len(mine) == RegionCell.objects.filter(region=seogyo).count()
    assert sum(r.households or 0 for r in mine) == pytest.approx(seogyo.households)
    assert len({round(r.orders_per_day, 9) for r in mine}) == 1  # evenly
    total = sum(Region.objects.filter(parent__code="11440").values_list("households", flat=True))
    assert sum(r.households or 0 for r in rows.values()) == pytest.approx(total)
    one_dong = demand(region=DONG, demand_source="population")
    assert set(one_dong) == {r.cell for r in mine}


def test_orders_by_count_and_by_value(mapo: Region) -> None:
    a, b = dong_cells(count=2)
    order(a, 10_000)
    order(a, 10_000, days_ago=27)
    order(b, 40_000)
    order(b, 99_000, status=OrderStatus.CANCELLED)  # not demand
    order(b, 99_000, days_ago=29)  # before the 28 days
    by_count = demand(demand_source="orders")
    assert by_count[a].orders_per_day == pytest.approx(2 / 28)
    assert by_count[b].orders_per_day == pytest.approx(1 / 28)
    assert by_count[a].dong_code == DONG
    by_value = demand(demand_source="orders", order_weight="value")
    assert by_value[a].orders_per_day == pytest.approx(3 / 28 * 20 / 60)
    assert by_value[b].orders_per_day == pytest.approx(3 / 28 * 40 / 60)
    # Households ride along where the dongs say, for rent per household.
    assert by_count[a].households is not None
    assert demand(demand_source="orders", orders_days=60)[b].orders_per_day == pytest.approx(2 / 60)


def test_finer_delivery_cells_count_in_their_parent(mapo: Region) -> None:
    (a,) = dong_cells(count=1)
    child = sorted(h3.cell_to_children(a, settings.REGION_CELL_RESOLUTION + 1))[0]
    order(child, 5_000)
    rows = demand(demand_source="orders")
    assert set(rows) == {a}


def test_no_orders_yet(mapo: Region) -> None:
    with pytest.raises(InvalidInput) as exc:
        demand(demand_source="orders")
    assert exc.value.field == "demand_source"
    assert "no orders" in exc.value.message
    notes: list[str] = []
    rows = demand(demand_source="blend", notes=notes)  # households alone, and it says so
    assert rows
    assert notes == ["no orders in the last 28 days: demand from households alone"]


def test_no_households_and_no_orders(db: None) -> None:
    Region.objects.create(code="11110", name_ko="종로구", level=Region.Level.DISTRICT)
    with pytest.raises(InvalidInput) as exc:
        demand(region="11110", demand_source="population")
    assert exc.value.field == "demand_source"
    assert "no households" in exc.value.message


def serve(*cells: str) -> None:
    """An open hub whose service area holds ``cells``."""
    hub = HubFactory(status=Hub.Status.OPEN)
    ServiceAreaCell.objects.bulk_create(ServiceAreaCell(hub=hub, cell=c, travel_minutes=5.0) for c in cells)


def test_blend_applies_the_parameter_s_rate_to_served_and_unserved_cells_alike(mapo: Region) -> None:
    a, b = dong_cells(count=2)
    population({a: 100, b: 100})
    serve(a)  # orders can come only from a
    for _ in range(28):
        order(a, 10_000)  # one order a day: 0.01 a household a day in the served cell
    notes: list[str] = []
    rows = demand(demand_source="blend", orders_share=0.25, orders_per_household_day=0.05, notes=notes)
    # One area alone learns the region's own rate: a factor of 1, so 0.05 a household in the
    # unserved cell b as in a (today's 0.01 is the platform's reach, not the demand).
    assert rows[a].orders_per_day == pytest.approx(5.0)
    assert rows[b].orders_per_day == pytest.approx(5.0)
    assert (rows[a].households, rows[b].households) == (100.0, 100.0)
    assert "shaped by how much each area orders where hubs deliver" in notes[0]
    assert "1 of 16 areas have their own factor (1-1 x), the rest 1" in notes[0]
    # The orders alone see only where a hub delivers.
    assert set(demand(demand_source="orders")) == {a}


def test_an_area_that_orders_more_gets_more_demand_and_the_rest_the_parameter_s(mapo: Region) -> None:
    a, b = dong_cells(count=2)
    other = RegionCell.objects.exclude(region__code=DONG).order_by("cell")[:2]
    e, f = (r.cell for r in other)
    population({a: 100, b: 100})
    population({e: 100, f: 50}, code=other[0].region.code)
    serve(a, e)
    for _ in range(28):
        order(a, 10_000)  # Seogyo's served cell: 1 a day over 100 households
    for _ in range(7):
        order(e, 10_000)  # too few for a factor of its own dong
    # The region's served cells: (1 + 7/28) a day over 200 households = 0.00625; Seogyo's
    # 0.01 is 1.6 x that.
    rows = demand(demand_source="blend", orders_share=1.0, orders_per_household_day=0.05)
    assert rows[a].orders_per_day == pytest.approx(100 * 0.05 * 1.6)
    assert rows[b].orders_per_day == pytest.approx(100 * 0.05 * 1.6)
    assert rows[e].orders_per_day == pytest.approx(100 * 0.05)
    assert rows[f].orders_per_day == pytest.approx(50 * 0.05)
    half = demand(demand_source="blend", orders_share=0.5, orders_per_household_day=0.05)
    assert half[a].orders_per_day == pytest.approx(100 * 0.05 * (0.5 + 0.5 * 1.6))
    ServiceAreaCell.objects.all().delete()  # no cell served: nothing to learn from
    notes: list[str] = []
    alone = demand(demand_source="blend", orders_share=1.0, orders_per_household_day=0.05, notes=notes)
    assert alone[a].orders_per_day == pytest.approx(5.0)
    assert "too few orders" in notes[0]


def test_growth_by_dong_overrides_the_district(mapo: Region) -> None:
    a, b = dong_cells(count=2)
    other = RegionCell.objects.exclude(region__code=DONG).order_by("cell").first()
    assert other is not None
    population({a: 100, b: 20})
    population({other.cell: 50}, code=other.region.code)
    plain = demand(demand_source="population")
    grown = demand(demand_source="population", growth={DONG: 1.5, "11440": 1.2})
    assert grown[a].orders_per_day == pytest.approx(1.5 * plain[a].orders_per_day)
    assert grown[a].households == pytest.approx(150.0)
    assert grown[other.cell].orders_per_day == pytest.approx(1.2 * plain[other.cell].orders_per_day)
    shrunk = demand(demand_source="population", growth={other.region.code: 0.5})
    assert shrunk[other.cell].households == pytest.approx(25.0)
    assert shrunk[a].households == pytest.approx(100.0)
