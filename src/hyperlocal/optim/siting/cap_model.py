"""The covering MILP under site capacities, where a point may be split between open sites,
and a feasible split for a given set of open sites (a warm start).

Variables: y_j (site j open; already-open sites fixed at 1) and, for each pair in reach,
the share x_rj of (merged) point r served by site j. Rows: sum_j x_rj <= 1 per point,
x_rj <= y_j per pair (the strong linking, tighter than aggregating it into the capacity
row), sum_r w_r x_rj <= cap_j y_j per site with a capacity, and the budget. With ``p``:
exactly p new sites, maximise the served weight. With ``need``: served weight >= need,
minimise the number of new sites."""

from __future__ import annotations

import numpy as np

from .milp import INF, Milp, RowBlock
from .problem import FloatArray, IntArray

__all__ = ["fill", "flow_model"]


def flow_model(
    start: IntArray,
    col: IntArray,
    weight: FloatArray,
    point: IntArray,
    fixed: np.ndarray,
    capacity: FloatArray,
    *,
    p: int | None = None,
    need: float | None = None,
    rent: FloatArray | None = None,
    budget: int | None = None,
) -> Milp:
    sites, points, pairs = len(fixed), len(weight), len(col)
    flow = sites + np.arange(pairs, dtype=np.int64)  # the column of each pair's share
    one = RowBlock(start, flow, np.ones(pairs), np.full(points, -INF), np.ones(points))
    link = RowBlock(
        np.arange(0, 2 * pairs + 1, 2, dtype=np.int64),
        np.column_stack([flow, col]).ravel(),
        np.tile([1.0, -1.0], pairs),
        np.full(pairs, -INF),
        np.zeros(pairs),
    )
    free = np.nonzero(~fixed)[0].astype(np.int64)
    rows = [one, link, _capacity_rows(col, weight[point], flow, capacity)]
    served = weight[point]
    if p is not None:
        rows.append(RowBlock.single(free, np.ones(len(free)), float(p), float(p)))
        cost = np.concatenate([np.zeros(sites), served])
    else:
        assert need is not None
        rows.append(RowBlock.single(flow, served, float(need), INF))
        cost = np.concatenate([(~fixed).astype(np.float64), np.zeros(pairs)])
    if rent is not None and budget is not None:
        rows.append(RowBlock.single(free, rent[free], -INF, float(budget)))
    return Milp(
        maximise=p is not None,
        cost=cost,
        lower=np.concatenate([fixed.astype(np.float64), np.zeros(pairs)]),
        upper=np.ones(sites + pairs),
        integer=np.concatenate([np.ones(sites, dtype=bool), np.zeros(pairs, dtype=bool)]),
        rows=rows,
    )


def _capacity_rows(col: IntArray, served: FloatArray, flow: IntArray, capacity: FloatArray) -> RowBlock:
    """sum_r w_r x_rj - cap_j y_j <= 0 for each site with a capacity."""
    sites = len(capacity)
    capped = np.nonzero(np.isfinite(capacity))[0]
    by_site = np.argsort(col, kind="stable")
    counts = np.bincount(col, minlength=sites)
    cap_start = np.zeros(len(capped) + 1, dtype=np.int64)
    cap_start[1:] = np.cumsum(counts[capped] + 1)
    site_start = np.concatenate([[0], np.cumsum(counts)])
    index: list[IntArray] = []
    value: list[FloatArray] = []
    for j in capped:
        members = by_site[site_start[j] : site_start[j + 1]]
        index += [flow[members], np.array([j])]
        value += [served[members], np.array([-capacity[j]])]
    return RowBlock(
        cap_start,
        np.concatenate(index) if index else np.zeros(0, dtype=np.int64),
        np.concatenate(value) if value else np.zeros(0),
        np.full(len(capped), -INF),
        np.zeros(len(capped)),
    )


def fill(
    start: IntArray, col: IntArray, weight: FloatArray, opened: np.ndarray, capacity: FloatArray
) -> FloatArray:
    """Feasible shares for the open sites: heaviest points first, each to the sites it
    reaches while they have room."""
    room = np.where(opened, capacity, 0.0)
    share = np.zeros(len(col))
    for r in np.argsort(-weight, kind="stable"):
        left = 1.0
        for k in range(start[r], start[r + 1]):
            j = col[k]
            if left <= 0 or room[j] <= 0:
                continue
            take = min(left, room[j] / weight[r])
            share[k] = take
            left -= take
            room[j] -= take * weight[r]
    return share
