"""Reductions of a covering instance (optim/siting/reduce.py): what each one removes, and
that the best plan with p sites is worth the same before and after (brute force)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from hyperlocal.optim.siting import Reach
from hyperlocal.optim.siting.reduce import Covering, covered_weight, merge_points, reduce_covering, restrict


def reach_of(rows: list[list[int]]) -> Reach:
    return Reach.from_rows([dict.fromkeys(row, 1.0) for row in rows])


def test_merge_points_sums_the_weights_of_points_with_the_same_sites() -> None:
    start = np.array([0, 2, 4, 5, 5, 6])
    col = np.array([3, 1, 1, 3, 2, 2])
    start, col, weight = merge_points(start, col, np.array([1.0, 2.0, 4.0, 8.0, 0.0]))
    assert start.tolist() == [0, 2, 3]
    assert col.tolist() == [1, 3, 2]
    assert weight.tolist() == [3.0, 4.0]  # the site-less point and the weightless one are gone


def test_reduce_covering_takes_out_what_open_sites_and_nobody_reach() -> None:
    reach = reach_of([[0], [0, 1], [1, 2], [], [2]])
    covering = reduce_covering(reach, np.array([1.0, 2.0, 4.0, 8.0, 16.0]), np.array([1.0, 0.0, 0.0]))
    assert covering.constant == 3.0  # points 0 and 1, reached by the open site 0
    assert covering.unreachable == 8.0
    # Site 1 reaches {2}, a subset of site 2's {2, 4}: dominated, dropped.
    assert covering.site.tolist() == [2]
    assert covering.weight.tolist() == [20.0]
    assert (covering.points_in, covering.sites_in) == (5, 3)


def test_with_rent_only_a_site_no_cheaper_is_dominated_and_the_cheapest_stay_as_fillers() -> None:
    reach = reach_of([[0, 1, 2], [1], [1, 3]])
    weights = np.array([1.0, 1.0, 1.0])
    # Site 0 reaches {0}, within site 1's {0, 1, 2}; site 2 too; site 3 reaches {2}.
    cheap_subset = reduce_covering(reach, weights, np.zeros(4), rent=np.array([5.0, 10.0, 20.0, 30.0]))
    assert cheap_subset.site.tolist() == [0, 1]  # 2 and 3 cost more than 1: dominated
    with_fillers = reduce_covering(
        reach, weights, np.zeros(4), rent=np.array([5.0, 10.0, 20.0, 30.0]), fillers=1
    )
    assert with_fillers.site.tolist() == [
        0,
        1,
        2,
    ]  # site 2: the cheapest dominated one, kept without coverage
    assert 2 not in with_fillers.col.tolist()


def test_of_two_sites_with_the_same_coverage_one_stays() -> None:
    covering = reduce_covering(reach_of([[0, 1], [0, 1]]), np.array([1.0, 1.0]), np.zeros(2))
    assert len(covering.site) == 1
    assert covering.weight.tolist() == [2.0]


def test_restrict_keeps_columns_and_drops_points_left_unreached() -> None:
    covering = reduce_covering(
        reach_of([[0, 1], [1, 2], [2], [0]]), np.array([1.0, 2.0, 4.0, 8.0]), np.zeros(3)
    )
    kept = restrict(covering, np.array([True, False, True]))
    assert kept.site.tolist() == [0, 2]
    assert sorted(kept.weight.tolist()) == [6.0, 9.0]
    assert covered_weight(covering, np.array([False, True, False])) == 3.0
    assert covered_weight(kept, np.array([True, True])) == 15.0


def best_value(
    covering: Covering, p: int, rent: np.ndarray | None = None, budget: float | None = None
) -> float:
    columns = range(len(covering.site))
    best = -1.0
    for combo in itertools.combinations(columns, min(p, len(covering.site))):
        if rent is not None and budget is not None and rent[covering.site[list(combo)]].sum() > budget:
            continue
        chosen = np.zeros(len(covering.site), dtype=bool)
        chosen[list(combo)] = True
        best = max(best, covered_weight(covering, chosen))
    return best + covering.constant


@pytest.mark.parametrize("seed", range(6))
def test_reductions_keep_the_best_plans_value(seed: int) -> None:
    """Random small instances (many subsets, ties and open sites): brute force before and after."""
    rng = np.random.default_rng(seed)
    for _ in range(80):
        rows = [
            rng.choice(7, size=rng.integers(0, 5), replace=False).tolist() for _ in range(rng.integers(1, 15))
        ]
        check_instance(
            rows,
            rng.integers(0, 6, len(rows)).tolist(),
            (rng.random(7) < 0.2).tolist(),
            rng.integers(0, 5, 7).tolist(),
            int(rng.integers(0, 5)),
            bool(rng.random() < 0.5),
            int(rng.integers(0, 4)),
        )


def check_instance(
    rows: list[list[int]],
    weights: list[int],
    fixed: list[bool],
    rent: list[int],
    p: int,
    use_budget: bool,
    slack: int,
) -> None:
    reach = reach_of(rows)
    weight = np.array(weights, dtype=np.float64)
    fixed_arr = np.array(fixed, dtype=np.float64)
    rent_arr = np.where(fixed_arr > 0, 0.0, np.array(rent, dtype=np.float64))
    free = np.nonzero(fixed_arr == 0)[0]
    p = min(p, len(free))
    budget = float(np.sort(rent_arr[free])[:p].sum() + slack) if use_budget else None
    identity = Covering(
        free, *_columns(reach, weight, free), constant=0.0, unreachable=0.0, points_in=len(rows), sites_in=7
    )
    identity = _with_open_coverage(identity, reach, weight, fixed_arr)
    covering = reduce_covering(
        reach, weight, fixed_arr, rent=rent_arr if use_budget else None, fillers=p if use_budget else 0
    )
    if use_budget:
        expected = _best_exact(identity, p, rent_arr, budget)
        assert _best_exact(covering, p, rent_arr, budget) == pytest.approx(expected)
    else:
        assert best_value(covering, p) == pytest.approx(best_value(identity, p))


def _columns(reach: Reach, weight: np.ndarray, free: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    column = {int(j): c for c, j in enumerate(free)}
    rows = [
        [column[int(j)] for j in reach.site[reach.start[i] : reach.start[i + 1]] if int(j) in column]
        for i in range(len(weight))
    ]
    start = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    col = np.array([c for r in rows for c in r], dtype=np.int64)
    return start, col, weight


def _with_open_coverage(covering: Covering, reach: Reach, weight: np.ndarray, fixed: np.ndarray) -> Covering:
    """The unreduced covering, except that points an open site reaches count as constant."""
    by_open = np.array(
        [bool(fixed[reach.site[reach.start[i] : reach.start[i + 1]]].any()) for i in range(len(weight))]
    )
    kept = np.where(by_open, 0.0, covering.weight)
    return Covering(
        covering.site, covering.start, covering.col, kept, float(weight[by_open].sum()), 0.0, len(weight), 7
    )


def _best_exact(covering: Covering, p: int, rent: np.ndarray, budget: float | None) -> float:
    best = -1.0
    for combo in itertools.combinations(range(len(covering.site)), p):
        if rent[covering.site[list(combo)]].sum() > (budget or 0) + 1e-9:
            continue
        chosen = np.zeros(len(covering.site), dtype=bool)
        chosen[list(combo)] = True
        best = max(best, covered_weight(covering, chosen))
    return best + covering.constant
