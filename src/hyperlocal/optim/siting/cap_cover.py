"""Set covering under site capacities: the fewest new sites whose served weight (each site
serving at most its capacity, a point split between the open sites that reach it) is at
least the target. The model is ``cap_model.flow_model`` with ``need``; before it, one LP
with every site open gives the most the sites can serve, so that a target the capacities
make unreachable says so. A greedy plan (open the site that can take the most of what is
still unserved) is the warm start."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .cap_model import flow_model
from .cheapest import cheaper_flows
from .checks import share, won
from .milp import Clock, MilpStatus, solve_lp, solve_milp
from .problem import FloatArray, IntArray, Reach, SitingProblem
from .reduce import merge_points
from .result import SitingResult, SolveStatus, no_plan, plan_result

__all__ = ["solve_capacitated_set_cover"]

MODEL = "set_cover_capacitated"


def solve_capacitated_set_cover(
    problem: SitingProblem,
    reach: Reach,
    need: float,
    wanted: str,
    rent: FloatArray | None,
    budget: int | None,
    clock: Clock,
    mip_gap: float,
) -> SitingResult:
    """``need`` is the weight to serve; ``wanted`` names the target in messages."""
    sites = len(problem.sites)
    start, col, weight = merge_points(reach.start, reach.site, problem.weights)
    point = np.repeat(np.arange(len(weight)), np.diff(start))
    fixed = problem.fixed > 0
    capacity = np.array([np.inf if s.capacity is None else s.capacity for s in problem.sites])
    sizes = {"points": len(problem.demand), "points_merged": len(weight), "sites": sites, "pairs": len(col)}
    total = problem.total_weight

    def none(status: SolveStatus, message: str, bound: float | None = None) -> SitingResult:
        return no_plan(
            problem, MODEL, status, seconds=clock.elapsed(), message=message, bound=bound, sizes=sizes
        )

    everything = flow_model(start, col, weight, point, fixed, capacity, p=int((~fixed).sum()))
    most = solve_lp(everything, time_limit=clock.left()).objective
    if most is not None and most < need - 1e-6 * total:
        most_text = f"{most:,.1f} ({share(most / total)})"
        return none(
            SolveStatus.INFEASIBLE,
            f"{wanted} is unreachable within the capacities: all sites can serve {most_text}",
        )
    milp = flow_model(start, col, weight, point, fixed, capacity, need=need, rent=rent, budget=budget)
    warm = greedy_start(start, col, weight, fixed, capacity, need)
    if (
        warm is not None
        and rent is not None
        and budget is not None
        and rent[warm[:sites] > 0.5].sum() > budget
    ):
        warm = None
    outcome = solve_milp(milp, time_limit=max(clock.left(), 1e-3), mip_gap=mip_gap, start=warm)
    if outcome.status is MilpStatus.INFEASIBLE:
        if budget is None:
            return none(SolveStatus.INFEASIBLE, f"{wanted} is unreachable within the capacities")
        text = (
            f"no set of sites within the rent budget of {won(budget)} serves {wanted} within the capacities"
        )
        return none(SolveStatus.INFEASIBLE, text)
    if outcome.values is None:
        return none(
            SolveStatus.TIME_LIMIT_NO_PLAN,
            f"no plan serving {wanted} was found before the time limit",
            outcome.bound,
        )
    values = outcome.values
    optimal = outcome.status is MilpStatus.OPTIMAL
    picked = int(np.count_nonzero((values[:sites] > 0.5) & ~fixed))
    rent_part = None
    if optimal:  # the cheapest of the plans with as few sites (when sites have rents)
        values, rent_part = cheaper_flows(problem, milp, values, float(picked), clock=clock, mip_gap=mip_gap)
    chosen = np.nonzero((values[:sites] > 0.5) & ~fixed)[0]
    served = np.bincount(col, weights=weight[point] * values[sites:], minlength=sites).astype(np.float64)
    result = plan_result(
        problem,
        MODEL,
        SolveStatus.OPTIMAL if optimal else SolveStatus.TIME_LIMIT_WITH_PLAN,
        chosen.tolist(),
        reach=reach,
        objective=float(len(chosen)),
        bound=outcome.bound,
        gap=outcome.gap,
        seconds=clock.elapsed(),
        message="",
        served=served,
        sizes=sizes,
    )
    parts = [
        f"{len(chosen)} new sites serve {share(result.covered_share)} of demand within capacities, {wanted}"
    ]
    parts.append("proven the fewest" if optimal else f"stopped by the time limit: best bound {outcome.bound}")
    if budget is not None:
        parts.append(f"within the rent budget of {won(budget)}")
    if rent_part is not None:
        parts.append(rent_part)
    return replace(result, message="; ".join(parts))


def greedy_start(
    start: IntArray, col: IntArray, weight: FloatArray, fixed: np.ndarray, capacity: FloatArray, need: float
) -> FloatArray | None:
    """Open sites one at a time, each the one that can take the most still-unserved weight,
    and give it the heaviest unserved points it reaches while it has room; the full column
    vector (sites, then shares) once ``need`` is served, or None when it never is."""
    sites = len(fixed)
    point = np.repeat(np.arange(len(weight)), np.diff(start))
    order = np.lexsort((-weight[point], col))  # pairs by site, heaviest point first
    site_start = np.concatenate([[0], np.cumsum(np.bincount(col, minlength=sites))])
    left = np.ones(len(weight))  # unserved share per point
    shares = np.zeros(len(col))
    opened = np.zeros(sites, dtype=bool)

    def open_site(j: int) -> float:
        room, served = float(capacity[j]), 0.0
        for k in order[site_start[j] : site_start[j + 1]]:
            r = point[k]
            if room <= 0:
                break
            take = min(left[r], room / weight[r])
            shares[k] += take
            left[r] -= take
            room -= take * weight[r]
            served += take * weight[r]
        opened[j] = True
        return served

    served = sum(open_site(int(j)) for j in np.nonzero(fixed)[0])
    while served < need:
        reachable = np.bincount(col, weights=weight[point] * left[point], minlength=sites)
        gain = np.where(opened, -1.0, np.minimum(reachable, capacity))
        best = int(np.argmax(gain))
        if gain[best] <= 1e-12:
            return None
        served += open_site(best)
    return np.concatenate([opened.astype(np.float64), shares])
