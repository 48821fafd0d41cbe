"""p-median's pair reduction (``inputs.MedianPairs``) must not turn a feasible plan into an
infeasible one: the pairs kept come from each cell's nearest sites and a greedy plan that
ignores rent and capacities.

The world: 20 cells of Seogyo-dong, 100 households each (5 orders a day: 100 in all); 30
central spaces, each 2 to 4 minutes from every cell, and one outlying space 30 minutes from
every cell. Each cell keeps its 25 nearest sites for p=1, so the outlying one is left out
unless something keeps it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from hyperlocal.planning.models import VacantSpace
from hyperlocal.planning.services import build_inputs, clean_parameters, run_plan
from hyperlocal.planning.services.inputs import P_MEDIAN_NEAREST, MedianPairs, cheapest_sites
from hyperlocal.regions.models import Region
from tests.planning.helpers import TableModel, dong_cells, population, space

CELLS = 20
CENTRAL = 30


class Spread:
    def __init__(self, *, central_rent: int, central_area: int, outlying_rent: int, outlying_area: int):
        self.cells = dong_cells(count=CELLS)
        assert len(self.cells) == CELLS
        population(dict.fromkeys(self.cells, 100))
        self.rows: dict[Any, dict[str, float]] = {}
        self.central: list[VacantSpace] = []
        for n in range(CENTRAL):
            s = space(f"C{n}", self.cells[n % CELLS], rent=central_rent, area=central_area)
            self.central.append(s)
            self.rows[s] = {
                cell: 2.0 + 2.0 * ((n + i) % CENTRAL) / CENTRAL for i, cell in enumerate(self.cells)
            }
        self.outlying = space("Far", self.cells[-1], rent=outlying_rent, area=outlying_area)
        self.rows[self.outlying] = dict.fromkeys(self.cells, 30.0)

    @property
    def far(self) -> str:
        return f"space:{self.outlying.pk}"

    def params(self, **raw: Any) -> Any:
        base = {"region_code": "11440", "demand_source": "population", "model": "p_median", "p": 1}
        return clean_parameters(base | {"time_limit_seconds": 20} | raw)

    def run(self, **raw: Any) -> dict[str, Any]:
        return run_plan(self.params(**raw), model=TableModel.of(self.rows))


def new_sites(result: dict[str, Any]) -> set[str]:
    return {s["key"] for s in result["sites"] if s["kind"] == "new"}


@pytest.fixture
def mapo_region(mapo: Region) -> Region:
    return mapo


def test_a_budget_keeps_the_cheapest_site_the_greedy_plan_leaves_out(mapo_region: Region) -> None:
    world = Spread(central_rent=5_000_000, central_area=400, outlying_rent=1_000_000, outlying_area=400)
    inputs = build_inputs(
        world.params(budget_won=2_000_000, capacitated=False), model=TableModel.of(world.rows)
    )
    far = next(j for j, c in enumerate(inputs.candidates) if c.key == world.far)
    reach = inputs.problem.reach
    assert reach.pairs < (CENTRAL + 1) * CELLS  # reduced: each cell's 25 nearest + ...
    assert int((reach.site == far).sum()) == CELLS  # ... the cheapest site, for every cell
    assert "cheapest sites" in " ".join(inputs.notes)
    result = world.run(budget_won=2_000_000, capacitated=False)
    assert result["status"] == "optimal"
    assert new_sites(result) == {world.far}  # the only site within the budget
    assert result["objective"] == pytest.approx(100 * 30.0)
    assert result["rent"]["monthly_won"] == 1_000_000
    (site,) = result["sites"]
    assert (site["orders_per_day"], site["cells"]) == (pytest.approx(100.0), CELLS)
    # Without a budget the cheapest sites are not kept: the greedy plan's central site wins.
    free = build_inputs(world.params(capacitated=False), model=TableModel.of(world.rows))
    assert int((free.problem.reach.site == far).sum()) == 0


def test_pairs_left_out_are_solved_again_when_capacities_rule_the_greedy_plan_out(
    mapo_region: Region,
) -> None:
    # Central spaces of 80 m² pack 44 x 2 = 88 orders a day, the outlying 400 m² 440: only
    # the outlying one holds the 100 orders a day, and no cell keeps a pair to it.
    world = Spread(central_rent=1_000_000, central_area=80, outlying_rent=1_000_000, outlying_area=400)
    inputs = build_inputs(world.params(), model=TableModel.of(world.rows))
    assert inputs.params.capacitated is True  # the default
    far = next(j for j, c in enumerate(inputs.candidates) if c.key == world.far)
    assert int((inputs.problem.reach.site == far).sum()) == 0
    full = inputs.full_problem_for(1)
    assert full is not None
    assert full.reach.pairs == (CENTRAL + 1) * CELLS
    result = world.run()
    assert result["status"] == "optimal"
    assert new_sites(result) == {world.far}
    assert "every site-cell pair" in result["message"]
    assert result["objective"] == pytest.approx(100 * 30.0)
    cells = {c["cell"]: c for c in result["cells"]}
    assert {c["site"] for c in cells.values()} == {world.far}  # counted on the pairs it was solved on
    (site,) = result["sites"]
    assert (site["orders_per_day"], site["cells"], site["over_capacity"]) == (
        pytest.approx(100.0),
        CELLS,
        False,
    )
    # With p=2 two central sites hold the demand: the nearest pairs suffice, nothing to redo.
    two = world.run(p=2)
    assert two["status"] == "optimal"
    assert world.far not in new_sites(two)
    assert "every site-cell pair" not in two["message"]


def test_a_plan_that_is_infeasible_on_every_pair_says_so_once(mapo_region: Region) -> None:
    # No space holds 100 orders a day: infeasible on every pair as well.
    world = Spread(central_rent=1_000_000, central_area=80, outlying_rent=1_000_000, outlying_area=80)
    result = world.run()
    assert result["status"] == "infeasible"
    assert result["sites"] == []


def test_median_pairs_keep_the_p_cheapest_sites(monkeypatch: pytest.MonkeyPatch) -> None:
    from hyperlocal.planning.services import inputs as module

    monkeypatch.setattr(module, "P_MEDIAN_NEAREST", 1)  # each cell keeps its one nearest site
    monkeypatch.setattr(module, "P_MEDIAN_SPREAD", 0.0)  # whatever p
    minutes = np.array([[1.0, 2.0, 9.0, np.inf], [2.0, 1.0, 8.0, 9.0]], dtype=np.float32)
    pairs = MedianPairs(minutes, np.zeros(4, dtype=bool), 15.0, (0,), cheapest=(3, 2))
    assert (pairs.pairs, pairs.every().pairs) == (7, 7)
    one = pairs.reach(1)  # the nearest, the greedy plan's site 0 and the cheapest (3) in reach
    assert set(one.site[one.start[0] : one.start[1]].tolist()) == {0}
    assert set(one.site[one.start[1] : one.start[2]].tolist()) == {0, 1, 3}
    two = pairs.reach(2)  # and the second cheapest (2)
    assert set(two.site[two.start[0] : two.start[1]].tolist()) == {0, 2}
    assert set(two.site[two.start[1] : two.start[2]].tolist()) == {0, 1, 2, 3}
    assert P_MEDIAN_NEAREST == 25  # the module's own, as imported before


def test_the_cheapest_sites_are_new_ones_by_rent() -> None:
    from types import SimpleNamespace

    candidates: Any = [
        SimpleNamespace(existing=True, monthly_rent_won=None),
        SimpleNamespace(existing=False, monthly_rent_won=3),
        SimpleNamespace(existing=False, monthly_rent_won=1),
        SimpleNamespace(existing=False, monthly_rent_won=3),
    ]
    assert cheapest_sites(candidates, 2) == (2, 1)
    assert cheapest_sites(candidates, 5) == (2, 1, 3)
    assert cheapest_sites(candidates, 0) == ()
