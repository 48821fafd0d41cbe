"""Set covering (optim/siting/setcover.py): the fewest new sites for a target share, against
brute force; unreachable targets and budgets say which constraint fails."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from hyperlocal.optim.siting import (
    SitingInputError,
    SitingProblem,
    SolveStatus,
    planar_problem,
    solve_set_cover,
)


def problem_of(seed: int, **kw: object) -> SitingProblem:
    rng = np.random.default_rng(seed)
    return planar_problem(
        rng.uniform(0, 10, (40, 2)),
        rng.lognormal(1, 1, 40).round(2),
        rng.uniform(0, 10, (9, 2)),
        3.0,
        **kw,  # type: ignore[arg-type]
    )


def share_of(problem: SitingProblem, open_sites: set[int]) -> float:
    reach = problem.reach
    hit = sum(
        point.weight
        for i, point in enumerate(problem.demand)
        if set(reach.site[reach.start[i] : reach.start[i + 1]].tolist()) & open_sites
    )
    return hit / problem.total_weight


def fewest(
    problem: SitingProblem, target: float, rent: list[int] | None = None, budget: int | None = None
) -> int:
    fixed = {j for j, s in enumerate(problem.sites) if s.fixed_open}
    free = [j for j in range(len(problem.sites)) if j not in fixed]
    for k in range(len(free) + 1):
        for combo in itertools.combinations(free, k):
            if rent is not None and budget is not None and sum(rent[j] for j in combo) > budget:
                continue
            if share_of(problem, set(combo) | fixed) >= target - 1e-12:
                return k
    return -1


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("fraction", [0.5, 0.8, 0.95, 1.0])
def test_the_fewest_sites_for_the_target_against_brute_force(seed: int, fraction: float) -> None:
    problem = problem_of(seed)
    target = fraction * share_of(problem, set(range(9)))  # a share of what all sites reach
    result = solve_set_cover(problem, target, time_limit=20)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == len(result.new_sites) == fewest(problem, target)
    assert result.covered_share >= target - 1e-12
    positions = {j for j, s in enumerate(problem.sites) if s.id in result.new_sites}
    assert result.covered_share == pytest.approx(share_of(problem, positions))
    assert result.sizes["greedy_sites"] >= result.objective
    assert "proven the fewest" in result.message
    assert f"the greedy heuristic needed {result.sizes['greedy_sites']}" in result.message


def test_open_sites_count_towards_the_target_for_free() -> None:
    problem = problem_of(1, fixed_open=[True, True] + [False] * 7)
    result = solve_set_cover(problem, 0.6, time_limit=20)
    assert result.fixed_sites == (0, 1)
    assert not {0, 1} & set(result.new_sites)
    assert result.objective == fewest(problem, 0.6)


def test_an_unreachable_target_names_what_all_sites_cover() -> None:
    # Three points, one out of reach of both sites: all sites cover 91.2 % (of 100 + 9.65).
    problem = planar_problem([[0, 0], [1, 0], [50, 50]], [50.0, 50.0, 9.65], [[0, 0], [1, 0]], 1.0)
    result = solve_set_cover(problem, 0.95)
    assert result.status is SolveStatus.INFEASIBLE
    assert result.message == "a coverage target of 95% is unreachable: all sites together cover 91.1%"
    assert not result.has_plan


def test_a_budget_too_small_for_the_target_says_so() -> None:
    rent = [100, 200, 300, 400, 500, 600, 700, 800, 900]
    problem = problem_of(2, rent=rent)
    need = fewest(problem, 0.6)
    cheapest = sum(sorted(rent)[:need])
    result = solve_set_cover(problem, 0.6, budget=cheapest - 1, time_limit=20)
    assert result.status is SolveStatus.INFEASIBLE
    assert (
        result.message
        == f"no set of sites within the rent budget of {cheapest - 1:,} won reaches a coverage target of 60%"
    )
    generous = solve_set_cover(problem, 0.6, budget=5000, time_limit=20)
    assert generous.objective == fewest(problem, 0.6, rent, 5000)
    assert sum(rent[j] for j in generous.new_sites) <= 5000  # type: ignore[index]


def test_a_target_already_met_by_open_sites_needs_no_new_site() -> None:
    problem = problem_of(3, fixed_open=[True] * 9)
    result = solve_set_cover(problem, share_of(problem, set(range(9))) * 0.99)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == 0
    assert result.new_sites == ()


@pytest.mark.parametrize(
    ("target", "message"), [(0.0, "in \\(0, 1\\]"), (1.2, "in \\(0, 1\\]"), (float("nan"), "finite")]
)
def test_a_target_outside_zero_to_one_is_refused(target: float, message: str) -> None:
    with pytest.raises(SitingInputError, match=message):
        solve_set_cover(problem_of(0), target)


def test_a_tiny_time_limit_gives_a_plan_or_says_none_was_found() -> None:
    rng = np.random.default_rng(4)
    problem = planar_problem(
        rng.uniform(0, 20, (3000, 2)), rng.lognormal(1, 1, 3000), rng.uniform(0, 20, (200, 2)), 2.0
    )
    result = solve_set_cover(problem, 0.7, time_limit=0.01)
    assert result.status in (SolveStatus.TIME_LIMIT_WITH_PLAN, SolveStatus.TIME_LIMIT_NO_PLAN)
    if result.status is SolveStatus.TIME_LIMIT_WITH_PLAN:
        assert result.covered_share >= 0.7 - 1e-9  # the greedy warm start at least
        assert "stopped by the time limit" in result.message
    else:
        assert result.new_sites == ()
