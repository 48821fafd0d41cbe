"""The covering MILPs (optim/siting/cover_model.py): a coverage variable only for points two
or more sites reach, the others folded into their site; warm starts that HiGHS accepts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from hyperlocal.optim.siting import Reach
from hyperlocal.optim.siting.cover_model import cover_model
from hyperlocal.optim.siting.milp import MilpStatus, solve_milp
from hyperlocal.optim.siting.reduce import Covering, covered_weight, reduce_covering

ROWS = [[0], [0, 1], [1, 2], [2], [2], [3, 0]]
WEIGHTS = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]


def covering() -> Covering:
    reach = Reach.from_rows([dict.fromkeys(row, 1.0) for row in ROWS])
    return reduce_covering(reach, np.array(WEIGHTS), np.zeros(4), dominance=False)


def test_points_one_site_reaches_move_into_that_sites_objective() -> None:
    model = cover_model(covering(), p=2)
    assert model.sites == 4
    # Points 3 and 4 (site 2 only) merge into one: 24, and point 0 (site 0 only): 1.
    assert model.milp.cost[:4].tolist() == [1.0, 0.0, 24.0, 0.0]
    assert len(model.y_point) == 3  # {0,1}, {1,2}, {0,3}
    assert sorted(model.milp.cost[4:].tolist()) == [2.0, 4.0, 32.0]
    assert model.milp.maximise


@pytest.mark.parametrize("p", [1, 2, 3])
def test_the_maximal_covering_model_matches_brute_force(p: int) -> None:
    cov = covering()
    model = cover_model(cov, p=p)
    outcome = solve_milp(model.milp, time_limit=10)
    assert outcome.status is MilpStatus.OPTIMAL
    best = max(
        covered_weight(cov, np.isin(np.arange(4), combo)) for combo in itertools.combinations(range(4), p)
    )
    assert outcome.objective == pytest.approx(best)
    assert outcome.values is not None
    assert covered_weight(cov, model.chosen(outcome.values)) == pytest.approx(best)


def test_a_warm_start_is_a_feasible_vector_of_the_plans_value() -> None:
    cov = covering()
    model = cover_model(cov, p=2)
    chosen = np.array([False, True, False, True])
    start = model.start(chosen)
    assert start[:4].tolist() == [0.0, 1.0, 0.0, 1.0]
    assert float(model.milp.cost @ start) == pytest.approx(covered_weight(cov, chosen))
    outcome = solve_milp(model.milp, time_limit=10, start=start)
    assert outcome.objective is not None
    assert outcome.objective >= covered_weight(cov, chosen)


def test_exactly_p_and_a_budget_constrain_the_plan() -> None:
    cov = covering()
    rent = np.array([5.0, 1.0, 9.0, 1.0])
    model = cover_model(cov, p=2, exact=True, rent=rent, budget=6.0)
    outcome = solve_milp(model.milp, time_limit=10)
    assert outcome.values is not None
    chosen = model.chosen(outcome.values)
    assert chosen.sum() == 2
    assert rent[chosen].sum() <= 6.0
    assert outcome.objective == pytest.approx(39.0)  # sites 0 and 1 (rent 6): 1 + 2 + 32 + 4


def test_the_set_cover_model_finds_the_fewest_sites_for_a_target() -> None:
    cov = covering()
    model = cover_model(cov, target=56.0)  # 24 (site 2) + 32 (site 0 or 3)
    outcome = solve_milp(model.milp, time_limit=10)
    assert not model.milp.maximise
    assert outcome.objective == pytest.approx(2.0)
    assert outcome.values is not None
    assert covered_weight(cov, model.chosen(outcome.values)) >= 56.0
    assert solve_milp(cover_model(cov, target=35.0).milp, time_limit=10).objective == pytest.approx(1.0)
    everything = solve_milp(cover_model(cov, target=63.0).milp, time_limit=10)
    assert everything.objective == pytest.approx(2.0)
    assert solve_milp(cover_model(cov, target=63.5).milp, time_limit=10).status is MilpStatus.INFEASIBLE
