"""Reduced-cost fixing for maximal covering, through its Lagrangian relaxation.

Relax each coverage row y_r <= sum x_j with a multiplier 0 <= u_r <= w_r. What is left
splits: each point contributes max(0, w_r - u_r) = w_r - u_r, each column j scores
s_j = sum of u_r over its points, and at most p columns are open, so

    value of any plan <= L(u) = sum_r (w_r - u_r) + (sum of the p largest s_j),

and a plan that opens column j is worth at most L(u) - max(0, s_(p) - s_j), where s_(p)
is the p-th largest score. Any u gives valid bounds; the LP relaxation's row duals give
the best (L equals the LP bound). A column whose bound falls below the value of a plan
already in hand cannot be in a better plan and leaves the model: the restricted model
still holds an optimal plan (or the one in hand is optimal)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cover_model import CoverModel
from .problem import FloatArray
from .reduce import Covering

__all__ = ["LagrangianBound", "lagrangian_bound", "multipliers_from_duals"]


@dataclass(frozen=True, eq=False)
class LagrangianBound:
    bound: float  # on the covering's value (its constant excluded) with at most p columns
    with_column: FloatArray  # the bound on plans that open each column

    def needed(self, value: float) -> np.ndarray:
        """Columns that a plan worth more than ``value`` may open."""
        slack = 1e-9 * max(1.0, abs(value)) + 1e-7
        return np.asarray(self.with_column >= value - slack)


def lagrangian_bound(covering: Covering, p: int, multipliers: FloatArray) -> LagrangianBound:
    u = np.clip(multipliers, 0.0, covering.weight)
    point = np.repeat(np.arange(covering.points), np.diff(covering.start))
    score = np.bincount(covering.col, weights=u[point], minlength=len(covering.site))
    top = np.sort(score)[::-1][:p]
    bound = float((covering.weight - u).sum() + top.sum())
    kth = float(top[-1]) if len(top) == p and p > 0 else 0.0
    if p == 0:
        return LagrangianBound(bound, np.full(len(score), -np.inf))
    return LagrangianBound(bound, bound - np.maximum(0.0, kth - score))


def multipliers_from_duals(model: CoverModel, row_dual: FloatArray) -> list[FloatArray]:
    """Multiplier candidates from the LP's row duals (both sign conventions; the caller
    keeps the tighter bound). A point without a coverage row (one column reaches it) takes
    u = w: its weight is that column's."""
    covering = model.covering
    candidates = []
    for sign in (1.0, -1.0):
        u = covering.weight.copy()
        u[model.y_point] = sign * row_dual[: len(model.y_point)]
        candidates.append(u)
    return candidates
