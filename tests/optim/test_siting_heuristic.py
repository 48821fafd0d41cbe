"""The greedy heuristic alone (optim/siting/heuristic.py): plans without a bound, within
the budget, and clear messages when it cannot reach a target."""

from __future__ import annotations

import numpy as np
import pytest

from hyperlocal.optim.siting import (
    SitingProblem,
    SolveStatus,
    greedy_mclp,
    greedy_set_cover,
    planar_problem,
    solve_mclp,
    solve_set_cover,
)


def problem_of(seed: int, **kw: object) -> SitingProblem:
    rng = np.random.default_rng(seed)
    return planar_problem(
        rng.uniform(0, 20, (600, 2)),
        rng.lognormal(1, 1, 600),
        rng.uniform(0, 20, (40, 2)),
        3.0,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("seed", range(3))
def test_greedy_mclp_gives_p_sites_no_better_than_the_optimum(seed: int) -> None:
    problem = problem_of(seed)
    greedy = greedy_mclp(problem, 6)
    best = solve_mclp(problem, 6, time_limit=20)
    assert greedy.status is SolveStatus.HEURISTIC
    assert greedy.has_plan
    assert not greedy.optimal
    assert (greedy.best_bound, greedy.gap) == (None, None)
    assert len(greedy.new_sites) == 6
    assert greedy.objective == greedy.covered_weight
    assert best.objective is not None
    # Greedy coverage is within 1 - 1/e of the optimum (submodular maximisation).
    assert (1 - 1 / np.e) * best.objective <= greedy.covered_weight <= best.objective + 1e-6


def test_greedy_mclp_stays_within_the_budget_or_says_it_cannot() -> None:
    rent = (np.arange(40) * 10 + 100).tolist()
    problem = problem_of(1, rent=rent)
    result = greedy_mclp(problem, 5, budget=1500)
    assert len(result.new_sites) == 5
    assert sum(rent[j] for j in result.new_sites) <= 1500  # type: ignore[index]
    short = greedy_mclp(problem, 5, budget=599)
    assert short.status is SolveStatus.INFEASIBLE
    assert short.message == "the rent budget of 599 won cannot pay for p=5 sites: the 5 cheapest cost 600 won"


def test_greedy_set_cover_reaches_the_target_with_at_least_the_fewest_sites() -> None:
    problem = problem_of(2)
    greedy = greedy_set_cover(problem, 0.6)
    exact = solve_set_cover(problem, 0.6, time_limit=20)
    assert greedy.status is SolveStatus.HEURISTIC
    assert greedy.covered_share >= 0.6
    assert exact.objective is not None
    assert greedy.objective is not None
    assert greedy.objective >= exact.objective
    assert greedy.objective == len(greedy.new_sites)


def test_greedy_set_cover_names_why_it_cannot_reach_the_target() -> None:
    problem = problem_of(2, rent=[1000] * 40)
    out_of_reach = greedy_set_cover(problem, 1.0)
    assert out_of_reach.status is SolveStatus.INFEASIBLE
    assert "cannot reach a coverage of 100%: all sites together cover" in out_of_reach.message
    broke = greedy_set_cover(problem, 0.5, budget=2000)
    assert broke.status is SolveStatus.INFEASIBLE
    assert broke.message.endswith("the greedy plan runs out of the rent budget of 2,000 won")
