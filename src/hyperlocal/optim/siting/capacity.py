"""Maximal covering under site capacities: a point may be split between open sites.

Variables: y_j (site j open; already-open sites fixed at 1) and, for each pair in reach,
the share x_rj of point r served by site j. Rows: sum_j x_rj <= 1 per point, x_rj <= y_j
per pair (the strong linking, tighter than aggregating it into the capacity row),
sum_r w_r x_rj <= cap_j y_j per site with a capacity, exactly p new sites, and the budget.
Points reached by the same sites are merged first (shares are continuous, so a merged
point splits exactly as its members would)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .cheapest import cheaper_flows, level_of
from .greedy import greedy_cover
from .milp import INF, Clock, Milp, MilpStatus, RowBlock, solve_milp
from .problem import FloatArray, IntArray, Reach, SitingProblem
from .reduce import merge_points, reduce_covering
from .result import SitingResult, SolveStatus, covering_message, plan_result

__all__ = ["solve_capacitated_mclp"]


def solve_capacitated_mclp(
    problem: SitingProblem,
    p: int,
    reach: Reach,
    rent: FloatArray | None,
    budget: int | None,
    clock: Clock,
    mip_gap: float,
) -> SitingResult:
    sites = len(problem.sites)
    start, col, weight = merge_points(reach.start, reach.site, problem.weights)
    pairs = len(col)
    point = np.repeat(np.arange(len(weight)), np.diff(start))
    fixed = problem.fixed > 0
    capacity = np.array([np.inf if s.capacity is None else s.capacity for s in problem.sites])
    milp = _model(start, col, weight, point, fixed, capacity, p, rent, budget)
    opened = _greedy_sites(problem, reach, p, rent, budget)
    warm = np.concatenate([opened.astype(np.float64), _fill(start, col, weight, opened, capacity)])
    outcome = solve_milp(milp, time_limit=clock.left(), mip_gap=mip_gap, start=warm)
    values = warm if outcome.values is None else outcome.values
    optimal = outcome.status is MilpStatus.OPTIMAL
    rent_part = None
    if optimal and p > 0:  # the cheapest of the plans that serve as much (when sites have rents)
        level = level_of(problem, float(milp.cost @ values))
        values, rent_part = cheaper_flows(problem, milp, values, level, clock=clock, mip_gap=mip_gap)
    open_sites = values[:sites] > 0.5
    flow = values[sites:]
    served = np.bincount(col, weights=weight[point] * flow, minlength=sites).astype(np.float64)
    objective = float(served.sum())
    result = plan_result(
        problem,
        "mclp_capacitated",
        SolveStatus.OPTIMAL if optimal else SolveStatus.TIME_LIMIT_WITH_PLAN,
        np.nonzero(open_sites & ~fixed)[0].tolist(),
        reach=reach,
        objective=objective,
        bound=outcome.bound,
        gap=outcome.gap if outcome.values is not None else None,
        seconds=clock.elapsed(),
        message="",
        served=served,
        sizes={"points": len(problem.demand), "points_merged": len(weight), "sites": sites, "pairs": pairs},
    )
    note = covering_message(
        result, p=p, adding=p, budget=budget, stopped=outcome.status, what=" within capacities"
    )
    return replace(result, message=note if rent_part is None else f"{note}; {rent_part}")


def _model(
    start: IntArray,
    col: IntArray,
    weight: FloatArray,
    point: IntArray,
    fixed: np.ndarray,
    capacity: FloatArray,
    p: int,
    rent: FloatArray | None,
    budget: int | None,
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
        value += [weight[point[members]], np.array([-capacity[j]])]
    cap = RowBlock(
        cap_start,
        np.concatenate(index) if index else np.zeros(0, dtype=np.int64),
        np.concatenate(value) if value else np.zeros(0),
        np.full(len(capped), -INF),
        np.zeros(len(capped)),
    )
    free = np.nonzero(~fixed)[0].astype(np.int64)
    rows = [one, link, cap, RowBlock.single(free, np.ones(len(free)), float(p), float(p))]
    if rent is not None and budget is not None:
        rows.append(RowBlock.single(free, rent[free], -INF, float(budget)))
    return Milp(
        maximise=True,
        cost=np.concatenate([np.zeros(sites), weight[point]]),
        lower=np.concatenate([fixed.astype(np.float64), np.zeros(pairs)]),
        upper=np.ones(sites + pairs),
        integer=np.concatenate([np.ones(sites, dtype=bool), np.zeros(pairs, dtype=bool)]),
        rows=rows,
    )


def _greedy_sites(
    problem: SitingProblem, reach: Reach, p: int, rent: FloatArray | None, budget: int | None
) -> np.ndarray:
    """The uncapacitated greedy plan (open sites included), as booleans per site."""
    covering = reduce_covering(reach, problem.weights, problem.fixed, rent=rent, dominance=False)
    column_rent = None if rent is None else rent[covering.site]
    plan = greedy_cover(covering, picks=p, rent=column_rent, budget=budget)
    opened = problem.fixed > 0
    chosen = [] if plan is None else covering.site[list(plan.columns)].tolist()
    opened[chosen] = True
    spare = np.nonzero(~opened)[0]
    if rent is not None:
        spare = spare[np.argsort(rent[spare], kind="stable")]
    opened[spare[: p - len(chosen)]] = True  # exactly p new sites, the cheapest to fill
    return opened


def _fill(
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
