"""Maximal covering under site capacities: a point may be split between open sites
(the model is ``cap_model.flow_model``), warm-started with the greedy covering plan and a
greedy split of the demand. Points reached by the same sites are merged first (shares are
continuous, so a merged point splits exactly as its members would). With one new site the
candidates are evaluated instead (``single``): the MILP's presolve alone takes seconds."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .cap_model import fill, flow_model
from .cheapest import Cheapest, cheaper_flows, level_of, rent_note, site_rents
from .greedy import greedy_cover
from .milp import Clock, MilpStatus, solve_milp
from .problem import FloatArray, Reach, SitingProblem
from .reduce import merge_points, reduce_covering
from .result import SitingResult, SolveStatus, covering_message, plan_result
from .single import best_single_site

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
    opened = _greedy_sites(problem, reach, p, rent, budget)
    warm = np.concatenate([opened.astype(np.float64), fill(start, col, weight, opened, capacity)])
    rent_part = None
    if p == 1:  # one new site: evaluate the candidates (single.py), much faster than the MILP
        outcome = best_single_site(problem, start, col, weight, capacity, rent, budget, clock)
        values = warm if outcome.values is None else outcome.values
        optimal = outcome.status is MilpStatus.OPTIMAL
        rents = site_rents(problem)
        if optimal and rents is not None:
            cost = float(rents[values[:sites] > 0.5].sum())
            rent_part = rent_note(Cheapest([], cost, True, 0.0), "serve as much")
    else:
        milp = flow_model(start, col, weight, point, fixed, capacity, p=p, rent=rent, budget=budget)
        outcome = solve_milp(milp, time_limit=clock.left(), mip_gap=mip_gap, start=warm)
        values = warm if outcome.values is None else outcome.values
        optimal = outcome.status is MilpStatus.OPTIMAL
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
