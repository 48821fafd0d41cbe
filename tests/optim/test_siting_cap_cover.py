"""Set covering under capacities (optim/siting/cap_cover.py): the fewest new sites whose
served weight (a max flow through the capacities) reaches the target, against brute force;
targets that the capacities or the budget make unreachable say so."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from hyperlocal.optim.siting import SitingProblem, SolveStatus, planar_problem, solve_set_cover
from hyperlocal.optim.siting.cap_cover import greedy_start
from hyperlocal.optim.siting.reduce import merge_points

from .test_siting_capacity import max_flow

SITES = 7


def problem_of(seed: int, **kw: object) -> SitingProblem:
    rng = np.random.default_rng(seed)
    capacity = rng.uniform(4, 14, SITES).round(1).tolist()
    capacity[-1] = None  # one site without a limit
    return planar_problem(
        rng.uniform(0, 10, (25, 2)),
        rng.uniform(0.5, 4, 25).round(2),
        rng.uniform(0, 10, (SITES, 2)),
        4.0,
        capacity=capacity,
        **kw,  # type: ignore[arg-type]
    )


def fixed(problem: SitingProblem) -> set[int]:
    return {j for j, s in enumerate(problem.sites) if s.fixed_open}


def fewest(
    problem: SitingProblem, need: float, rent: list[int] | None = None, budget: int | None = None
) -> int:
    free = [j for j in range(SITES) if j not in fixed(problem)]
    for k in range(len(free) + 1):
        for combo in itertools.combinations(free, k):
            if rent is not None and budget is not None and sum(rent[j] for j in combo) > budget:
                continue
            if max_flow(problem, set(combo) | fixed(problem)) >= need - 1e-7:
                return k
    return -1


def positions(problem: SitingProblem, ids: tuple[object, ...]) -> set[int]:
    return {j for j, s in enumerate(problem.sites) if s.id in ids}


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("fraction", [0.4, 0.7, 0.9, 1.0])
def test_the_fewest_sites_that_serve_the_target_against_brute_force(seed: int, fraction: float) -> None:
    problem = problem_of(seed)
    most = max_flow(problem, set(range(SITES)))
    target = fraction * most / problem.total_weight
    result = solve_set_cover(problem, target, capacitated=True, time_limit=20)
    need = target * problem.total_weight
    assert result.status is SolveStatus.OPTIMAL
    assert result.model == "set_cover_capacitated"
    assert result.objective == len(result.new_sites) == fewest(problem, need)
    assert result.covered_weight >= need - 1e-6
    assert result.covered_weight == pytest.approx(sum(result.assignment.values()))
    assert max_flow(problem, positions(problem, result.sites)) >= need - 1e-6
    for site in problem.sites:
        if site.capacity is not None and site.id in result.assignment:
            assert result.assignment[site.id] <= site.capacity + 1e-6
    assert "proven the fewest" in result.message


def test_capacities_can_take_more_sites_than_reach_alone() -> None:
    # Two points of weight 10 next to three sites of capacity 8: one site reaches all, three serve it.
    problem = planar_problem(
        [[0, 0], [0.1, 0]], [10.0, 10.0], [[0, 0], [0, 0.1], [0.1, 0.1]], 1.0, capacity=[8.0, 8.0, 8.0]
    )
    assert solve_set_cover(problem, 1.0).objective == 1
    result = solve_set_cover(problem, 1.0, capacitated=True)
    assert result.objective == 3
    assert result.covered_share == pytest.approx(1.0)


def test_a_target_the_capacities_cannot_serve_names_them() -> None:
    problem = planar_problem([[0, 0], [5, 5]], [10.0, 30.0], [[0, 0], [5, 5]], 1.0, capacity=[8.0, 12.0])
    result = solve_set_cover(problem, 0.6, capacitated=True)
    assert result.status is SolveStatus.INFEASIBLE
    assert result.message == (
        "a coverage target of 60% is unreachable within the capacities: all sites can serve 20.0 (50.0%)"
    )
    assert solve_set_cover(problem, 0.5, capacitated=True).objective == 2


def test_a_budget_too_small_under_capacities_says_so() -> None:
    rent = [100, 200, 300, 400, 500, 600, 700]
    problem = problem_of(2, rent=rent)
    need = 0.7 * max_flow(problem, set(range(SITES)))
    target = need / problem.total_weight
    k = fewest(problem, need)
    cheapest = min(
        sum(rent[j] for j in c)
        for c in itertools.combinations(range(SITES), k)
        if max_flow(problem, set(c)) >= need - 1e-7
    )
    result = solve_set_cover(problem, target, capacitated=True, budget=cheapest - 1, time_limit=20)
    if fewest(problem, need, rent, cheapest - 1) == -1:
        assert result.status is SolveStatus.INFEASIBLE
        assert "no set of sites within the rent budget of" in result.message
        assert "within the capacities" in result.message
    else:
        assert result.objective == fewest(problem, need, rent, cheapest - 1) > k
    exact = solve_set_cover(problem, target, capacitated=True, budget=cheapest, time_limit=20)
    assert exact.objective == k
    assert sum(rent[j] for j in positions(problem, exact.new_sites)) == cheapest
    assert f"the cheapest of the plans that have as few sites: {cheapest:,} won a month" in exact.message


def test_open_sites_serve_for_free() -> None:
    problem = problem_of(1, fixed_open=[True, True] + [False] * (SITES - 2))
    need = 0.8 * max_flow(problem, set(range(SITES)))
    result = solve_set_cover(problem, need / problem.total_weight, capacitated=True, time_limit=20)
    assert result.fixed_sites == (0, 1)
    assert not {0, 1} & set(result.new_sites)
    assert result.objective == fewest(problem, need)


@pytest.mark.parametrize("seed", range(6))
def test_the_greedy_start_is_feasible(seed: int) -> None:
    problem = problem_of(seed)
    start, col, weight = merge_points(problem.reach.start, problem.reach.site, problem.weights)
    capacity = np.array([np.inf if s.capacity is None else s.capacity for s in problem.sites])
    need = 0.8 * max_flow(problem, set(range(SITES)))
    values = greedy_start(start, col, weight, np.zeros(SITES, dtype=bool), capacity, need)
    if values is None:
        return  # the greedy split may fall short of the max flow
    opened, shares = values[:SITES] > 0.5, values[SITES:]
    point = np.repeat(np.arange(len(weight)), np.diff(start))
    assert np.all(shares >= 0)
    assert np.all(opened[col[shares > 0]])
    assert np.all(np.bincount(point, weights=shares, minlength=len(weight)) <= 1 + 1e-9)
    served = np.bincount(col, weights=weight[point] * shares, minlength=SITES)
    assert np.all(served <= capacity + 1e-9)
    assert served.sum() >= need - 1e-9
