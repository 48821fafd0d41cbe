"""The plain maximal covering MILP (optim/siting/plain.py), the benchmark's baseline:
optimal against brute force, open sites fixed, and the time-limit path."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from hyperlocal.optim.siting import SitingProblem, SolveStatus, planar_problem, solve_mclp_plain
from hyperlocal.optim.siting import plain as plain_module
from hyperlocal.optim.siting.milp import MilpOutcome, MilpStatus


def problem_of(seed: int, **kw: object) -> SitingProblem:
    rng = np.random.default_rng(seed)
    return planar_problem(
        rng.uniform(0, 10, (35, 2)),
        rng.lognormal(1, 1, 35),
        rng.uniform(0, 10, (8, 2)),
        3.0,
        **kw,  # type: ignore[arg-type]
    )


def covered(problem: SitingProblem, open_sites: set[int]) -> float:
    reach = problem.reach
    return sum(
        point.weight
        for i, point in enumerate(problem.demand)
        if set(reach.site[reach.start[i] : reach.start[i + 1]].tolist()) & open_sites
    )


@pytest.mark.parametrize("seed", range(3))
def test_the_plain_model_is_optimal_against_brute_force(seed: int) -> None:
    problem = problem_of(seed, fixed_open=[True] + [False] * 7)
    result = solve_mclp_plain(problem, 3, time_limit=20)
    assert result.status is SolveStatus.OPTIMAL
    assert result.fixed_sites == (0,)
    assert len(result.new_sites) == 3
    best = max(covered(problem, {0, *combo}) for combo in itertools.combinations(range(1, 8), 3))
    assert result.objective == pytest.approx(best)
    assert result.covered_weight == pytest.approx(best)
    assert result.sizes == {"points": 35, "sites": 8, "pairs": problem.reach.pairs}


def test_a_tiny_time_limit_gives_a_plan_with_its_gap_or_says_there_is_none() -> None:
    rng = np.random.default_rng(9)
    problem = planar_problem(
        rng.uniform(0, 20, (4000, 2)), rng.lognormal(1, 1, 4000), rng.uniform(0, 20, (250, 2)), 2.0
    )
    result = solve_mclp_plain(problem, 15, time_limit=0.01)
    assert result.status in (SolveStatus.TIME_LIMIT_WITH_PLAN, SolveStatus.TIME_LIMIT_NO_PLAN)
    if result.status is SolveStatus.TIME_LIMIT_NO_PLAN:
        assert result.new_sites == ()
        assert result.objective is None
        assert "HiGHS found no plan" in result.message
    else:
        assert len(result.new_sites) == 15
        assert result.objective == pytest.approx(result.covered_weight)


def test_the_objective_is_what_the_plan_covers_even_when_highs_counts_less(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A HiGHS incumbent may leave a covered point's coverage variable at 0: its objective
    # then undercounts the plan. Site 0 open, point 0 (weight 1) covered but y_0 = 0.
    problem = planar_problem([[0, 0], [0, 1]], [1.0, 2.0], [[0, 0], [5, 5]], 1.5)

    def incumbent(milp: object, **kwargs: object) -> MilpOutcome:
        return MilpOutcome(MilpStatus.OPTIMAL, np.array([1.0, 0.0, 0.0, 1.0]), 2.0, 3.2, 0.6, 0.01)

    monkeypatch.setattr(plain_module, "solve_milp", incumbent)
    result = solve_mclp_plain(problem, 1)
    assert result.objective == result.covered_weight == 3.0
    assert result.gap == pytest.approx(0.2 / 3.0)
    assert result.message.endswith("; HiGHS's objective 2.0 counted 1.0 less")
