"""Set covering (the partial LSCP): the fewest new sites that cover at least a target share
of the demand weight within the promise, optionally within a rent budget. The same
reductions as maximal covering (``reduce``), with the greedy plan as the warm start."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .cap_cover import solve_capacitated_set_cover
from .cheapest import cheaper_cover
from .checks import check_budget, check_promise, check_target, check_time_limit, share, won
from .cover_model import cover_model
from .greedy import greedy_cover
from .milp import Clock, MilpStatus, solve_milp
from .problem import SitingProblem, finite_number
from .reduce import reduce_covering
from .result import SitingResult, SolveStatus, no_plan, plan_result

__all__ = ["solve_set_cover"]


def solve_set_cover(
    problem: SitingProblem,
    target: float,
    *,
    promise: float | None = None,
    budget: int | None = None,
    capacitated: bool = False,
    time_limit: float = 60.0,
    mip_gap: float = 1e-4,
) -> SitingResult:
    """``target`` is a share of the total demand weight in (0, 1]; already-open sites count
    towards it for free. The objective is the number of new sites. ``capacitated`` limits
    each site to its capacity (in demand weight; None is unlimited): then the weight the
    sites serve, not merely the weight in their reach, must reach the target."""
    clock = Clock(check_time_limit(time_limit))
    target = check_target(target)
    reach = problem.reach.within(check_promise(promise))
    rent = check_budget(problem, budget)
    mip_gap = finite_number(mip_gap, "the MIP gap tolerance")
    total = problem.total_weight
    need = target * total * (1 - 1e-12)
    covering = reduce_covering(reach, problem.weights, problem.fixed, rent=rent)
    sizes = {
        "points": covering.points_in,
        "points_merged": covering.points,
        "sites": covering.sites_in,
        "sites_undominated": len(covering.site),
    }
    reachable = covering.constant + float(covering.weight.sum())
    wanted = f"a coverage target of {100 * target:g}%"
    if reachable < need:
        message = f"{wanted} is unreachable: all sites together cover {share(reachable / total)}"
        return no_plan(problem, "set_cover", SolveStatus.INFEASIBLE, seconds=clock.elapsed(), message=message)
    if capacitated:
        return solve_capacitated_set_cover(problem, reach, need, wanted, rent, budget, clock, mip_gap)
    column_rent = None if rent is None else rent[covering.site]
    greedy = greedy_cover(covering, target=need - covering.constant, rent=column_rent, budget=budget)
    if greedy is not None:
        sizes["greedy_sites"] = len(greedy.columns)
    model = cover_model(covering, target=need, rent=column_rent, budget=budget)
    start = None
    if greedy is not None:
        chosen = np.zeros(len(covering.site), dtype=bool)
        chosen[list(greedy.columns)] = True
        start = model.start(chosen)
    outcome = solve_milp(model.milp, time_limit=clock.left(), mip_gap=mip_gap, start=start)
    if outcome.status is MilpStatus.INFEASIBLE:
        message = f"no set of sites within the rent budget of {won(budget or 0)} reaches {wanted}"
        return no_plan(problem, "set_cover", SolveStatus.INFEASIBLE, seconds=clock.elapsed(), message=message)
    if outcome.values is None:
        status = SolveStatus.TIME_LIMIT_NO_PLAN
        message = f"no plan reaching {wanted} was found before the time limit"
        bound = outcome.bound
        return no_plan(
            problem, "set_cover", status, seconds=clock.elapsed(), message=message, bound=bound, sizes=sizes
        )
    picked = covering.site[model.chosen(outcome.values)].tolist()
    optimal = outcome.status is MilpStatus.OPTIMAL
    rent_part = None
    if optimal:  # the cheapest of the plans with as few sites (when sites have rents)
        picked, rent_part = cheaper_cover(
            problem, reach, picked, need=need, budget=budget, clock=clock, mip_gap=mip_gap
        )
    result = plan_result(
        problem,
        "set_cover",
        SolveStatus.OPTIMAL if optimal else SolveStatus.TIME_LIMIT_WITH_PLAN,
        picked,
        reach=reach,
        objective=float(len(picked)),
        bound=outcome.bound,
        gap=outcome.gap,
        seconds=clock.elapsed(),
        message="",
        sizes=sizes,
    )
    parts = [f"{len(picked)} new sites cover {share(result.covered_share)} of demand, {wanted}"]
    parts.append("proven the fewest" if optimal else f"stopped by the time limit: best bound {outcome.bound}")
    if greedy is not None:
        parts.append(f"the greedy heuristic needed {len(greedy.columns)}")
    if budget is not None:
        parts.append(f"within the rent budget of {won(budget)}")
    if rent_part is not None:
        parts.append(rent_part)
    return replace(result, message="; ".join(parts))
