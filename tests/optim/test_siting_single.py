"""Capacitated maximal covering with one new site (optim/siting/single.py): the candidates
evaluated by small max-flow LPs give the optimum of brute force and of the full MILP, the
cheapest of equal plans, the budget, and a plan or none when time runs out."""

from __future__ import annotations

import numpy as np
import pytest

from hyperlocal.optim.siting import SitingProblem, SolveStatus, planar_problem, solve_mclp
from hyperlocal.optim.siting.cap_model import flow_model
from hyperlocal.optim.siting.milp import Clock, MilpStatus, solve_milp
from hyperlocal.optim.siting.reduce import merge_points
from hyperlocal.optim.siting.single import best_single_site
from hyperlocal.optim.siting.synthetic import district

from .test_siting_capacity import max_flow


def small(seed: int) -> SitingProblem:
    return district(
        seed, points=40, sites=12, fixed=2, size_km=(3.0, 2.0), promise=8.0, site_share=(0.05, 0.3)
    )


def fixed_of(problem: SitingProblem) -> set[int]:
    return {j for j, s in enumerate(problem.sites) if s.fixed_open}


def parts(problem: SitingProblem) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    start, col, weight = merge_points(problem.reach.start, problem.reach.site, problem.weights)
    capacity = np.array([np.inf if s.capacity is None else s.capacity for s in problem.sites])
    return start, col, weight, capacity


@pytest.mark.parametrize("seed", range(6))
def test_one_new_site_is_the_best_of_brute_force(seed: int) -> None:
    problem = small(seed)
    fixed = fixed_of(problem)
    best = max(max_flow(problem, fixed | {j}) for j in range(len(problem.sites)) if j not in fixed)
    result = solve_mclp(problem, 1, capacitated=True, time_limit=20)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(best, abs=1e-6)
    assert len(result.new_sites) == 1
    chosen = {j for j, s in enumerate(problem.sites) if s.id in result.new_sites}
    assert max_flow(problem, fixed | chosen) == pytest.approx(best, abs=1e-6)
    for site in problem.sites:
        if site.id in result.assignment and site.capacity is not None:
            assert result.assignment[site.id] <= site.capacity + 1e-6


@pytest.mark.parametrize("seed", range(24))
def test_the_site_with_the_largest_bound_is_not_always_the_best(seed: int) -> None:
    # Two open sites take part of the demand; what a new site adds is often well below its
    # bound min(capacity, weight in reach), so the search must go on past the first.
    rng = np.random.default_rng(seed)
    problem = planar_problem(
        rng.uniform(0, 10, (25, 2)),
        rng.uniform(0.5, 4, 25).round(2),
        rng.uniform(0, 10, (10, 2)),
        3.0,
        capacity=rng.uniform(2, 30, 10).round(1).tolist(),
        fixed_open=[True, True] + [False] * 8,
    )
    best = max(max_flow(problem, {0, 1, j}) for j in range(2, 10))
    result = solve_mclp(problem, 1, capacitated=True, time_limit=20)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(best, abs=1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_the_candidates_agree_with_the_full_milp(seed: int) -> None:
    problem = district(seed, points=80, sites=30, fixed=3, size_km=(4.0, 3.0), promise=10.0)
    start, col, weight, capacity = parts(problem)
    point = np.repeat(np.arange(len(weight)), np.diff(start))
    milp = flow_model(start, col, weight, point, problem.fixed > 0, capacity, p=1)
    full = solve_milp(milp, time_limit=60, mip_gap=0.0)
    found = best_single_site(problem, start, col, weight, capacity, None, None, Clock(60))
    assert full.status is MilpStatus.OPTIMAL
    assert found.status is MilpStatus.OPTIMAL
    assert found.objective == pytest.approx(full.objective, abs=1e-6)


def test_equal_plans_go_to_the_cheapest_site() -> None:
    # Plenty of demand near three sites of capacity 5: each serves 5; the cheapest wins.
    problem = planar_problem(
        [[0, 0], [0.1, 0], [0, 0.1]],
        [10.0, 10.0, 10.0],
        [[0, 0], [0.1, 0.1], [0.05, 0.0]],
        1.0,
        capacity=[5.0, 5.0, 5.0],
        rent=[300, 100, 200],
    )
    result = solve_mclp(problem, 1, capacitated=True)
    assert result.objective == pytest.approx(5.0)
    assert result.new_sites == (1,)
    assert result.message.endswith("the cheapest of the plans that serve as much: 100 won a month")
    within = solve_mclp(problem, 1, capacitated=True, budget=99)
    assert within.status is SolveStatus.INFEASIBLE  # no site fits the budget
    assert "cannot pay for p=1 sites" in within.message


def test_a_budget_leaves_out_the_sites_it_cannot_pay_for() -> None:
    problem = planar_problem(
        [[0, 0], [5, 0]], [10.0, 4.0], [[0, 0], [5, 0]], 1.0, capacity=[8.0, 8.0], rent=[500, 100]
    )
    assert solve_mclp(problem, 1, capacitated=True).new_sites == (0,)
    result = solve_mclp(problem, 1, capacitated=True, budget=400)
    assert result.new_sites == (1,)
    assert result.objective == pytest.approx(4.0)


def test_out_of_time_before_any_candidate_there_is_no_plan_but_a_bound() -> None:
    problem = small(1)
    start, col, weight, capacity = parts(problem)
    clock = Clock(1e-9)
    outcome = best_single_site(problem, start, col, weight, capacity, None, None, clock)
    assert outcome.status is MilpStatus.TIME_LIMIT
    assert outcome.values is None
    assert outcome.bound is not None
    fixed = fixed_of(problem)
    best = max(max_flow(problem, fixed | {j}) for j in range(len(problem.sites)) if j not in fixed)
    assert outcome.bound >= best - 1e-6
