"""The plain maximal covering MILP, handed to HiGHS as it is: the baseline the benchmark
measures the reduced model against.

One binary per site (already-open sites fixed at 1), one coverage variable in [0, 1] per
demand point, y_i <= sum of the sites that reach i, and exactly p new sites. The result's
objective is what the plan's sites cover, recounted (the message says when HiGHS's own
objective for the plan was lower)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .checks import check_p, check_promise, check_time_limit
from .milp import INF, Clock, Milp, MilpStatus, RowBlock, relative_gap, solve_milp
from .problem import SitingProblem, finite_number
from .result import SitingResult, SolveStatus, covering_message, no_plan, plan_result

__all__ = ["solve_mclp_plain"]


def solve_mclp_plain(
    problem: SitingProblem,
    p: int,
    *,
    promise: float | None = None,
    time_limit: float = 60.0,
    mip_gap: float = 1e-4,
) -> SitingResult:
    clock = Clock(check_time_limit(time_limit))
    p = check_p(problem, p)
    reach = problem.reach.within(check_promise(promise))
    mip_gap = finite_number(mip_gap, "the MIP gap tolerance")
    sites, points = len(problem.sites), len(problem.demand)
    start = reach.start + np.arange(points + 1)  # each row: y_i, then the sites reaching i
    index = np.empty(int(start[-1]), dtype=np.int64)
    value = np.full(int(start[-1]), -1.0)
    index[start[:-1]] = sites + np.arange(points)
    value[start[:-1]] = 1.0
    body = np.ones(int(start[-1]), dtype=bool)
    body[start[:-1]] = False
    index[body] = reach.site
    fixed = problem.fixed
    free = np.nonzero(fixed == 0)[0].astype(np.int64)
    milp = Milp(
        maximise=True,
        cost=np.concatenate([np.zeros(sites), problem.weights]),
        lower=np.concatenate([fixed, np.zeros(points)]),
        upper=np.ones(sites + points),
        integer=np.concatenate([np.ones(sites, dtype=bool), np.zeros(points, dtype=bool)]),
        rows=[
            RowBlock(start, index, value, np.full(points, -INF), np.zeros(points)),
            RowBlock.single(free, np.ones(len(free)), float(p), float(p)),
        ],
    )
    outcome = solve_milp(milp, time_limit=clock.left(), mip_gap=mip_gap)
    sizes = {"points": points, "sites": sites, "pairs": reach.pairs}
    if outcome.values is None:
        status = SolveStatus.TIME_LIMIT_NO_PLAN
        message = f"HiGHS found no plan before it stopped ({outcome.status})"
        return no_plan(
            problem, "mclp_plain", status, seconds=clock.elapsed(), message=message, bound=outcome.bound
        )
    chosen = np.nonzero((outcome.values[:sites] > 0.5) & (fixed == 0))[0].tolist()
    optimal = outcome.status is MilpStatus.OPTIMAL
    result = plan_result(
        problem,
        "mclp_plain",
        SolveStatus.OPTIMAL if optimal else SolveStatus.TIME_LIMIT_WITH_PLAN,
        chosen,
        reach=reach,
        objective=outcome.objective,
        bound=outcome.bound,
        gap=outcome.gap,
        seconds=clock.elapsed(),
        message="",
        sizes=sizes,
    )
    # The plan's value is what its sites cover. HiGHS's objective can count less: an
    # incumbent from a heuristic may leave coverage variables of covered points below 1.
    reported = outcome.objective or 0.0
    result = replace(result, objective=result.covered_weight)
    note = covering_message(result, p=p, adding=p, budget=None, stopped=outcome.status)
    if abs(result.covered_weight - reported) > 1e-9 * max(1.0, reported):
        note += f"; HiGHS's objective {reported:,.1f} counted {result.covered_weight - reported:,.1f} less"
        result = replace(result, gap=relative_gap(result.covered_weight, outcome.bound))
    return replace(result, message=note)
