"""Maximal covering: p new sites (open sites free and always open) that cover the most
demand weight within the promise, optionally within a rent budget or under capacities.

The uncapacitated model is reduced before HiGHS sees it (``reduce``), warm-started with
the greedy plan, and, without a budget, shrunk further by reduced-cost fixing (``fixing``):
the LP relaxation's duals bound what each site can add, a small MILP over the sites the LP
uses finds a strong plan, and every site that cannot beat that plan leaves the model."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .capacity import solve_capacitated_mclp
from .cheapest import cheaper_cover, covered_by
from .checks import budget_shortfall, check_budget, check_p, check_promise, check_time_limit
from .cover_model import cover_model
from .fixing import LagrangianBound, lagrangian_bound, multipliers_from_duals
from .greedy import greedy_cover, pad_plan
from .milp import Clock, MilpStatus, relative_gap, solve_lp, solve_milp
from .problem import FloatArray, SitingInputError, SitingProblem, finite_number
from .reduce import Covering, covered_weight, reduce_covering, restrict
from .result import SitingResult, SolveStatus, covering_message, no_plan, plan_result

__all__ = ["solve_mclp"]

# Share of the time left that the MILP over the LP's sites may use (it is usually instant).
SUPPORT_SHARE = 0.3
# Rounds of LP fixing at most, stopping once a round keeps more than SETTLED of the sites.
FIXING_ROUNDS = 5
SETTLED = 0.95


def solve_mclp(
    problem: SitingProblem,
    p: int,
    *,
    promise: float | None = None,
    budget: int | None = None,
    capacitated: bool = False,
    time_limit: float = 60.0,
    mip_gap: float = 1e-4,
) -> SitingResult:
    """Open exactly ``p`` new sites. When fewer already cover all that any other site could
    add, the rest are the sites that reach the most weight anyway (the message says so).

    ``promise`` keeps the reach pairs with travel <= promise; ``budget`` caps the new
    sites' total rent in won; ``capacitated`` limits each site to its capacity (in demand
    weight; None is unlimited). ``mip_gap`` is HiGHS's relative gap tolerance."""
    clock = Clock(check_time_limit(time_limit))
    p = check_p(problem, p)
    promise = check_promise(promise)
    mip_gap = finite_number(mip_gap, "the MIP gap tolerance")
    rent = check_budget(problem, budget)
    if rent is not None and budget is not None and (shortfall := budget_shortfall(problem, p, budget, rent)):
        return no_plan(problem, "mclp", SolveStatus.INFEASIBLE, seconds=clock.elapsed(), message=shortfall)
    reach = problem.reach.within(promise)
    if capacitated:
        return solve_capacitated_mclp(problem, p, reach, rent, budget, clock, mip_gap)
    covering = reduce_covering(
        reach, problem.weights, problem.fixed, rent=rent, fillers=p if rent is not None else 0
    )
    sizes = {
        "points": covering.points_in,
        "points_merged": covering.points,
        "sites": covering.sites_in,
        "sites_undominated": len(covering.site),
    }
    column_rent = None if rent is None else rent[covering.site]
    greedy = greedy_cover(covering, picks=p, rent=column_rent, budget=budget)
    if greedy is None:  # cannot happen: the budget was checked against the cheapest sites
        raise SitingInputError("no plan fits the rent budget")
    incumbent = covering.site[list(greedy.columns)]
    work, lagrangian = covering, None
    if rent is None and 0 < p < len(covering.site) and clock.left() > 0:
        work, incumbent, lagrangian = _fix_by_lp(covering, p, incumbent, clock)
    sizes |= {"sites_after_fixing": len(work.site), "points_in_model": work.points}
    model = cover_model(
        work, p=p, exact=rent is not None, rent=None if rent is None else rent[work.site], budget=budget
    )
    outcome = None
    if clock.left() > 0:
        start = model.start(np.isin(work.site, incumbent))
        outcome = solve_milp(model.milp, time_limit=clock.left(), mip_gap=mip_gap, start=start)
        if outcome.values is not None:
            found = work.site[model.chosen(outcome.values)]
            if _value(covering, found) >= _value(covering, incumbent) - 1e-9:
                incumbent = found
    bounds = [covering.constant + float(covering.weight.sum())]  # everything coverable
    if lagrangian is not None:
        bounds.append(lagrangian + covering.constant)
    if outcome is not None and outcome.bound is not None:
        bounds.append(outcome.bound)
    bound = min(bounds)
    optimal = outcome is not None and outcome.status is MilpStatus.OPTIMAL
    adding = len(incumbent)
    chosen = list(incumbent)
    if len(chosen) < p:  # the rest add nothing: those that reach the most weight anyway
        open_sites = problem.fixed > 0
        open_sites[chosen] = True
        chosen += pad_plan(reach, problem.weights, open_sites, problem.fixed == 0, p - len(chosen))
    rent_part = None
    if optimal:  # the cheapest of the plans that cover as much (when sites have rents)
        chosen, rent_part = cheaper_cover(
            problem, reach, chosen, p=p, budget=budget, clock=clock, mip_gap=mip_gap
        )
    value = covered_by(problem, reach, chosen)
    gap = outcome.gap if optimal and outcome is not None else relative_gap(value, bound)
    status = SolveStatus.OPTIMAL if optimal else SolveStatus.TIME_LIMIT_WITH_PLAN
    result = plan_result(
        problem,
        "mclp",
        status,
        chosen,
        reach=reach,
        objective=value,
        bound=bound,
        gap=gap,
        seconds=clock.elapsed(),
        message="",
        sizes=sizes,
    )
    stopped = None if outcome is None else outcome.status
    note = covering_message(
        result, p=p, adding=adding, budget=budget, stopped=stopped, cheapest=rent_part is not None
    )
    return replace(result, message=note if rent_part is None else f"{note}; {rent_part}")


def _value(covering: Covering, sites: FloatArray | np.ndarray) -> float:
    return covered_weight(covering, np.isin(covering.site, sites))


def _fix_by_lp(
    covering: Covering, p: int, incumbent: np.ndarray, clock: Clock
) -> tuple[Covering, np.ndarray, float | None]:
    """Restrict ``covering`` to the sites that can beat the best plan found (which first
    improves by a MILP over the sites the LP relaxation uses). The LP of what is left is
    degenerate in another way, and its duals fix more: repeat while that pays."""
    first = _lagrangian(covering, p, clock)
    if first is None:
        return covering, incumbent, None
    bound, relaxed = first
    incumbent = _improve_on_support(covering, p, incumbent, relaxed, clock)
    value = _value(covering, incumbent)
    work, best = covering, bound.bound
    for _ in range(FIXING_ROUNDS):
        shrunk = restrict(work, bound.needed(value) | np.isin(work.site, incumbent))
        settled = len(shrunk.site) > SETTLED * len(work.site)
        work = shrunk
        again = None if settled or clock.left() <= 0 else _lagrangian(work, p, clock)
        if again is None:
            break
        bound = again[0]
        best = min(best, bound.bound)
    return work, incumbent, best


def _lagrangian(covering: Covering, p: int, clock: Clock) -> tuple[LagrangianBound, FloatArray] | None:
    """The tightest Lagrangian bound from the LP relaxation's duals, and the LP's sites."""
    model = cover_model(covering, p=p)
    lp = solve_lp(model.milp, time_limit=clock.left())
    if lp.values is None or lp.row_dual is None or clock.left() <= 0:
        return None
    candidates = (lagrangian_bound(covering, p, u) for u in multipliers_from_duals(model, lp.row_dual))
    return min(candidates, key=lambda b: b.bound), lp.values[: len(covering.site)]


def _improve_on_support(
    covering: Covering, p: int, incumbent: np.ndarray, relaxed: FloatArray, clock: Clock
) -> np.ndarray:
    """The best plan over the sites the LP uses (and the incumbent's), if it is better."""
    support = restrict(covering, (relaxed > 1e-6) | np.isin(covering.site, incumbent))
    model = cover_model(support, p=p)
    start = model.start(np.isin(support.site, incumbent))
    outcome = solve_milp(model.milp, time_limit=SUPPORT_SHARE * clock.left(), start=start)
    if outcome.values is None:
        return incumbent
    found = support.site[model.chosen(outcome.values)]
    return found if _value(covering, found) > _value(covering, incumbent) else incumbent
