"""Running a plan end to end on a small world whose best answers are known by hand.

Four cells of Seogyo-dong with 100, 60, 50 and 10 households (0.05 orders a day each:
5, 3, 2.5 and 0.5 orders a day); three spaces: S1 reaches a and d, S2 reaches b and c, S3
reaches a and b. One site: S3 (160 households). Two sites: S1 + S2 (all 220), which the
greedy heuristic misses (it takes S3 first, then S2: 210)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from hyperlocal.errors import InvalidInput
from hyperlocal.geo import CircuityModel
from hyperlocal.hubs.models import Hub, Zone
from hyperlocal.optim.siting import greedy_mclp
from hyperlocal.planning.models import PopulationCell, VacantSpace, ZoneSplitRule
from hyperlocal.planning.services import build_inputs, clean_parameters, run_plan, solve
from hyperlocal.planning.services.outcome import per_household, weighted_quantile
from hyperlocal.regions.models import Region
from tests.factories import HubFactory, ZoneFactory
from tests.planning.helpers import DONG, TableModel, dong_cells, population, space
from tests.planning.helpers import order as place_order


class World:
    def __init__(self) -> None:
        self.a, self.b, self.c, self.d = dong_cells(count=4)
        population({self.a: 100, self.b: 60, self.c: 50, self.d: 10})
        self.s1 = space("S1", self.a, rent=1_000_000, area=400)
        self.s2 = space("S2", self.c, rent=2_000_000, area=400)
        self.s3 = space("S3", self.b, rent=5_000_000, area=100)
        self.rows: dict[Any, dict[str, float]] = {
            self.s1: {self.a: 5.0, self.d: 12.0},
            self.s2: {self.b: 8.0, self.c: 14.0},
            self.s3: {self.a: 3.0, self.b: 6.0},
        }

    @property
    def model(self) -> TableModel:
        return TableModel.of(self.rows)

    def key(self, s: VacantSpace) -> str:
        return f"space:{s.pk}"

    def run(self, **raw: Any) -> dict[str, Any]:
        base: dict[str, Any] = {
            "region_code": "11440",
            "demand_source": "population",
            "time_limit_seconds": 20,
            "capacitated": False,  # the tests of capacities say so
        }
        return run_plan(clean_parameters(base | raw), model=self.model)


@pytest.fixture
def world(mapo: Region) -> World:
    return World()


def new_sites(result: dict[str, Any]) -> set[str]:
    return {s["key"] for s in result["sites"] if s["kind"] == "new"}


def test_one_site_and_two_sites_are_the_optimal_ones(world: World) -> None:
    one = world.run(p=1)
    assert one["status"] == "optimal"
    assert one["optimal"] is True
    assert new_sites(one) == {world.key(world.s3)}
    assert one["coverage"]["orders_per_day"] == pytest.approx(8.0)
    assert one["coverage"]["households"] == pytest.approx(160)
    two = world.run(p=2)
    assert new_sites(two) == {world.key(world.s1), world.key(world.s2)}
    assert two["coverage"]["share"] == pytest.approx(1.0)
    assert two["demand"] == {"orders_per_day": 11.0, "households": 220.0, "cells": 4}


def test_the_greedy_heuristic_would_have_missed_the_pair(world: World) -> None:
    inputs = build_inputs(clean_parameters({"demand_source": "population", "p": 2}), model=world.model)
    greedy = greedy_mclp(inputs.problem, 2, promise=15.0)
    assert set(greedy.new_sites) == {world.key(world.s3), world.key(world.s2)}
    assert greedy.covered_weight == pytest.approx(10.5)
    assert solve(inputs).covered_weight == pytest.approx(11.0)


def test_metrics_of_the_pair(world: World) -> None:
    two = world.run(p=2)
    # Minutes a 5 (5 orders), b 8 (3), d 12 (0.5), c 14 (2.5): half the demand by 8, 90 % by 14.
    assert two["travel"] == {"p50": 8.0, "p90": 14.0, "mean": 8.18, "assigned_share": 1.0}  # mean 90 / 11
    assert two["rent"] == {
        "monthly_won": 3_000_000,
        "per_covered_household_won": 13_636,
        "households_added": 220.0,
    }
    by_key = {s["key"]: s for s in two["sites"]}
    s1 = by_key[world.key(world.s1)]
    assert (s1["orders_per_day"], s1["households"], s1["cells"]) == (5.5, 110.0, 2)
    assert (s1["space_id"], s1["hub_slug"], s1["monthly_rent_won"]) == (world.s1.pk, None, 1_000_000)
    assert s1["capacity_per_day"] == 220 * 2.0  # 55 % of 400 m², 2 orders a m²
    assert s1["available_from"] == "2024-01-01"
    cells = {c["cell"]: c for c in two["cells"]}
    assert cells[world.c] == {
        "cell": world.c,
        "orders_per_day": 2.5,
        "households": 50.0,
        "site": world.key(world.s2),
        "minutes": 14.0,
    }


def test_a_shorter_promise_leaves_cells_uncovered(world: World) -> None:
    two = world.run(p=2, promise_minutes=10)
    # Only a and b are within 10 minutes of any site: S1 (a, 5 min) and S2 (b, 8 min) are the
    # cheapest pair that reaches both.
    assert two["coverage"]["orders_per_day"] == pytest.approx(8.0)
    assert new_sites(two) == {world.key(world.s1), world.key(world.s2)}
    assert two["travel"] == {"p50": 5.0, "p90": 8.0, "mean": 6.12, "assigned_share": 0.727273}
    cells = {c["cell"]: c for c in two["cells"]}
    assert cells[world.c]["site"] is None
    assert cells[world.c]["minutes"] is None


def test_the_curve_solves_each_p(world: World) -> None:
    steps: list[tuple[str, float | None]] = []
    result = run_plan(
        clean_parameters({"demand_source": "population", "p": 1, "curve_up_to": 5}),
        model=world.model,
        progress=lambda what, fraction: steps.append((what, fraction)),
    )
    curve = result["curve"]
    assert [point["p"] for point in curve] == [1, 2, 3]  # capped at the three spaces
    assert [point["orders_per_day"] for point in curve] == [8.0, 11.0, 11.0]
    assert curve[1]["new_sites"] == sorted([world.key(world.s1), world.key(world.s2)]) or set(
        curve[1]["new_sites"]
    ) == {world.key(world.s1), world.key(world.s2)}
    assert curve[2]["monthly_rent_won"] == 8_000_000
    whats = [what for what, _ in steps]
    assert whats[:4] == ["reading demand", "finding candidate spaces", "travel times", "solving p=1"]
    assert "comparing p=3 of 3" in whats
    assert whats[-1] == "done"
    fractions = [f for _, f in steps if f is not None]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0


def test_set_cover_takes_the_fewest_sites(world: World) -> None:
    result = world.run(model="set_cover", target=0.96)  # S2 + S3 cover 10.5 of 11: 95.5 %
    assert result["status"] == "optimal"
    assert new_sites(result) == {world.key(world.s1), world.key(world.s2)}
    result = world.run(model="set_cover", target=0.7)
    assert new_sites(result) == {world.key(world.s3)}  # 8 of 11 orders a day: 72.7 %


def test_p_median_minimises_travel(world: World) -> None:
    result = world.run(model="p_median", p=2)
    assert result["status"] == "optimal"
    assert new_sites(result) == {world.key(world.s1), world.key(world.s2)}  # the only pair reaching all
    assert result["objective"] == pytest.approx(5 * 5 + 3 * 8 + 2.5 * 14 + 0.5 * 12)


def test_p_median_assigns_every_cell_even_beyond_the_promise(world: World) -> None:
    world.rows[world.s3] |= {world.c: 40.0, world.d: 50.0}
    result = world.run(model="p_median", p=1)
    assert new_sites(result) == {world.key(world.s3)}  # the only site that reaches every cell
    assert result["objective"] == pytest.approx(5 * 3 + 3 * 6 + 2.5 * 40 + 0.5 * 50)
    cells = {c["cell"]: c for c in result["cells"]}
    assert (cells[world.d]["site"], cells[world.d]["minutes"]) == (world.key(world.s3), 50.0)
    assert result["coverage"]["orders_per_day"] == pytest.approx(8.0)  # a and b within 15 minutes
    (site,) = result["sites"]
    assert (site["orders_per_day"], site["cells"]) == (11.0, 4)
    # Ride times over all the demand that has a site, not only the covered: a 3 min (5 orders),
    # b 6 (3), c 40 (2.5), d 50 (0.5). Over the covered alone it would read 3 / 6.
    assert result["travel"] == {"p50": 6.0, "p90": 40.0, "mean": 14.36, "assigned_share": 1.0}
    assert result["coverage"]["share"] == pytest.approx(8 / 11, abs=1e-6)


def test_orders_without_household_figures(world: World) -> None:
    PopulationCell.objects.all().delete()
    Region.objects.filter(code__startswith="11440").update(households=None, population=None)
    now = timezone.now()
    for _ in range(14):
        place_order(world.a, 20_000, at=now - timedelta(days=1))
    place_order(world.b, 20_000, at=now - timedelta(days=2))
    result = world.run(p=1, demand_source="orders")
    assert result["demand"] == {
        "orders_per_day": pytest.approx(15 / 28, abs=1e-4),
        "households": None,
        "cells": 2,
    }
    assert new_sites(result) == {world.key(world.s3)}
    assert result["coverage"]["households"] is None
    assert result["rent"] == {
        "monthly_won": 5_000_000,
        "per_covered_household_won": None,
        "households_added": None,
    }
    assert {c["cell"]: c["households"] for c in result["cells"]} == {world.a: None, world.b: None}


def test_an_unreachable_coverage_target_is_a_result_that_says_so(world: World) -> None:
    del world.rows[world.s2]
    result = world.run(model="set_cover", target=1.0)
    assert result["status"] == "infeasible"
    assert "coverage target" in result["message"]
    assert result["sites"] == []


def test_a_budget_too_small_names_the_budget(world: World) -> None:
    result = world.run(p=2, budget_won=2_500_000)
    assert result["status"] == "infeasible"
    assert "rent budget" in result["message"]
    assert "3,000,000 won" in result["message"]
    assert result["sites"] == []
    assert result["rent"]["monthly_won"] == 0


def test_a_budget_changes_the_choice(world: World) -> None:
    result = world.run(p=1, budget_won=4_000_000)
    assert new_sites(result) in ({world.key(world.s1)}, {world.key(world.s2)})  # S3 costs 5,000,000
    assert result["coverage"]["orders_per_day"] == pytest.approx(5.5)
    assert result["rent"]["monthly_won"] <= 4_000_000


def test_p_median_keeps_within_a_rent_budget(world: World) -> None:
    world.rows[world.s1] |= {world.b: 9.0, world.c: 10.0}  # S1 reaches all: 83 order-minutes
    world.rows[world.s3] |= {world.c: 7.0, world.d: 8.0}  # S3 too: 54.5, but 5,000,000 won
    free = world.run(model="p_median", p=1)
    assert new_sites(free) == {world.key(world.s3)}
    capped = world.run(model="p_median", p=1, budget_won=4_000_000)
    assert new_sites(capped) == {world.key(world.s1)}
    assert capped["objective"] == pytest.approx(5 * 5 + 3 * 9 + 2.5 * 10 + 0.5 * 12)
    assert capped["rent"]["monthly_won"] == 1_000_000
    tight = world.run(model="p_median", p=1, budget_won=500_000)
    assert tight["status"] == "infeasible"
    assert "budget" in tight["message"]


def test_capacities_change_the_choice(world: World) -> None:
    ZoneSplitRule.objects.create(region=Region.objects.get(code="11440"), orders_per_warehouse_m2=0.05)
    # Capacities: S1 and S2 220 m² x 0.05 = 11 orders a day, S3 55 m² x 0.05 = 2.75.
    result = world.run(p=1, capacitated=True)
    assert new_sites(result) in ({world.key(world.s1)}, {world.key(world.s2)})
    assert result["coverage"]["orders_per_day"] == pytest.approx(5.5)
    uncapped = world.run(p=1)
    assert new_sites(uncapped) == {world.key(world.s3)}
    tight = world.run(p=1, capacitated=True, model="p_median")
    assert tight["status"] == "infeasible"  # no single site serves all 11 orders a day within capacity


def test_open_hubs_stay_open_and_change_what_is_worth_adding(world: World) -> None:
    hub = HubFactory(slug="seogyo-hub", status=Hub.Status.OPEN, lat=world.s2.lat + 0.001, lng=world.s2.lng)
    ZoneFactory(hub=hub, kind=Zone.Kind.WAREHOUSE, area_m2=150)
    ZoneFactory(hub=hub, kind=Zone.Kind.POPUP_BAY, area_m2=20)
    HubFactory(slug="closed-hub", status=Hub.Status.CLOSED, lat=world.s1.lat + 0.001, lng=world.s1.lng)
    world.rows[hub] = {world.b: 4.0, world.c: 6.0}
    result = world.run(p=1)
    assert new_sites(result) == {world.key(world.s1)}  # S3 would add only cell a
    existing = [s for s in result["sites"] if s["kind"] == "existing"]
    assert [s["key"] for s in existing] == ["hub:seogyo-hub"]
    assert existing[0]["monthly_rent_won"] is None
    assert existing[0]["capacity_per_day"] == 300.0
    assert (existing[0]["can_popup"], existing[0]["can_community"]) == (True, False)
    assert existing[0]["orders_per_day"] == pytest.approx(5.5)
    assert result["coverage"]["share"] == pytest.approx(1.0)
    assert result["rent"]["monthly_won"] == 1_000_000
    # The new rent over the households the new site adds (a 100 + d 10), not the hub's.
    assert result["rent"]["households_added"] == pytest.approx(110)
    assert result["rent"]["per_covered_household_won"] == 9_091  # 9,090.9 rounded half up
    without = world.run(p=1, include_existing_hubs=False)
    assert new_sites(without) == {world.key(world.s3)}
    assert all(s["kind"] == "new" for s in without["sites"])


def test_under_capacities_households_added_are_those_served_beyond_what_the_hubs_can(world: World) -> None:
    # 0.01 order a m² of warehouse: the hub's 150 m² pack 1.5 a day of the 5.5 it reaches
    # (cells b and c, 110 households): alone it serves 30 households.
    ZoneSplitRule.objects.create(region=Region.objects.get(code="11440"), orders_per_warehouse_m2=0.01)
    hub = HubFactory(slug="seogyo-hub", status=Hub.Status.OPEN, lat=world.s2.lat + 0.001, lng=world.s2.lng)
    ZoneFactory(hub=hub, kind=Zone.Kind.WAREHOUSE, area_m2=150)
    world.rows[hub] = {world.b: 4.0, world.c: 6.0}
    result = world.run(p=1, capacitated=True)
    assert new_sites(result) == {world.key(world.s1)}  # packs 2.2 a day, the most of any space
    assert result["coverage"]["orders_per_day"] == pytest.approx(3.7)
    assert result["coverage"]["households"] == pytest.approx(74)
    # Within reach the hub's 110 households are covered either way, but it can serve only 30
    # of them: the new site adds the 44 it serves, not 220 - 110.
    assert result["rent"]["households_added"] == pytest.approx(44)
    assert result["rent"]["per_covered_household_won"] == 22_727


def test_a_site_given_more_than_its_capacity_is_flagged(world: World) -> None:
    # 0.1 order a m² of warehouse: S3's 55 m² pack 5.5 a day, and S3 alone reaches 8.
    ZoneSplitRule.objects.create(region=Region.objects.get(code="11440"), orders_per_warehouse_m2=0.1)
    loose = world.run(p=1)
    (s3,) = loose["sites"]
    assert (s3["key"], s3["capacity_per_day"], s3["orders_per_day"]) == (world.key(world.s3), 5.5, 8.0)
    assert s3["over_capacity"] is True
    assert "S3 8 a day against a capacity of 6" in loose["message"]
    tight = world.run(p=1, capacitated=True)
    assert all(not s["over_capacity"] for s in tight["sites"])
    assert "over capacity" not in tight["message"]
    # Capacities are on unless a plan turns them off.
    default = run_plan(clean_parameters({"demand_source": "population", "p": 1}), model=world.model)
    assert default["parameters"]["capacitated"] is True
    assert all(not s["over_capacity"] for s in default["sites"])
    assert new_sites(default) == new_sites(tight)


def test_bad_inputs_are_refused_with_the_field(world: World) -> None:
    with pytest.raises(InvalidInput) as exc:
        world.run(p=4)
    assert exc.value.field == "p"
    assert "3 vacant spaces" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        world.run(demand_source="orders")
    assert exc.value.field == "demand_source"
    assert "no orders" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        world.run(zone_kind="stay")
    assert exc.value.field == "zone_kind"
    assert "stay rooms" in exc.value.message


def test_solving_for_another_p_checks_it(world: World) -> None:
    inputs = build_inputs(clean_parameters({"demand_source": "population", "p": 1}), model=world.model)
    assert set(solve(inputs, p=2).new_sites) == {world.key(world.s1), world.key(world.s2)}
    with pytest.raises(InvalidInput) as exc:
        solve(inputs, p=4)
    assert exc.value.field == "p"
    with pytest.raises(InvalidInput) as exc:
        solve(inputs, time_limit=0)
    assert exc.value.field == "time_limit_seconds"


def test_the_result_is_json_and_repeats(world: World) -> None:
    import json

    first = world.run(p=2, curve_up_to=2)
    again = world.run(p=2, curve_up_to=2)
    assert json.loads(json.dumps(first))["sites"] == first["sites"]
    for key in ("seconds", "total_seconds"):
        first.pop(key), again.pop(key)
    assert first == again
    assert first["parameters"]["p"] == 2
    assert first["parameters"]["region_code"] == "11440"


def test_the_real_travel_model_on_a_dong(world: World) -> None:
    result = run_plan(
        clean_parameters({"region_code": DONG, "demand_source": "population", "p": 1}),
        model=CircuityModel(),
    )
    assert result["status"] == "optimal"
    assert result["coverage"]["share"] == pytest.approx(1.0)  # a dong is a few minutes across by bike
    assert len(result["sites"]) == 1


def test_weighted_quantiles_and_rounding() -> None:
    minutes = np.array([5.0, 8.0, 12.0, 14.0])
    weights = np.array([5.0, 3.0, 0.5, 2.5])
    assert weighted_quantile(minutes, weights, 0.5) == 8.0
    assert weighted_quantile(minutes, weights, 0.9) == 14.0
    assert weighted_quantile(minutes, np.zeros(4), 0.5) is None
    assert per_household(5, 2.0) == 3  # 2.5 rounds half up
    assert per_household(7, 2.0) == 4
    assert per_household(3_000_000, 220.0) == 13_636
    assert per_household(100, None) is None
    assert per_household(100, 0.0) is None


def test_rent_per_household_counts_only_the_households_the_plan_adds(world: World) -> None:
    # The open hub already covers a (10 min), b and c; S1 is nearer to a (5 min) and adds d.
    hub = HubFactory(slug="seogyo-hub", status=Hub.Status.OPEN, lat=world.s2.lat + 0.001, lng=world.s2.lng)
    world.rows[hub] = {world.a: 10.0, world.b: 4.0, world.c: 6.0}
    result = world.run(p=1)
    assert new_sites(result) == {world.key(world.s1)}
    by_key = {s["key"]: s for s in result["sites"]}
    assert by_key[world.key(world.s1)]["households"] == pytest.approx(110)  # a and d go to S1
    # But only d's 10 households are new within the promise: 220 covered - 210 by the hub alone.
    assert result["rent"] == {
        "monthly_won": 1_000_000,
        "per_covered_household_won": 100_000,
        "households_added": 10.0,
    }
    world.rows[hub][world.d] = 9.0  # the hub alone covers everything: nothing to add
    nothing = world.run(p=1)
    assert nothing["rent"]["households_added"] == 0.0
    assert nothing["rent"]["per_covered_household_won"] is None


def test_set_covering_takes_capacities(world: World) -> None:
    ZoneSplitRule.objects.create(region=Region.objects.get(code="11440"), orders_per_warehouse_m2=0.05)
    # S1 and S2 pack 11 orders a day each, S3 2.75: 95 % of 11 takes S1 + S2 either way.
    result = world.run(model="set_cover", target=0.7, capacitated=True)
    assert result["status"] == "optimal"
    assert result["parameters"]["capacitated"] is True
    # Without capacities S3 alone reaches 8 of 11 (72.7 %); it packs 2.75 a day.
    assert new_sites(result) != {world.key(world.s3)}
    assert all(not s["over_capacity"] for s in result["sites"])
    assert new_sites(world.run(model="set_cover", target=0.7)) == {world.key(world.s3)}


def test_capacitated_set_cover_counts_what_the_sites_can_serve(world: World) -> None:
    # 0.02 order a m² of warehouse: S1 and S2 pack 4.4 a day each, S3 1.1. 80 % of the 11
    # orders a day (8.8) takes S1 + S2, which reach all 11 but serve 8.8 within capacities.
    ZoneSplitRule.objects.create(region=Region.objects.get(code="11440"), orders_per_warehouse_m2=0.02)
    cover = world.run(model="set_cover", target=0.8, capacitated=True)
    assert cover["status"] == "optimal"
    assert new_sites(cover) == {world.key(world.s1), world.key(world.s2)}
    assert "serve 80.0" in cover["message"]
    assert cover["coverage"] == pytest.approx({"share": 0.8, "orders_per_day": 8.8, "households": 176.0})
    assert cover["rent"]["households_added"] == pytest.approx(176)
    loads = {s["key"]: s for s in cover["sites"]}
    assert loads[world.key(world.s1)]["orders_per_day"] == pytest.approx(4.4)
    assert loads[world.key(world.s2)]["orders_per_day"] == pytest.approx(4.4)
    assert sum(s["households"] for s in cover["sites"]) == pytest.approx(176)
    # The same sites under maximal covering count the same.
    mclp = world.run(p=2, capacitated=True)
    assert new_sites(mclp) == new_sites(cover)
    assert mclp["coverage"] == pytest.approx(cover["coverage"], abs=1e-5)
    assert mclp["rent"] == cover["rent"]


def test_capacitated_p_median_counts_only_what_is_served_within_the_promise(world: World) -> None:
    # 0.05 order a m² of warehouse: S1 packs 11 a day, S2 (100 m²) 2.75; S3 reaches nothing.
    # S1 also reaches b (18 min) and c (20), beyond the promise. S2 has room for 2.75 of b
    # and c's 5.5: it takes 2.75 of b (moving b to S1 costs 10 minutes, c only 6), S1 the
    # rest: a, d, 0.25 of b and all of c, the last two beyond the promise.
    ZoneSplitRule.objects.create(region=Region.objects.get(code="11440"), orders_per_warehouse_m2=0.05)
    VacantSpace.objects.filter(pk=world.s2.pk).update(floor_area_m2=100)
    world.rows[world.s1] |= {world.b: 18.0, world.c: 20.0}
    world.rows[world.s3] = {}
    median = world.run(model="p_median", p=2, capacitated=True)
    assert median["status"] == "optimal"
    assert new_sites(median) == {world.key(world.s1), world.key(world.s2)}
    assert median["objective"] == pytest.approx(5 * 5 + 0.5 * 12 + 2.75 * 8 + 0.25 * 18 + 2.5 * 20)
    # Within the promise: a 5, d 0.5 and 2.75 of b (a 100, d 10, b 55 households).
    assert median["coverage"] == pytest.approx({"share": 0.75, "orders_per_day": 8.25, "households": 165.0})
    assert median["rent"]["households_added"] == pytest.approx(165)
    loads = {s["key"]: s for s in median["sites"]}
    s1, s2 = loads[world.key(world.s1)], loads[world.key(world.s2)]
    assert (s1["orders_per_day"], s1["households"]) == (pytest.approx(8.25), pytest.approx(165))
    assert (s2["orders_per_day"], s2["households"]) == (pytest.approx(2.75), pytest.approx(55))
    assert not s1["over_capacity"]
    assert not s2["over_capacity"]
    # The same sites under maximal covering serve the same within the promise.
    mclp = world.run(p=2, capacitated=True)
    assert new_sites(mclp) == new_sites(median)
    assert mclp["coverage"] == pytest.approx(median["coverage"], abs=1e-5)
    # Without capacities S2 takes b and c, all within the promise.
    loose = world.run(model="p_median", p=2, capacitated=False)
    assert loose["coverage"]["share"] == pytest.approx(1.0)
    # The curve counts the same.
    curve = world.run(model="p_median", p=2, capacitated=True, curve_up_to=2)["curve"]
    assert curve[1]["orders_per_day"] == pytest.approx(8.25)


def test_the_time_limit_covers_the_main_solve_and_the_curve(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    from hyperlocal.planning.services import runner

    limits: list[float] = []
    real = runner.solve_on
    clock = SimpleNamespace(now=100.0)
    # A clock that moves only when a solve uses its whole limit: the worst case.
    monkeypatch.setattr(runner, "time", SimpleNamespace(perf_counter=lambda: clock.now))

    def recording(inputs: Any, *, p: int | None = None, time_limit: float | None = None) -> Any:
        limit = inputs.params.time_limit_seconds if time_limit is None else time_limit
        limits.append(limit)
        clock.now += limit
        return real(inputs, p=p, time_limit=time_limit)

    monkeypatch.setattr(runner, "solve_on", recording)
    result = world.run(p=2, curve_up_to=3, time_limit_seconds=12)
    assert [point["p"] for point in result["curve"]] == [1, 2, 3]
    assert limits == [6.0, 3.0, 3.0]  # half for the main solve (p=2), the rest for p = 1 and 3
    assert result["total_seconds"] == 12.0
    limits.clear()
    world.run(p=2, time_limit_seconds=12)  # no comparison: the whole limit
    assert limits == [12.0]


def test_p_median_keeps_each_cells_nearest_sites_and_the_greedy_plan() -> None:
    from hyperlocal.optim.siting import CandidateSite, DemandPoint, SitingProblem, solve_p_median
    from hyperlocal.planning.services.inputs import P_MEDIAN_NEAREST, MedianPairs, nearest_count

    rng = np.random.default_rng(7)
    cells, sites = 60, 80
    cell_xy, site_xy = rng.uniform(0, 10, (cells, 2)), rng.uniform(0, 10, (sites, 2))
    minutes = np.linalg.norm(cell_xy[:, None, :] - site_xy[None, :, :], axis=2).astype(np.float32) * 3
    minutes[0, :] = np.inf  # a cell no site reaches
    minutes[1, :-1] = np.inf  # a cell only the last site reaches
    weights = rng.uniform(1, 5, cells)
    fixed = np.zeros(sites, dtype=bool)
    fixed[5] = True  # an open hub
    from hyperlocal.planning.services.inputs import _greedy

    pairs = MedianPairs(minutes, fixed, 4.0, _greedy(minutes, weights, fixed, 3))
    demand = tuple(DemandPoint(f"c{i}", float(w)) for i, w in enumerate(weights))
    candidates = tuple(CandidateSite(f"s{j}", fixed_open=bool(fixed[j])) for j in range(sites))
    full = SitingProblem(demand, candidates, MedianPairs(minutes, fixed, 4.0, ()).coverage())
    for p in (1, 2, 3):
        reach = pairs.reach(p)
        rows = np.diff(reach.start)
        assert reach.pairs < cells * sites  # not every pair (each cell: its nearest)
        assert (rows[0], rows[1]) == (0, 1)  # every cell that reaches a site keeps a pair
        assert rows[2:].max() <= nearest_count(sites, p, 1) + 2  # + the hub and the greedy site
        assert nearest_count(sites, p, 1) >= P_MEDIAN_NEAREST
        open_hub = reach.site[reach.travel <= 8.0]
        assert (open_hub == 5).sum() == int((np.isfinite(minutes[:, 5]) & (minutes[:, 5] <= 8.0)).sum())
        sparse = SitingProblem(demand, candidates, reach)
        assert solve_p_median(sparse, p, time_limit=20).status.value == "optimal"
    # p=1 loses nothing: the best single site is the greedy's first, which every cell keeps.
    every = SitingProblem(demand, candidates, _all_pairs(minutes))
    best = solve_p_median(every, 1, time_limit=20)
    assert solve_p_median(SitingProblem(demand, candidates, pairs.reach(1)), 1, time_limit=20).objective == (
        pytest.approx(best.objective)
    )
    assert full.reach.pairs > 0


def _all_pairs(minutes: Any) -> Any:
    from hyperlocal.optim.siting import Reach

    keep = np.isfinite(minutes)
    rows, cols = np.nonzero(keep)
    start = np.concatenate([[0], np.cumsum(keep.sum(axis=1))]).astype(np.int64)
    return Reach(start, cols.astype(np.int64), minutes[rows, cols].astype(np.float64))


def test_p_median_on_the_inputs_has_fewer_pairs_than_every_pair(world: World) -> None:
    for n in range(30):  # 33 spaces: each cell keeps its 25 nearest for p=1
        extra = space(f"X{n}", world.d, rent=9_000_000)
        world.rows[extra] = {world.a: 20.0 + n, world.b: 21.0 + n, world.c: 22.0 + n, world.d: 1.0 + n}
    inputs = build_inputs(
        clean_parameters({"demand_source": "population", "model": "p_median", "p": 1, "capacitated": False}),
        model=world.model,
    )
    assert inputs.problem.reach.pairs < 4 * 33
    assert (inputs.coverage is None, inputs.median is None) == (False, False)
    assert inputs.problem_for(5).reach.pairs >= inputs.problem.reach.pairs
    assert "nearest sites" in " ".join(inputs.notes)
