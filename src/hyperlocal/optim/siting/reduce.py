"""Reductions of a covering instance that keep its optimum.

- points that no site reaches are uncovered whatever is chosen: a constant, dropped;
- points that an already-open site reaches are covered whatever is chosen: a constant, dropped;
- points reached by exactly the same set of sites are one point with the summed weight;
- a site whose coverage is a subset of another's (and whose rent is no lower, when rent
  matters) is never needed: swapping it for the other covers at least as much. It is dropped
  (or, when rent matters, kept as a "filler" with no coverage, since p sites must be chosen).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .problem import FloatArray, IntArray, Reach

__all__ = ["Covering", "covered_weight", "merge_points", "reduce_covering", "restrict"]


@dataclass(frozen=True, eq=False)
class Covering:
    """Merged points over decision columns: point r is reached by the columns
    ``col[start[r]:start[r + 1]]`` and weighs ``weight[r]``; column c is site ``site[c]``."""

    site: IntArray
    start: IntArray
    col: IntArray
    weight: FloatArray
    constant: float  # weight covered whatever is chosen (reached by an open site)
    unreachable: float  # weight that no site reaches
    points_in: int
    sites_in: int

    @property
    def points(self) -> int:
        return len(self.weight)

    def column_points(self) -> tuple[IntArray, IntArray]:
        """The transpose: column c reaches the points ``point[cstart[c]:cstart[c + 1]]``."""
        point = np.repeat(np.arange(self.points, dtype=np.int64), np.diff(self.start))
        order = np.argsort(self.col, kind="stable")
        cstart = np.zeros(len(self.site) + 1, dtype=np.int64)
        cstart[1:] = np.cumsum(np.bincount(self.col, minlength=len(self.site)))
        return cstart, point[order]


def merge_points(start: IntArray, col: IntArray, weight: FloatArray) -> tuple[IntArray, IntArray, FloatArray]:
    """Rows with the same set of columns become one row with the summed weight; rows with
    no column or no weight are dropped. Columns within a row come out sorted."""
    merged: dict[bytes, int] = {}
    rows: list[IntArray] = []
    weights: list[float] = []
    for r in range(len(weight)):
        if weight[r] <= 0 or start[r] == start[r + 1]:
            continue
        cols = np.sort(col[start[r] : start[r + 1]])
        key = cols.tobytes()
        at = merged.get(key)
        if at is None:
            merged[key] = len(rows)
            rows.append(cols)
            weights.append(float(weight[r]))
        else:
            weights[at] += float(weight[r])
    new_start = np.zeros(len(rows) + 1, dtype=np.int64)
    new_start[1:] = np.cumsum([len(r) for r in rows])
    new_col = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    return new_start, new_col.astype(np.int64), np.array(weights, dtype=np.float64)


def reduce_covering(
    reach: Reach,
    weights: FloatArray,
    fixed: FloatArray,
    *,
    rent: FloatArray | None = None,
    dominance: bool = True,
    fillers: int = 0,
    keep: IntArray | None = None,
) -> Covering:
    """Apply the reductions to coverage ``reach`` (already cut to the promise).

    ``rent`` (per site) makes dominance require a rent no higher; ``fillers`` dominated
    sites (the cheapest) stay as columns without coverage, so that exactly p can be chosen
    under a budget; the sites in ``keep`` (positions) stay columns with their coverage even
    when dominated (so that a plan that uses them is a plan of the reduced model). Open
    sites (``fixed`` = 1) are not columns."""
    points, sites = len(weights), len(fixed)
    pair_point = reach.point_of_pair()
    reached_by_open = np.zeros(points, dtype=bool)
    reached_by_open[pair_point[fixed[reach.site] > 0]] = True
    reached = np.diff(reach.start) > 0
    constant = float(weights[reached_by_open].sum())
    unreachable = float(weights[~reached].sum())
    free = np.nonzero(fixed == 0)[0]
    column_of = np.full(sites, -1, dtype=np.int64)
    column_of[free] = np.arange(len(free))
    keep_pair = (~reached_by_open[pair_point]) & (column_of[reach.site] >= 0)
    kept_weights = np.where(reached_by_open, 0.0, weights)
    counts = np.bincount(pair_point[keep_pair], minlength=points)
    start = np.zeros(points + 1, dtype=np.int64)
    start[1:] = np.cumsum(counts)
    start, col, weight = merge_points(start, column_of[reach.site[keep_pair]], kept_weights)
    column_site = free.astype(np.int64)
    if dominance and len(column_site):
        column_rent = np.zeros(len(column_site)) if rent is None else rent[column_site]
        alive = _undominated(start, col, len(column_site), column_rent)
        if keep is not None:
            forced = column_of[np.asarray(keep, dtype=np.int64)]
            alive[forced[forced >= 0]] = True
        dead = np.nonzero(~alive)[0]
        spare = dead[np.argsort(column_rent[dead], kind="stable")][:fillers]
        kept = np.sort(np.concatenate([np.nonzero(alive)[0], spare]))
        renumber = np.full(len(column_site), -1, dtype=np.int64)
        renumber[kept] = np.arange(len(kept))
        live_pair = alive[col]
        counts = np.bincount(
            np.repeat(np.arange(len(weight)), np.diff(start))[live_pair], minlength=len(weight)
        )
        start = np.zeros(len(weight) + 1, dtype=np.int64)
        start[1:] = np.cumsum(counts)
        start, col, weight = merge_points(start, renumber[col[live_pair]], weight)
        column_site = column_site[kept]
    return Covering(column_site, start, col, weight, constant, unreachable, points, sites)


def _undominated(start: IntArray, col: IntArray, columns: int, rent: FloatArray) -> np.ndarray:
    """Columns that no other live column dominates (superset of points at no higher rent)."""
    point_cols = [set(col[start[r] : start[r + 1]].tolist()) for r in range(len(start) - 1)]
    covers: list[set[int]] = [set() for _ in range(columns)]
    for r, cols in enumerate(point_cols):
        for c in cols:
            covers[c].add(r)
    alive = np.ones(columns, dtype=bool)
    for j in sorted(range(columns), key=lambda c: (len(covers[c]), -rent[c], c)):
        mine = covers[j]
        if not mine:
            alive[j] = False
            continue
        rarest = min(mine, key=lambda r: len(point_cols[r]))
        for k in point_cols[rarest]:
            if k != j and alive[k] and rent[k] <= rent[j] and mine <= covers[k]:
                alive[j] = False
                break
    return alive


def restrict(covering: Covering, keep: np.ndarray) -> Covering:
    """Only the columns where ``keep`` is True; points left without a column are dropped
    (the caller proves they cannot matter), the rest merged again."""
    renumber = np.full(len(covering.site), -1, dtype=np.int64)
    renumber[keep] = np.arange(int(keep.sum()))
    live = keep[covering.col]
    point = np.repeat(np.arange(covering.points), np.diff(covering.start))
    start = np.zeros(covering.points + 1, dtype=np.int64)
    start[1:] = np.cumsum(np.bincount(point[live], minlength=covering.points))
    start, col, weight = merge_points(start, renumber[covering.col[live]], covering.weight)
    return Covering(
        covering.site[keep],
        start,
        col,
        weight,
        covering.constant,
        covering.unreachable,
        covering.points_in,
        covering.sites_in,
    )


def covered_weight(covering: Covering, chosen: np.ndarray) -> float:
    """The weight of the covering's points that a chosen column (boolean per column) reaches."""
    point = np.repeat(np.arange(covering.points), np.diff(covering.start))
    hit = np.zeros(covering.points, dtype=bool)
    hit[point[chosen[covering.col]]] = True
    return float(covering.weight[hit].sum())
