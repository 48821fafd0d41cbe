"""The greedy heuristic (optim/siting/greedy.py): the lazy queue picks what recomputing
every gain would pick, budgets keep room for the picks still to come, targets stop it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperlocal.optim.siting import Reach
from hyperlocal.optim.siting.greedy import greedy_cover, pad_plan
from hyperlocal.optim.siting.reduce import Covering, reduce_covering


def covering_of(rows: list[list[int]], weights: list[float], sites: int) -> Covering:
    reach = Reach.from_rows([dict.fromkeys(row, 1.0) for row in rows])
    return reduce_covering(reach, np.array(weights), np.zeros(sites), dominance=False)


def gains_after(covering: Covering, chosen: list[int]) -> np.ndarray:
    """Every column's marginal gain once ``chosen`` are open, recomputed from scratch."""
    point = np.repeat(np.arange(covering.points), np.diff(covering.start))
    covered = np.zeros(covering.points, dtype=bool)
    for c in chosen:
        covered[point[covering.col == c]] = True
    free = np.where(covered, 0.0, covering.weight)[point]
    return np.bincount(covering.col, weights=free, minlength=len(covering.site))


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 100_000), points=st.integers(1, 40), sites=st.integers(1, 10), picks=st.integers(1, 6)
)
def test_each_pick_of_the_lazy_queue_has_the_largest_gain_recomputed_from_scratch(
    seed: int, points: int, sites: int, picks: int
) -> None:
    rng = np.random.default_rng(seed)
    rows = [rng.choice(sites, size=rng.integers(0, sites + 1), replace=False).tolist() for _ in range(points)]
    covering = covering_of(rows, rng.lognormal(0, 1, points).tolist(), sites)
    plan = greedy_cover(covering, picks=picks)
    assert plan is not None
    total = 0.0
    for step, column in enumerate(plan.columns):
        gains = gains_after(covering, list(plan.columns[:step]))
        assert gains[column] == pytest.approx(gains.max())
        assert gains[column] > 0
        total += gains[column]
    assert plan.value == pytest.approx(total)
    # It stops early only when no column gains anything.
    if len(plan.columns) < min(picks, len(covering.site)):
        assert gains_after(covering, list(plan.columns)).max() == 0


def test_greedy_stops_when_nothing_is_left_to_gain() -> None:
    covering = covering_of([[0], [0, 1]], [1.0, 2.0], 3)
    plan = greedy_cover(covering, picks=3)
    assert plan is not None
    assert plan.columns == (0,)
    assert plan.value == 3.0


def test_under_a_budget_greedy_keeps_enough_for_the_picks_to_come() -> None:
    # Column 0 covers the most but costs 9: taking it would leave 1 for the second pick,
    # and the cheapest other costs 2. So greedy takes column 1 and 2 (cost 5 in all).
    covering = covering_of([[0], [1], [2], [3]], [10.0, 6.0, 5.0, 1.0], 4)
    rent = np.array([9.0, 3.0, 2.0, 4.0])
    plan = greedy_cover(covering, picks=2, rent=rent, budget=10.0)
    assert plan is not None
    assert sorted(plan.columns) == [1, 2]
    assert plan.value == 11.0
    assert greedy_cover(covering, picks=2, rent=rent, budget=11.0).columns == (0, 2)  # type: ignore[union-attr]


def test_under_a_budget_greedy_fills_exactly_p_with_the_cheapest_once_gains_run_out() -> None:
    covering = covering_of([[0], [0]], [1.0, 1.0], 4)
    plan = greedy_cover(covering, picks=3, rent=np.array([5.0, 1.0, 3.0, 2.0]), budget=10.0)
    assert plan is not None
    assert plan.columns == (0, 1, 3)


def test_a_target_stops_greedy_once_reached_and_none_when_out_of_reach() -> None:
    covering = covering_of([[0], [1], [2]], [5.0, 3.0, 2.0], 3)
    plan = greedy_cover(covering, target=7.0)
    assert plan is not None
    assert plan.columns == (0, 1)
    assert greedy_cover(covering, target=10.5) is None
    rent = np.array([4.0, 4.0, 1.0])
    assert greedy_cover(covering, target=7.5, rent=rent, budget=5.0) is None  # 0 and 1 cost 8


def test_pad_plan_adds_gain_first_then_the_sites_that_reach_the_most() -> None:
    reach = Reach.from_rows([{0: 1.0, 1: 1.0}, {1: 1.0}, {2: 1.0}, {3: 1.0, 1: 1.0}])
    weights = np.array([4.0, 1.0, 2.0, 1.0])
    open_sites = np.array([False, True, False, False])
    free = np.ones(4, dtype=bool)
    # Site 2 adds 2; then nothing adds more: site 0 reaches 4, site 3 reaches 1.
    assert pad_plan(reach, weights, open_sites, free, 2) == [2, 0]
    assert pad_plan(reach, weights, open_sites, np.array([True, False, False, True]), 5) == [0, 3]
