"""The HiGHS wrapper (optim/siting/milp.py): models as arrays, statuses, the incumbent at a
time limit, warm starts, LP duals."""

from __future__ import annotations

import numpy as np
import pytest

from hyperlocal.optim.siting.milp import (
    INF,
    Clock,
    Milp,
    MilpStatus,
    RowBlock,
    relative_gap,
    solve_lp,
    solve_milp,
)


def knapsack(capacity: float) -> Milp:
    """max 5a + 4b + 3c, 2a + 3b + c <= capacity, a + b + c >= 1, binaries."""
    return Milp(
        maximise=True,
        cost=np.array([5.0, 4.0, 3.0]),
        lower=np.zeros(3),
        upper=np.ones(3),
        integer=np.ones(3, dtype=bool),
        rows=[
            RowBlock.single(np.arange(3), np.array([2.0, 3.0, 1.0]), -INF, capacity),
            RowBlock.single(np.arange(3), np.ones(3), 1.0, INF),
        ],
        offset=10.0,
    )


def test_a_small_milp_is_solved_to_optimality_with_its_offset() -> None:
    outcome = solve_milp(knapsack(4.0), time_limit=10)
    assert outcome.status is MilpStatus.OPTIMAL
    assert outcome.values is not None
    assert outcome.values.round().tolist() == [1.0, 0.0, 1.0]
    assert outcome.objective == pytest.approx(18.0)
    assert outcome.bound == pytest.approx(18.0)
    assert outcome.gap == pytest.approx(0.0)


def test_an_infeasible_milp_says_so_without_a_plan() -> None:
    milp = knapsack(4.0)
    milp.rows.append(RowBlock.single(np.arange(3), np.ones(3), 3.0, INF))  # all three: weight 6 > 4
    outcome = solve_milp(milp, time_limit=10)
    assert outcome.status is MilpStatus.INFEASIBLE
    assert outcome.values is None
    assert outcome.objective is None


def test_the_row_blocks_stack_into_one_matrix() -> None:
    rows = knapsack(4.0).stacked()
    assert rows.start.tolist() == [0, 3, 6]
    assert rows.index.tolist() == [0, 1, 2, 0, 1, 2]
    assert rows.lower.tolist() == [-INF, 1.0]
    assert Milp(
        True, np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, dtype=bool)
    ).stacked().start.tolist() == [0]


def test_an_empty_model_is_optimal_at_its_offset() -> None:
    empty = Milp(True, np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, dtype=bool), offset=7.0)
    outcome = solve_milp(empty, time_limit=1)
    assert (outcome.status, outcome.objective, outcome.gap) == (MilpStatus.OPTIMAL, 7.0, 0.0)


def hard_covering(seed: int) -> Milp:
    """A maximal covering MILP big enough that HiGHS cannot finish it in a few milliseconds."""
    rng = np.random.default_rng(seed)
    points, sites = 3000, 150
    index = [np.sort(rng.choice(sites, size=rng.integers(2, 12), replace=False)) for _ in range(points)]
    start = np.concatenate([[0], np.cumsum([len(i) + 1 for i in index])])
    cols = np.concatenate([np.concatenate([[sites + r], i]) for r, i in enumerate(index)])
    values = np.concatenate([np.concatenate([[1.0], -np.ones(len(i))]) for i in index])
    return Milp(
        maximise=True,
        cost=np.concatenate([np.zeros(sites), rng.lognormal(1, 1, points)]),
        lower=np.zeros(sites + points),
        upper=np.ones(sites + points),
        integer=np.concatenate([np.ones(sites, dtype=bool), np.zeros(points, dtype=bool)]),
        rows=[
            RowBlock(start, cols, values, np.full(points, -INF), np.zeros(points)),
            RowBlock.single(np.arange(sites), np.ones(sites), 10.0, 10.0),
        ],
    )


def test_a_time_limit_returns_the_warm_start_or_better_with_a_gap() -> None:
    milp = hard_covering(1)
    start = np.zeros(milp.columns)
    start[:10] = 1.0
    index = milp.stacked()
    covered = set()
    for r in range(3000):
        if np.any(index.index[index.start[r] + 1 : index.start[r + 1]] < 10):
            covered.add(r)
    start[150 + np.array(sorted(covered), dtype=int)] = 1.0
    value = float(milp.cost @ start)
    outcome = solve_milp(milp, time_limit=0.01, start=start)
    assert outcome.status is MilpStatus.TIME_LIMIT
    assert outcome.values is not None
    assert outcome.objective is not None
    assert outcome.objective >= value - 1e-6
    # Stopped before the root LP, HiGHS has no bound yet: then there is no gap either.
    if outcome.bound is None:
        assert outcome.gap is None
    else:
        assert outcome.bound >= outcome.objective
        assert outcome.gap == pytest.approx(relative_gap(outcome.objective, outcome.bound))


def test_a_partial_start_is_completed_by_highs() -> None:
    outcome = solve_milp(knapsack(4.0), time_limit=10, partial=(np.array([1]), np.array([1.0])))
    assert outcome.status is MilpStatus.OPTIMAL
    assert outcome.objective == pytest.approx(18.0)


def test_the_lp_relaxation_gives_its_value_and_row_duals() -> None:
    outcome = solve_lp(knapsack(4.0), time_limit=10)
    assert outcome.values is not None
    assert outcome.row_dual is not None
    # LP: a = 1, c = 1, b = 1/3: 5 + 4/3 + 3 + 10.
    assert outcome.objective == pytest.approx(19.0 + 1 / 3, abs=1e-6)
    assert abs(outcome.row_dual[0]) == pytest.approx(4 / 3, abs=1e-6)


def test_relative_gap_is_relative_to_the_objective() -> None:
    assert relative_gap(100.0, 101.0) == pytest.approx(0.01)
    assert relative_gap(0.0, 0.0) == 0.0
    assert relative_gap(None, 1.0) is None
    assert relative_gap(5.0, None) is None


def test_the_clock_counts_down() -> None:
    clock = Clock(100.0)
    assert 0 <= clock.elapsed() < 1
    assert 99 < clock.left() <= 100
