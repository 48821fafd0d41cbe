"""p-median: p new sites (open sites fixed) that minimise the demand-weighted travel, every
servable point assigned to an open site within reach, optionally under capacities.

Sparse: only the pairs in reach (within ``max_travel``) are assignment variables; a point
with no pair is unservable, reported and left out. Rows: each servable point is assigned
once (sum_j z_ij = 1), z_ij <= y_j per pair (the strong linking), sum_i w_i z_ij <=
cap_j y_j per site with a capacity, exactly p new sites, and the new sites' rent within
the budget (when one is given)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .checks import budget_shortfall, check_budget, check_p, check_promise, check_time_limit, won
from .median_start import median_start
from .milp import INF, Clock, Milp, MilpStatus, RowBlock, solve_milp
from .problem import FloatArray, IntArray, Reach, SitingProblem, finite_number
from .result import SitingResult, SolveStatus, no_plan, plan_result
from .setcover import solve_set_cover

__all__ = ["solve_p_median"]


def solve_p_median(
    problem: SitingProblem,
    p: int,
    *,
    max_travel: float | None = None,
    budget: int | None = None,
    capacitated: bool = False,
    time_limit: float = 60.0,
    mip_gap: float = 1e-4,
) -> SitingResult:
    """``budget`` caps the new sites' total monthly rent in won (every new site needs a rent)."""
    clock = Clock(check_time_limit(time_limit))
    p = check_p(problem, p)
    reach = problem.reach.within(check_promise(max_travel))
    mip_gap = finite_number(mip_gap, "the MIP gap tolerance")
    rent = check_budget(problem, budget)
    weights = problem.weights
    reached = np.diff(reach.start) > 0
    unservable = tuple(d.id for d, ok in zip(problem.demand, reached, strict=True) if not ok)
    live = reached & (weights > 0)
    servable = float(weights[live].sum())
    fixed = problem.fixed > 0
    capacity = np.array(
        [np.inf if not capacitated or s.capacity is None else s.capacity for s in problem.sites]
    )
    problem_text = _precheck(p, fixed, capacity, servable)
    if problem_text is None and rent is not None and budget is not None:
        problem_text = budget_shortfall(problem, p, budget, rent)
    if problem_text is not None:
        return replace(
            no_plan(
                problem, "p_median", SolveStatus.INFEASIBLE, seconds=clock.elapsed(), message=problem_text
            ),
            unservable=unservable,
        )
    keep_pair = live[reach.point_of_pair()]
    points = np.nonzero(live)[0]
    counts = np.diff(reach.start)[points]
    sub = Reach(
        np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        reach.site[keep_pair],
        reach.travel[keep_pair],
    )
    milp = _model(sub, weights[points], fixed, capacity, p, rent, budget)
    warm = median_start(sub, weights[points], fixed, p, capacity, rent=rent, budget=budget)
    site_values = warm.open_sites.astype(np.float64)
    if warm.share is not None:
        start, partial = np.concatenate([site_values, warm.share]), None
    else:
        start, partial = None, (np.arange(len(fixed), dtype=np.int64), site_values)
    outcome = solve_milp(milp, time_limit=clock.left(), mip_gap=mip_gap, start=start, partial=partial)
    sizes = {"points": len(problem.demand), "servable": len(points), "sites": len(fixed), "pairs": sub.pairs}
    if outcome.values is None:
        if outcome.status is MilpStatus.INFEASIBLE:
            status, message = SolveStatus.INFEASIBLE, _infeasible(problem, p, max_travel, servable, clock)
            if budget is not None:
                message = (
                    f"with p={p} new sites within the rent budget of {won(budget)}, no plan puts every "
                    "servable demand point within reach of an open site"
                    + (" within the capacities" if capacitated else "")
                )
            elif capacitated:
                message = (
                    f"with p={p} new sites, no assignment serves every servable point within the capacities"
                )
        else:
            status, message = (
                SolveStatus.TIME_LIMIT_NO_PLAN,
                "no assignment of every servable point was found in time",
            )
        result = no_plan(problem, "p_median", status, seconds=clock.elapsed(), message=message, sizes=sizes)
        return replace(result, unservable=unservable, best_bound=outcome.bound)
    sites = len(fixed)
    share = outcome.values[sites:]
    pair_weight = weights[points][sub.point_of_pair()] * share
    served = np.bincount(sub.site, weights=pair_weight, minlength=sites).astype(np.float64)
    optimal = outcome.status is MilpStatus.OPTIMAL
    objective = float(outcome.objective or 0.0)
    result = plan_result(
        problem,
        "p_median",
        SolveStatus.OPTIMAL if optimal else SolveStatus.TIME_LIMIT_WITH_PLAN,
        np.nonzero((outcome.values[:sites] > 0.5) & ~fixed)[0].tolist(),
        reach=reach,
        objective=objective,
        bound=outcome.bound,
        gap=outcome.gap,
        seconds=clock.elapsed(),
        message="",
        served=served,
        unservable=unservable,
        sizes=sizes,
    )
    parts = [f"weighted travel {objective:,.2f} (mean {objective / servable:.3f} per unit of demand)"]
    gap = f"gap {100 * (outcome.gap or 0.0):.4f} %"
    parts.append(
        f"proven optimal ({gap})" if optimal else f"stopped by the time limit: the best plan found, {gap}"
    )
    if budget is not None:
        parts.append(f"within the rent budget of {won(budget)}")
    if unservable:
        parts.append(f"{len(unservable)} demand points are out of reach of every candidate and left out")
    return replace(result, message="; ".join(parts))


def _precheck(p: int, fixed: np.ndarray, capacity: FloatArray, servable: float) -> str | None:
    if servable <= 0:
        return "no demand point with weight is within reach of any candidate site"
    if p == 0 and not fixed.any():
        return "p=0 and no site is already open: nothing can serve the demand"
    largest = np.sort(capacity[~fixed])[::-1][:p]
    room = float(largest.sum() + capacity[fixed].sum())
    if room < servable * (1 - 1e-9):
        return (
            f"the capacities cannot hold the servable demand of {servable:,.1f}: the p={p} largest new "
            f"sites and the open ones hold {room:,.1f}"
        )
    return None


def _infeasible(
    problem: SitingProblem, p: int, max_travel: float | None, servable: float, clock: Clock
) -> str:
    """Says how many new sites it takes to put every servable point in reach (set cover)."""
    text = f"p={p} new sites cannot put every servable demand point within reach of an open site"
    if clock.left() <= 0:
        return text
    share = servable / problem.total_weight
    fewest = solve_set_cover(problem, min(share, 1.0), promise=max_travel, time_limit=clock.left())
    if fewest.status is SolveStatus.OPTIMAL:
        return f"{text}: that takes at least {len(fewest.new_sites)}"
    return text


def _model(
    sub: Reach,
    weight: FloatArray,
    fixed: np.ndarray,
    capacity: FloatArray,
    p: int,
    rent: FloatArray | None,
    budget: int | None,
) -> Milp:
    sites, points, pairs = len(fixed), len(weight), sub.pairs
    share: IntArray = sites + np.arange(pairs, dtype=np.int64)
    point = sub.point_of_pair()
    rows = [
        RowBlock(sub.start, share, np.ones(pairs), np.ones(points), np.ones(points)),
        RowBlock(
            np.arange(0, 2 * pairs + 1, 2, dtype=np.int64),
            np.column_stack([share, sub.site]).ravel(),
            np.tile([1.0, -1.0], pairs),
            np.full(pairs, -INF),
            np.zeros(pairs),
        ),
    ]
    for j in np.nonzero(np.isfinite(capacity))[0]:
        members = np.nonzero(sub.site == j)[0]
        index = np.concatenate([share[members], [j]]).astype(np.int64)
        value = np.concatenate([weight[point[members]], [-capacity[j]]])
        rows.append(RowBlock.single(index, value, -INF, 0.0))
    free = np.nonzero(~fixed)[0].astype(np.int64)
    rows.append(RowBlock.single(free, np.ones(len(free)), float(p), float(p)))
    if rent is not None and budget is not None:
        rows.append(RowBlock.single(free, rent[free], -INF, float(budget)))
    return Milp(
        maximise=False,
        cost=np.concatenate([np.zeros(sites), weight[point] * sub.travel]),
        lower=np.concatenate([fixed.astype(np.float64), np.zeros(pairs)]),
        upper=np.ones(sites + pairs),
        integer=np.concatenate([np.ones(sites, dtype=bool), np.zeros(pairs, dtype=bool)]),
        rows=rows,
    )
