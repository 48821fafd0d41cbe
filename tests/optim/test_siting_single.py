"""Capacitated maximal covering with one new site (optim/siting/single.py): the candidates
evaluated by small max-flow LPs give the optimum of brute force and of the full MILP, the
cheapest of equal plans (within the level tolerance of the best, never of a plan itself
within it), the budget, and a plan or none when time runs out."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperlocal.optim.siting import SitingProblem, SolveStatus, planar_problem, solve_mclp
from hyperlocal.optim.siting.cap_model import flow_model
from hyperlocal.optim.siting.cheapest import LEVEL_TOLERANCE
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
        [[0.0, 0.0], [0.1, 0.0], [0.0, 0.1]],
        [10.0, 10.0, 10.0],
        [[0.0, 0.0], [0.1, 0.1], [0.05, 0.0]],
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


def test_ties_are_measured_from_the_best_not_from_the_plan_kept() -> None:
    # Total weight 1e6, so plans within 1.0 of the best tie. The three sites serve 100, 99.1
    # and 98.2 (in that order of bound): 99.1 ties 100 and is cheaper; 98.2 ties 99.1 but
    # is 1.8 short of the best, so it must not win however cheap.
    problem = planar_problem(
        [[0, 0], [10, 0], [20, 0], [100, 100]],
        [100.0, 99.1, 98.2, 1e6 - 297.3],
        [[0, 0], [10, 0], [20, 0]],
        1.0,
        capacity=[1000.0, 1000.0, 1000.0],
        rent=[3_000_000, 2_000_000, 1_000_000],
    )
    assert LEVEL_TOLERANCE * problem.total_weight == pytest.approx(1.0)
    capacitated = solve_mclp(problem, 1, capacitated=True)
    assert capacitated.status is SolveStatus.OPTIMAL
    assert capacitated.new_sites == (1,)
    assert capacitated.objective == pytest.approx(99.1)
    assert capacitated.message.endswith("the cheapest of the plans that serve as much: 2,000,000 won a month")
    assert solve_mclp(problem, 1).new_sites == (1,)  # as the uncapacitated second phase


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 100_000))
def test_the_plan_is_the_cheapest_within_the_tolerance_of_the_best(seed: int) -> None:
    # Weights and capacities on a grid of 0.3 with a far point making the total 1e6 (so the
    # tolerance is 1.0): the sites' values differ by 0.3, 0.6, 0.9 (ties) or 1.2 (no tie),
    # never close to the tolerance, and chains of ties are common.
    rng = np.random.default_rng(seed)
    points, sites = int(rng.integers(3, 9)), int(rng.integers(3, 7))
    xy = rng.uniform(0, 4, (points, 2))
    weights = 0.3 * rng.integers(3, 15, points)
    fixed = rng.random(sites) < 0.3
    fixed[-1] = False  # at least one candidate
    problem = planar_problem(
        [*xy.tolist(), [100.0, 100.0]],
        [*weights.tolist(), 1e6 - float(weights.sum())],
        rng.uniform(0, 4, (sites, 2)),
        1.5,
        capacity=(0.3 * rng.integers(2, 20, sites)).tolist(),
        rent=rng.integers(1, 5, sites).tolist(),
        fixed_open=fixed.tolist(),
    )
    tolerance = LEVEL_TOLERANCE * problem.total_weight
    open_sites = fixed_of(problem)
    served = {j: max_flow(problem, open_sites | {j}) for j in range(sites) if j not in open_sites}
    best = max(served.values())
    tying = [j for j, value in served.items() if value >= best - tolerance]
    cheapest = min(problem.sites[j].rent or 0 for j in tying)
    result = solve_mclp(problem, 1, capacitated=True, time_limit=20)
    assert result.status is SolveStatus.OPTIMAL
    chosen = int(result.new_sites[0])
    assert len(result.new_sites) == 1
    assert result.objective is not None
    assert result.objective == pytest.approx(served[chosen], abs=1e-6)
    assert result.objective >= best - tolerance - 1e-6
    assert problem.sites[chosen].rent == cheapest


@settings(max_examples=60, deadline=None)
@given(plans=st.lists(st.tuples(st.integers(0, 5), st.integers(1, 15)), min_size=2, max_size=7))
def test_chains_of_ties_do_not_stack_up(plans: list[tuple[int, int]]) -> None:
    # Each site alone reaches a point of 30 + 0.3 k (k <= 5): values 0.3 to 1.5 apart, so
    # ties (the tolerance is 1.0) chain. Its rent 10 k + e (1 <= e <= 15) mostly falls with
    # its value, so a cheap site at the end of a chain must often lose to a dearer one within
    # the tolerance of the best.
    served = [30.0 + 0.3 * k for k, _ in plans]
    rents = [10 * k + e for k, e in plans]
    at = [[10.0 * j, 0.0] for j in range(len(plans))]
    problem = planar_problem(
        [*at, [-100.0, -100.0]],
        [*served, 1e6 - sum(served)],
        at,
        1.0,
        capacity=[40.0] * len(plans),
        rent=rents,
    )
    tolerance = LEVEL_TOLERANCE * problem.total_weight
    tying = [j for j, value in enumerate(served) if value >= max(served) - tolerance]
    result = solve_mclp(problem, 1, capacitated=True, time_limit=20)
    assert result.status is SolveStatus.OPTIMAL
    chosen = int(result.new_sites[0])
    assert len(result.new_sites) == 1
    assert chosen in tying
    assert rents[chosen] == min(rents[j] for j in tying)
    assert result.objective == pytest.approx(served[chosen])


class Ticks(Clock):
    """A clock with time left for the first ``calls`` questions only."""

    def __init__(self, calls: int) -> None:
        super().__init__(60)
        self.calls = calls

    def left(self) -> float:
        self.calls -= 1
        return 60.0 if self.calls >= 0 else 0.0


def test_out_of_time_among_equal_plans_the_cheapest_is_not_claimed() -> None:
    # Three sites serve 5 each, the dearest first in the order; time runs out after it (the
    # base plan and the first candidate ask the clock three times), so a cheaper site that
    # serves as much may be left: not proven, though nothing left can serve more.
    problem = planar_problem(
        [[0.0, 0.0], [0.1, 0.0], [0.0, 0.1]],
        [10.0, 10.0, 10.0],
        [[0.0, 0.0], [0.1, 0.1], [0.05, 0.0]],
        1.0,
        capacity=[5.0, 5.0, 5.0],
        rent=[300, 100, 200],
    )
    start, col, weight, capacity = parts(problem)
    rent = np.array([300.0, 100.0, 200.0])
    stopped = best_single_site(problem, start, col, weight, capacity, rent, None, Ticks(3))
    assert stopped.status is MilpStatus.TIME_LIMIT
    assert stopped.values is not None
    assert stopped.values[0] == 1.0
    assert stopped.objective == pytest.approx(5.0)
    assert stopped.bound == pytest.approx(5.0)
    done = best_single_site(problem, start, col, weight, capacity, rent, None, Ticks(100))
    assert done.status is MilpStatus.OPTIMAL
    assert done.values is not None
    assert done.values[1] == 1.0


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
