"""Greedy covering: repeatedly open the site that covers the most still-uncovered weight.

Marginal gains only shrink as sites open (coverage is submodular), so a lazy priority queue
is exact: pop the best stored gain, recompute it, and take the site if it still beats the
next stored gain; otherwise push it back. Used alone on very large inputs and as the warm
start of the MILPs."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from .problem import FloatArray, Reach
from .reduce import Covering

__all__ = ["GreedyPlan", "greedy_cover", "pad_plan"]


@dataclass(frozen=True)
class GreedyPlan:
    columns: tuple[int, ...]  # in the order they were picked
    value: float  # weight they cover among the covering's points (its constant excluded)


class _Budget:
    """Rent left, keeping enough to pay for the cheapest sites still to be picked."""

    def __init__(self, rent: FloatArray, budget: float, picks: int | None) -> None:
        self.rent = rent
        self.left = budget
        self.picks = picks
        self.spare = np.sort(rent)

    def affordable(self, column: int, chosen: int) -> bool:
        cost = float(self.rent[column])
        if self.picks is None:
            return cost <= self.left + 1e-9
        after = self.picks - chosen - 1  # picks still to make after this one
        if after <= 0:
            return cost <= self.left + 1e-9
        head = self.spare[: after + 1]
        others = float(head.sum()) - cost if cost <= head[-1] else float(self.spare[:after].sum())
        return cost + others <= self.left + 1e-9

    def pay(self, column: int) -> None:
        cost = float(self.rent[column])
        self.left -= cost
        at = int(np.searchsorted(self.spare, cost))
        self.spare = np.delete(self.spare, at)


def greedy_cover(
    covering: Covering,
    *,
    picks: int | None = None,
    target: float | None = None,
    rent: FloatArray | None = None,
    budget: float | None = None,
) -> GreedyPlan | None:
    """Pick up to ``picks`` columns (all of them when a budget is set: rent-free fillers
    first once no gain is left), or until ``target`` weight is covered. None when the
    target cannot be reached (within the budget)."""
    cstart, cpoint = covering.column_points()
    weight = covering.weight
    columns = len(covering.site)
    covered = np.zeros(covering.points, dtype=bool)
    wallet = None if budget is None or rent is None else _Budget(rent, budget, picks)

    def gain(c: int) -> float:
        pts = cpoint[cstart[c] : cstart[c + 1]]
        return float(weight[pts][~covered[pts]].sum())

    heap = [(-gain(c), c) for c in range(columns)]
    heapq.heapify(heap)
    chosen: list[int] = []
    value = 0.0
    limit = columns if picks is None else min(picks, columns)
    while heap and len(chosen) < limit and (target is None or value < target - 1e-9):
        _, c = heapq.heappop(heap)
        if wallet is not None and not wallet.affordable(c, len(chosen)):
            continue
        fresh = gain(c)
        if heap and fresh < -heap[0][0] - 1e-12:
            heapq.heappush(heap, (-fresh, c))
            continue
        if fresh <= 0:
            break  # nothing left to gain (under a budget the cheapest fill the picks)
        chosen.append(c)
        value += fresh
        covered[cpoint[cstart[c] : cstart[c + 1]]] = True
        if wallet is not None:
            wallet.pay(c)
    if wallet is not None and picks is not None and len(chosen) < limit:
        chosen += _cheapest_fill(wallet, chosen, limit)
    if target is not None and value < target - 1e-9:
        return None
    return GreedyPlan(tuple(chosen), value)


def _cheapest_fill(wallet: _Budget, chosen: list[int], limit: int) -> list[int]:
    """Fill the remaining picks with the cheapest unchosen columns (gain 0 left)."""
    taken = set(chosen)
    rest = [c for c in np.argsort(wallet.rent, kind="stable").tolist() if c not in taken]
    return rest[: limit - len(chosen)]


def pad_plan(
    reach: Reach, weights: FloatArray, open_sites: np.ndarray, free: np.ndarray, count: int
) -> list[int]:
    """``count`` more sites among ``free`` (by position), each the one that adds the most
    uncovered weight; among equals, the one that reaches the most weight in all (backup)."""
    pair_point = reach.point_of_pair()
    total = np.bincount(reach.site, weights=weights[pair_point], minlength=len(free))
    is_open = open_sites.copy()
    added: list[int] = []
    for _ in range(count):
        covered = np.zeros(len(weights), dtype=bool)
        covered[pair_point[is_open[reach.site]]] = True
        gain = np.bincount(
            reach.site, weights=np.where(covered, 0.0, weights)[pair_point], minlength=len(free)
        )
        candidates = np.nonzero(free & ~is_open)[0]
        if not len(candidates):
            break
        best = int(candidates[np.lexsort((total[candidates], gain[candidates]))[-1]])
        added.append(best)
        is_open[best] = True
    return added
