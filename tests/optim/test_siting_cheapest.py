"""The cheapest of equally good plans (optim/siting/cheapest.py): when the sites have rents,
maximal covering and set covering return, among the plans that reach the proven best
value, the one with the lowest rent, against brute force over all site sets."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from hyperlocal.optim.siting import SitingProblem, SolveStatus, planar_problem, solve_mclp, solve_set_cover
from hyperlocal.optim.siting.cheapest import site_rents

from .test_siting_capacity import max_flow

SITES = 8


def problem_of(seed: int, radius: float = 4.0, **kw: object) -> SitingProblem:
    rng = np.random.default_rng(seed)
    rent = (rng.integers(10, 80, SITES) * 1_000_000).tolist()
    return planar_problem(
        rng.uniform(0, 10, (30, 2)),
        rng.integers(1, 20, 30).astype(float),  # whole weights: equal coverage is exact
        rng.uniform(0, 10, (SITES, 2)),
        radius,
        rent=rent,
        **kw,  # type: ignore[arg-type]
    )


def covered(problem: SitingProblem, open_sites: set[int]) -> float:
    reach = problem.reach
    return sum(
        d.weight
        for i, d in enumerate(problem.demand)
        if set(reach.site[reach.start[i] : reach.start[i + 1]].tolist()) & open_sites
    )


def rent_of(problem: SitingProblem, ids: tuple[object, ...]) -> int:
    return sum(s.rent or 0 for s in problem.sites if s.id in ids and not s.fixed_open)


def free(problem: SitingProblem) -> list[int]:
    return [j for j, s in enumerate(problem.sites) if not s.fixed_open]


def fixed(problem: SitingProblem) -> set[int]:
    return {j for j, s in enumerate(problem.sites) if s.fixed_open}


def best_then_cheapest(problem: SitingProblem, p: int, value: object) -> tuple[float, int]:
    """The best value over p-subsets and the lowest rent among the subsets that reach it."""
    plans = [
        (float(value(set(combo) | fixed(problem))), -rent_of(problem, combo))  # type: ignore[operator]
        for combo in itertools.combinations(free(problem), p)
    ]
    best, rent = max(plans)
    return best, -rent


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(("p", "radius"), [(1, 4.0), (2, 4.0), (3, 6.0), (4, 8.0)])
def test_mclp_returns_the_cheapest_plan_that_covers_the_most(seed: int, p: int, radius: float) -> None:
    problem = problem_of(seed, radius)
    result = solve_mclp(problem, p, time_limit=20)
    best, cheapest = best_then_cheapest(problem, p, lambda s: covered(problem, s))
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(best)
    assert result.covered_weight == pytest.approx(best)
    assert len(result.new_sites) == p
    assert rent_of(problem, result.new_sites) == cheapest
    assert f"the cheapest of the plans that cover as much: {cheapest:,} won a month" in result.message


def test_when_the_open_sites_cover_everything_the_new_ones_are_the_cheapest() -> None:
    problem = problem_of(7, 30.0, fixed_open=[True] + [False] * (SITES - 1))
    result = solve_mclp(problem, 3, time_limit=20)
    assert result.covered_share == 1.0
    rents = sorted(s.rent or 0 for s in problem.sites[1:])
    assert rent_of(problem, result.new_sites) == sum(rents[:3])
    assert "only 0 of the p=3 new sites add coverage; the others are chosen for rent" in result.message


@pytest.mark.parametrize("seed", range(4))
def test_mclp_within_a_budget_is_the_cheapest_of_the_best_within_it(seed: int) -> None:
    problem = problem_of(seed, 5.0)
    budget = 120_000_000
    result = solve_mclp(problem, 2, budget=budget, time_limit=20)
    plans = [
        (covered(problem, set(c)), -rent_of(problem, c))
        for c in itertools.combinations(range(SITES), 2)
        if rent_of(problem, c) <= budget
    ]
    best, rent = max(plans)
    assert result.objective == pytest.approx(best)
    assert rent_of(problem, result.new_sites) == -rent <= budget


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("target", [0.6, 0.9, 1.0])
def test_set_cover_returns_the_cheapest_of_the_fewest_site_plans(seed: int, target: float) -> None:
    problem = problem_of(seed, 5.0)
    reachable = covered(problem, set(range(SITES))) / problem.total_weight
    result = solve_set_cover(problem, target * reachable, time_limit=20)
    need = target * reachable * problem.total_weight - 1e-9
    for k in range(SITES + 1):
        rents = [
            rent_of(problem, c)
            for c in itertools.combinations(range(SITES), k)
            if covered(problem, set(c)) >= need
        ]
        if rents:
            break
    assert result.status is SolveStatus.OPTIMAL
    assert len(result.new_sites) == k
    assert result.covered_weight >= need
    assert rent_of(problem, result.new_sites) == min(rents)
    assert "the cheapest of the plans that have as few sites" in result.message


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("p", [1, 2])
def test_capacitated_mclp_returns_the_cheapest_plan_that_serves_the_most(seed: int, p: int) -> None:
    rng = np.random.default_rng(100 + seed)
    capacity = rng.uniform(20, 60, SITES).round(0).tolist()
    problem = problem_of(seed, 6.0, capacity=capacity)
    result = solve_mclp(problem, p, capacitated=True, time_limit=20)
    best, cheapest = best_then_cheapest(problem, p, lambda s: max_flow(problem, s))
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(best, abs=1e-4)
    assert rent_of(problem, result.new_sites) == cheapest
    assert "the cheapest of the plans that serve as much" in result.message


def test_without_rents_there_is_no_second_phase() -> None:
    rng = np.random.default_rng(3)
    problem = planar_problem(rng.uniform(0, 10, (30, 2)), np.ones(30), rng.uniform(0, 10, (SITES, 2)), 4.0)
    assert site_rents(problem) is None
    zero = planar_problem(
        rng.uniform(0, 10, (30, 2)), np.ones(30), rng.uniform(0, 10, (SITES, 2)), 4.0, rent=[0] * SITES
    )
    assert site_rents(zero) is None
    for case in (problem, zero):
        assert "cheapest" not in solve_mclp(case, 2, time_limit=20).message
        assert "cheapest" not in solve_set_cover(case, 0.5, time_limit=20).message


def test_open_sites_are_free_and_unknown_rents_count_as_free() -> None:
    base = problem_of(1, fixed_open=[True] + [False] * (SITES - 1))
    sites = (*base.sites[:2], replace(base.sites[2], rent=None), *base.sites[3:])
    problem = SitingProblem(base.demand, sites, base.reach)
    rents = site_rents(problem)
    assert rents is not None
    assert rents[0] == 0
    assert rents[1] == problem.sites[1].rent
    assert rents[2] == 0
