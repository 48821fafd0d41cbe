"""MILPs over a reduced covering: one binary per column (site), one coverage variable per
merged point reached by two or more columns (y <= sum of the columns that reach it).
A point that one column alone reaches needs no variable: it is covered exactly when that
column is open, so its weight moves into the column's objective (or coverage) coefficient."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .milp import INF, Milp, RowBlock
from .problem import FloatArray, IntArray
from .reduce import Covering

__all__ = ["CoverModel", "cover_model"]


@dataclass(frozen=True, eq=False)
class CoverModel:
    milp: Milp
    covering: Covering
    y_point: IntArray  # the merged point of each coverage variable (columns after the sites)

    @property
    def sites(self) -> int:
        return len(self.covering.site)

    def start(self, chosen: np.ndarray) -> FloatArray:
        """The full column vector of the plan that opens the ``chosen`` columns (booleans)."""
        point = np.repeat(np.arange(self.covering.points), np.diff(self.covering.start))
        hit = np.zeros(self.covering.points, dtype=bool)
        hit[point[chosen[self.covering.col]]] = True
        return np.concatenate([chosen.astype(np.float64), hit[self.y_point].astype(np.float64)])

    def chosen(self, values: FloatArray) -> np.ndarray:
        return np.asarray(values[: self.sites] > 0.5)


def cover_model(
    covering: Covering,
    *,
    p: int | None = None,
    exact: bool = False,
    target: float | None = None,
    rent: FloatArray | None = None,
    budget: float | None = None,
) -> CoverModel:
    """With ``p``: maximise covered weight with at most (``exact``: exactly) p columns.
    With ``target``: minimise the number of columns covering at least ``target`` weight
    (the covering's constant counts towards it). ``rent`` per column with ``budget``
    adds sum rent x <= budget."""
    sites = len(covering.site)
    size = np.diff(covering.start)
    single = size == 1
    folded = np.bincount(
        covering.col[covering.start[:-1][single]], weights=covering.weight[single], minlength=sites
    )
    y_point = np.nonzero(~single)[0].astype(np.int64)
    ys = len(y_point)
    # Rows y_r - sum_{j reaching r} x_j <= 0, one per coverage variable.
    lengths = size[y_point] + 1
    start = np.zeros(ys + 1, dtype=np.int64)
    start[1:] = np.cumsum(lengths)
    index = np.empty(int(start[-1]), dtype=np.int64)
    value = np.full(int(start[-1]), -1.0)
    index[start[:-1]] = sites + np.arange(ys)
    value[start[:-1]] = 1.0
    body = np.ones(int(start[-1]), dtype=bool)
    body[start[:-1]] = False
    index[body] = covering.col[np.repeat(~single, size)]  # rows are stored in point order
    rows = [RowBlock(start, index, value, np.full(ys, -INF), np.zeros(ys))]
    x = np.arange(sites, dtype=np.int64)
    y_weight = covering.weight[y_point]
    if p is not None:
        rows.append(RowBlock.single(x, np.ones(sites), float(p) if exact else -INF, float(p)))
        cost = np.concatenate([folded, y_weight])
        offset = covering.constant
    else:
        assert target is not None
        need = target - covering.constant
        coverage = np.concatenate([folded, y_weight])
        rows.append(RowBlock.single(np.arange(sites + ys, dtype=np.int64), coverage, need, INF))
        cost = np.concatenate([np.ones(sites), np.zeros(ys)])
        offset = 0.0
    if rent is not None and budget is not None:
        rows.append(RowBlock.single(x, rent, -INF, float(budget)))
    milp = Milp(
        maximise=p is not None,
        cost=cost,
        lower=np.zeros(sites + ys),
        upper=np.ones(sites + ys),
        integer=np.concatenate([np.ones(sites, dtype=bool), np.zeros(ys, dtype=bool)]),
        rows=rows,
        offset=offset,
    )
    return CoverModel(milp, covering, y_point)
