"""The greedy heuristic on its own, for inputs too large to prove optimal: a plan in
seconds, without a bound (status ``heuristic``)."""

from __future__ import annotations

from dataclasses import replace

from .checks import budget_shortfall, check_budget, check_p, check_promise, check_target, share, won
from .greedy import greedy_cover, pad_plan
from .milp import Clock
from .problem import Reach, SitingProblem
from .reduce import reduce_covering
from .result import SitingResult, SolveStatus, no_plan, plan_result

__all__ = ["greedy_mclp", "greedy_set_cover"]


def greedy_mclp(
    problem: SitingProblem, p: int, *, promise: float | None = None, budget: int | None = None
) -> SitingResult:
    """p new sites, each the one that adds the most uncovered weight (within the budget,
    keeping enough for the cheapest sites still to pick)."""
    clock = Clock(1.0)
    p = check_p(problem, p)
    reach = problem.reach.within(check_promise(promise))
    rent = check_budget(problem, budget)
    if rent is not None and budget is not None and (shortfall := budget_shortfall(problem, p, budget, rent)):
        return no_plan(
            problem, "greedy_mclp", SolveStatus.INFEASIBLE, seconds=clock.elapsed(), message=shortfall
        )
    covering = reduce_covering(reach, problem.weights, problem.fixed, rent=rent, dominance=False)
    column_rent = None if rent is None else rent[covering.site]
    plan = greedy_cover(covering, picks=p, rent=column_rent, budget=budget)
    chosen = [] if plan is None else covering.site[list(plan.columns)].tolist()
    open_sites = problem.fixed > 0
    open_sites[chosen] = True
    chosen += pad_plan(reach, problem.weights, open_sites, problem.fixed == 0, p - len(chosen))
    result = _result(problem, "greedy_mclp", chosen, reach, clock)
    text = (
        f"{len(chosen)} new sites cover {share(result.covered_share)} of demand (greedy, no optimality bound)"
    )
    return replace(result, objective=result.covered_weight, message=text)


def greedy_set_cover(
    problem: SitingProblem, target: float, *, promise: float | None = None, budget: int | None = None
) -> SitingResult:
    """Sites in order of the most uncovered weight added until ``target`` (a share of demand)
    is covered; infeasible when the sites, or those within the budget, cannot reach it."""
    clock = Clock(1.0)
    target = check_target(target)
    reach = problem.reach.within(check_promise(promise))
    rent = check_budget(problem, budget)
    need = target * problem.total_weight * (1 - 1e-12)
    covering = reduce_covering(reach, problem.weights, problem.fixed, rent=rent, dominance=False)
    column_rent = None if rent is None else rent[covering.site]
    plan = greedy_cover(covering, target=need - covering.constant, rent=column_rent, budget=budget)
    if plan is None:
        most = covering.constant + float(covering.weight.sum())
        if budget is None or most < need:
            reason = f"all sites together cover {share(most / problem.total_weight)}"
        else:
            reason = f"the greedy plan runs out of the rent budget of {won(budget)}"
        message = f"the greedy heuristic cannot reach a coverage of {100 * target:g}%: {reason}"
        return no_plan(
            problem, "greedy_set_cover", SolveStatus.INFEASIBLE, seconds=clock.elapsed(), message=message
        )
    chosen = covering.site[list(plan.columns)].tolist()
    result = _result(problem, "greedy_set_cover", chosen, reach, clock)
    text = (
        f"{len(chosen)} new sites cover {share(result.covered_share)} of demand (greedy, no optimality bound)"
    )
    return replace(result, objective=float(len(chosen)), message=text)


def _result(
    problem: SitingProblem, model: str, chosen: list[int], reach: Reach, clock: Clock
) -> SitingResult:
    return plan_result(
        problem,
        model,
        SolveStatus.HEURISTIC,
        chosen,
        reach=reach,
        objective=None,
        bound=None,
        gap=None,
        seconds=clock.elapsed(),
        message="",
    )
