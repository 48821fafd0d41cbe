"""Maximal covering (optim/siting/mclp.py): optimal against brute force over every set of
p sites, the rent budget, open sites, the time limit, bad input, and the reduced model
against the plain one on random instances."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hyperlocal.optim.siting import (
    SitingInputError,
    SitingProblem,
    SolveStatus,
    planar_problem,
    solve_mclp,
    solve_mclp_plain,
)


def random_problem(
    seed: int, points: int = 40, sites: int = 9, radius: float = 3.0, **kw: object
) -> SitingProblem:
    rng = np.random.default_rng(seed)
    return planar_problem(
        rng.uniform(0, 10, (points, 2)),
        rng.lognormal(1.0, 1.0, points).round(2),
        rng.uniform(0, 10, (sites, 2)),
        radius,
        **kw,  # type: ignore[arg-type]
    )


def covered(problem: SitingProblem, open_sites: set[int], promise: float | None = None) -> float:
    reach = problem.reach.within(promise)
    total = 0.0
    for i, point in enumerate(problem.demand):
        reached = set(reach.site[reach.start[i] : reach.start[i + 1]].tolist())
        if reached & open_sites:
            total += point.weight
    return total


def brute_force(
    problem: SitingProblem, p: int, budget: int | None = None, promise: float | None = None
) -> float:
    fixed = {j for j, s in enumerate(problem.sites) if s.fixed_open}
    free = [j for j, s in enumerate(problem.sites) if not s.fixed_open]
    best = -1.0
    for combo in itertools.combinations(free, p):
        if budget is not None and sum(problem.sites[j].rent or 0 for j in combo) > budget:
            continue
        best = max(best, covered(problem, set(combo) | fixed, promise))
    return best


def positions(problem: SitingProblem, ids: tuple[object, ...]) -> set[int]:
    at = {s.id: j for j, s in enumerate(problem.sites)}
    return {at[i] for i in ids}


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("p", [1, 3, 5])
def test_the_plan_is_optimal_against_brute_force(seed: int, p: int) -> None:
    problem = random_problem(seed)
    result = solve_mclp(problem, p, time_limit=20)
    assert result.status is SolveStatus.OPTIMAL
    assert len(result.new_sites) == p
    assert result.objective == pytest.approx(brute_force(problem, p), abs=1e-6)
    # The reported coverage is the plan's own, recounted from scratch.
    assert result.covered_weight == pytest.approx(
        covered(problem, positions(problem, result.sites)), abs=1e-6
    )
    assert result.covered_share == pytest.approx(result.covered_weight / problem.total_weight)
    assert sum(result.assignment.values()) == pytest.approx(result.covered_weight)
    assert result.best_bound is not None
    assert result.best_bound >= result.objective - 1e-6
    assert result.gap is not None
    assert result.gap <= 1e-4


def test_a_promise_cuts_the_reach() -> None:
    problem = random_problem(7, radius=4.0)
    result = solve_mclp(problem, 3, promise=2.0, time_limit=20)
    assert result.objective == pytest.approx(brute_force(problem, 3, promise=2.0), abs=1e-6)
    assert result.objective < solve_mclp(problem, 3, time_limit=20).objective


@pytest.mark.parametrize("seed", range(3))
def test_a_rent_budget_is_respected_and_the_plan_is_the_best_within_it(seed: int) -> None:
    rent = np.random.default_rng(seed + 10).integers(100, 1000, 9).tolist()
    problem = random_problem(seed, rent=rent)
    budget = int(sum(sorted(rent)[:3]) + 400)
    result = solve_mclp(problem, 3, budget=budget, time_limit=20)
    assert result.status is SolveStatus.OPTIMAL
    assert len(result.new_sites) == 3
    assert sum(rent[j] for j in positions(problem, result.new_sites)) <= budget
    assert result.objective == pytest.approx(brute_force(problem, 3, budget=budget), abs=1e-6)
    assert "within the rent budget of" in result.message


def test_a_budget_below_the_cheapest_p_sites_is_infeasible_with_the_numbers() -> None:
    problem = random_problem(1, rent=[500, 100, 300, 900, 800, 700, 600, 400, 200])
    result = solve_mclp(problem, 3, budget=599)
    assert result.status is SolveStatus.INFEASIBLE
    assert not result.has_plan
    assert (
        result.message == "the rent budget of 599 won cannot pay for p=3 sites: the 3 cheapest cost 600 won"
    )


def test_open_sites_are_always_in_the_plan_free_and_not_counted_in_p() -> None:
    fixed = [True, False, False, True, False, False, False, False, False]
    problem = random_problem(3, fixed_open=fixed)
    result = solve_mclp(problem, 2, time_limit=20)
    assert set(result.fixed_sites) == {0, 3}
    assert len(result.new_sites) == 2
    assert not {0, 3} & set(result.new_sites)
    assert result.objective == pytest.approx(brute_force(problem, 2), abs=1e-6)
    assert set(result.assignment) == set(result.sites)


def test_p_zero_keeps_just_the_open_sites() -> None:
    problem = random_problem(3, fixed_open=[True] + [False] * 8)
    result = solve_mclp(problem, 0)
    assert result.new_sites == ()
    assert result.objective == pytest.approx(covered(problem, {0}))


def test_when_fewer_sites_cover_everything_the_plan_still_opens_p_and_says_so() -> None:
    # Two far-apart clusters, each reached by one site; p = 4 of 5 sites.
    problem = planar_problem(
        [[0, 0], [0.1, 0], [10, 10]], [1.0, 2.0, 3.0], [[0, 0], [10, 10], [50, 50], [60, 60], [70, 70]], 1.0
    )
    result = solve_mclp(problem, 4)
    assert result.objective == pytest.approx(6.0)
    assert len(result.new_sites) == 4
    assert {0, 1} <= set(result.new_sites)
    assert "only 2 of the p=4 new sites add coverage" in result.message


def test_a_tiny_time_limit_returns_the_best_plan_so_far_with_a_gap() -> None:
    rng = np.random.default_rng(5)
    problem = planar_problem(
        rng.uniform(0, 20, (3000, 2)), rng.lognormal(1, 1, 3000), rng.uniform(0, 20, (200, 2)), 2.0
    )
    result = solve_mclp(problem, 12, time_limit=0.01)
    assert result.status is SolveStatus.TIME_LIMIT_WITH_PLAN
    assert len(result.new_sites) == 12
    assert result.objective is not None
    assert result.best_bound is not None
    assert result.best_bound >= result.objective
    assert result.gap == pytest.approx((result.best_bound - result.objective) / result.objective)
    assert "stopped by the time limit" in result.message


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda pr: solve_mclp(pr, 10), "p=10 is more than the 9 candidate sites"),
        (lambda pr: solve_mclp(pr, -1), "p must be at least 0"),
        (lambda pr: solve_mclp(pr, 2.5), "p must be a whole number"),
        (lambda pr: solve_mclp(pr, 2, promise=-1.0), "the promise must be at least 0"),
        (lambda pr: solve_mclp(pr, 2, promise=float("nan")), "the promise must be a finite number"),
        (lambda pr: solve_mclp(pr, 2, time_limit=0), "the time limit must be above 0"),
        (lambda pr: solve_mclp(pr, 2, budget=100), "site 0 has no rent"),
        (lambda pr: solve_mclp(pr, 2, budget=-5), "the rent budget must be at least 0"),
        (lambda pr: solve_mclp_plain(pr, 12), "p=12 is more than the 9"),
    ],
    ids=[
        "p-too-big",
        "p-negative",
        "p-fraction",
        "promise-negative",
        "promise-nan",
        "time",
        "rent",
        "budget",
        "plain",
    ],
)
def test_bad_arguments_raise_a_clear_input_error(call: object, message: str) -> None:
    problem = random_problem(0)
    with pytest.raises(SitingInputError, match=message):
        call(problem)  # type: ignore[operator]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    points=st.integers(5, 60),
    sites=st.integers(2, 12),
    radius=st.floats(1.0, 5.0),
    data=st.data(),
)
def test_the_reduced_model_finds_the_plain_models_optimum(
    seed: int, points: int, sites: int, radius: float, data: st.DataObject
) -> None:
    p = data.draw(st.integers(0, sites))
    # Rounded coordinates and few weights make identical coverage sets and ties common.
    rng = np.random.default_rng(seed)
    problem = planar_problem(
        rng.integers(0, 8, (points, 2)),
        rng.integers(0, 4, points) + 0.5,
        rng.integers(0, 8, (sites, 2)),
        radius,
    )
    reduced = solve_mclp(problem, p, time_limit=20, mip_gap=0.0)
    plain = solve_mclp_plain(problem, p, time_limit=20, mip_gap=0.0)
    assert reduced.status is plain.status is SolveStatus.OPTIMAL
    assert reduced.objective == pytest.approx(plain.objective, abs=1e-6)
    assert reduced.covered_weight == pytest.approx(
        covered(problem, positions(problem, reduced.sites)), abs=1e-6
    )
    assert len(reduced.new_sites) == len(plain.new_sites) == p
