"""p-median (optim/siting/pmedian.py): the lowest demand-weighted travel against brute
force, unservable points reported rather than fatal, capacities, and infeasible inputs."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from hyperlocal.optim.siting import (
    CandidateSite,
    DemandPoint,
    SitingInputError,
    SitingProblem,
    SolveStatus,
    planar_problem,
    solve_p_median,
)


def problem_of(seed: int, radius: float = 6.0, **kw: object) -> SitingProblem:
    rng = np.random.default_rng(seed)
    return planar_problem(
        rng.uniform(0, 10, (30, 2)),
        rng.lognormal(1, 1, 30).round(2),
        rng.uniform(0, 10, (8, 2)),
        radius,
        **kw,  # type: ignore[arg-type]
    )


def cost(problem: SitingProblem, open_sites: set[int], max_travel: float | None = None) -> float:
    """Weighted travel to the nearest open site, inf when a reachable point has none."""
    reach = problem.reach.within(max_travel)
    total = 0.0
    for i, point in enumerate(problem.demand):
        options = [
            float(reach.travel[k])
            for k in range(reach.start[i], reach.start[i + 1])
            if int(reach.site[k]) in open_sites
        ]
        if reach.start[i] == reach.start[i + 1] or point.weight == 0:
            continue  # unservable, or weightless
        total += point.weight * min(options, default=math.inf)
    return total


def brute_force(problem: SitingProblem, p: int, max_travel: float | None = None) -> float:
    fixed = {j for j, s in enumerate(problem.sites) if s.fixed_open}
    free = [j for j in range(len(problem.sites)) if j not in fixed]
    return min(cost(problem, set(combo) | fixed, max_travel) for combo in itertools.combinations(free, p))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("p", [1, 2, 4])
def test_the_plan_is_optimal_against_brute_force(seed: int, p: int) -> None:
    problem = problem_of(seed)
    best = brute_force(problem, p)
    result = solve_p_median(problem, p, time_limit=20)
    if math.isinf(best):
        assert result.status is SolveStatus.INFEASIBLE
        return
    assert result.status is SolveStatus.OPTIMAL
    assert len(result.new_sites) == p
    assert result.objective == pytest.approx(best, rel=1e-6)
    positions = {j for j, s in enumerate(problem.sites) if s.id in result.sites}
    assert cost(problem, positions) == pytest.approx(best, rel=1e-6)
    assert result.covered_weight == pytest.approx(sum(result.assignment.values()))
    assert result.gap is not None
    assert result.gap <= 1e-4


def test_points_out_of_reach_are_reported_and_left_out() -> None:
    problem = planar_problem([[0, 0], [1, 0], [40, 40]], [1.0, 2.0, 5.0], [[0, 0], [1, 0], [2, 0]], 1.5)
    result = solve_p_median(problem, 1)
    assert result.status is SolveStatus.OPTIMAL
    assert result.unservable == (2,)
    assert result.new_sites == (1,)
    assert result.objective == pytest.approx(1.0)  # at site 1, point 0 (weight 1) travels 1
    assert result.covered_weight == pytest.approx(3.0)
    assert result.covered_share == pytest.approx(3.0 / 8.0)
    assert "1 demand points are out of reach" in result.message


def test_open_sites_stay_open_and_serve() -> None:
    problem = problem_of(2, fixed_open=[True] + [False] * 7)
    result = solve_p_median(problem, 2, time_limit=20)
    assert result.fixed_sites == (0,)
    assert 0 not in result.new_sites
    assert result.objective == pytest.approx(brute_force(problem, 2), rel=1e-6)


def test_capacities_split_demand_at_a_higher_travel() -> None:
    # Two points next to site a, site b farther; a holds 3 of the 4 units of demand.
    demand = (DemandPoint("x", 2.0), DemandPoint("y", 2.0))
    sites = (CandidateSite("a", capacity=3.0), CandidateSite("b", capacity=3.5))
    reach = {"x": {"a": 1.0, "b": 5.0}, "y": {"a": 1.0, "b": 6.0}}
    problem = SitingProblem.from_mapping(demand, sites, reach)
    free = solve_p_median(problem, 2, time_limit=20)
    assert free.objective == pytest.approx(4.0)
    capped = solve_p_median(problem, 2, capacitated=True, time_limit=20)
    assert capped.status is SolveStatus.OPTIMAL
    # 3 units at a (travel 1), the last unit of x at b (travel 5): 3 + 5.
    assert capped.objective == pytest.approx(8.0)
    assert capped.assignment == pytest.approx({"a": 3.0, "b": 1.0})
    too_small = solve_p_median(problem, 1, capacitated=True, time_limit=20)
    assert too_small.status is SolveStatus.INFEASIBLE
    assert too_small.message == (
        "the capacities cannot hold the servable demand of 4.0: "
        "the p=1 largest new sites and the open ones hold 3.5"
    )


def test_too_few_sites_to_reach_every_point_says_how_many_it_takes() -> None:
    problem = planar_problem([[0, 0], [10, 0], [20, 0]], [1.0, 1.0, 1.0], [[0, 0], [10, 0], [20, 0]], 1.0)
    result = solve_p_median(problem, 2)
    assert result.status is SolveStatus.INFEASIBLE
    assert result.message == (
        "p=2 new sites cannot put every servable demand point within reach of an open site: "
        "that takes at least 3"
    )


@pytest.mark.parametrize(
    ("problem", "p", "message"),
    [
        (planar_problem([[0, 0]], [1.0], [[9, 9]], 1.0), 1, "no demand point with weight is within reach"),
        (planar_problem([[0, 0]], [1.0], [[0, 0]], 1.0), 0, "p=0 and no site is already open"),
    ],
)
def test_hopeless_inputs_are_infeasible_with_a_reason(problem: SitingProblem, p: int, message: str) -> None:
    result = solve_p_median(problem, p)
    assert result.status is SolveStatus.INFEASIBLE
    assert message in result.message


def test_bad_arguments_raise() -> None:
    with pytest.raises(SitingInputError, match="the promise must be at least 0"):
        solve_p_median(problem_of(0), 2, max_travel=-3.0)
    with pytest.raises(SitingInputError, match="p=9 is more than the 8"):
        solve_p_median(problem_of(0), 9)


def test_a_tiny_time_limit_gives_the_warm_start_or_says_none_was_found() -> None:
    rng = np.random.default_rng(7)
    problem = planar_problem(
        rng.uniform(0, 20, (1500, 2)), rng.lognormal(1, 1, 1500), rng.uniform(0, 20, (80, 2)), 8.0
    )
    result = solve_p_median(problem, 20, time_limit=0.01)
    assert result.status in (SolveStatus.TIME_LIMIT_WITH_PLAN, SolveStatus.TIME_LIMIT_NO_PLAN)
    if result.has_plan:
        assert len(result.new_sites) == 20
        assert result.objective is not None
        assert result.covered_weight == pytest.approx(problem.total_weight)
    else:
        assert result.new_sites == ()


def test_capacities_that_the_reach_cannot_use_make_it_infeasible() -> None:
    demand = (DemandPoint("x", 2.0), DemandPoint("y", 1.0))
    sites = (CandidateSite("a", capacity=1.0), CandidateSite("b", capacity=10.0))
    problem = SitingProblem.from_mapping(demand, sites, {"x": {"a": 1.0}, "y": {"a": 2.0, "b": 1.0}})
    result = solve_p_median(problem, 2, capacitated=True, time_limit=20)
    assert result.status is SolveStatus.INFEASIBLE
    assert (
        result.message
        == "with p=2 new sites, no assignment serves every servable point within the capacities"
    )


RENT = [30, 10, 50, 20, 80, 40, 60, 70]


def brute_force_within(problem: SitingProblem, p: int, budget: int) -> float:
    return min(
        (
            cost(problem, set(combo))
            for combo in itertools.combinations(range(8), p)
            if sum(RENT[j] for j in combo) <= budget
        ),
        default=math.inf,
    )


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("p", "budget"), [(1, 25), (2, 50), (3, 90), (3, 200)])
def test_a_rent_budget_holds_and_the_plan_is_optimal_within_it(seed: int, p: int, budget: int) -> None:
    problem = problem_of(seed, 15.0, rent=RENT)  # every site reaches every point
    best = brute_force_within(problem, p, budget)
    result = solve_p_median(problem, p, budget=budget, time_limit=20)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(best)
    assert len(result.new_sites) == p
    assert sum(RENT[j] for j in result.new_sites) <= budget  # type: ignore[index]
    assert f"within the rent budget of {budget:,} won" in result.message
    if budget < 200:  # the budget binds: without it the plan is at least as good
        free = solve_p_median(problem, p, time_limit=20)
        assert free.objective is not None
        assert free.objective <= best + 1e-9


def test_a_budget_below_the_p_cheapest_sites_names_them() -> None:
    problem = problem_of(0, rent=RENT)
    result = solve_p_median(problem, 3, budget=59)
    assert result.status is SolveStatus.INFEASIBLE
    assert result.message == "the rent budget of 59 won cannot pay for p=3 sites: the 3 cheapest cost 60 won"


def test_a_budget_that_leaves_points_out_of_reach_names_the_budget() -> None:
    # Two far-apart points; the cheap site reaches only the first, the dear one only the second.
    problem = planar_problem(
        [[0, 0], [10, 0], [5, 5]], [1.0, 1.0, 1.0], [[0, 0], [10, 0], [5, 5]], 1.0, rent=[10, 100, 10]
    )
    assert solve_p_median(problem, 3, budget=120).status is SolveStatus.OPTIMAL
    result = solve_p_median(problem, 2, budget=110)
    assert result.status is SolveStatus.INFEASIBLE
    assert result.message == (
        "with p=2 new sites within the rent budget of 110 won, no plan puts every servable demand point "
        "within reach of an open site"
    )


def test_a_budget_needs_the_rent_of_every_site() -> None:
    with pytest.raises(SitingInputError, match="has no rent"):
        solve_p_median(problem_of(0), 2, budget=100)
