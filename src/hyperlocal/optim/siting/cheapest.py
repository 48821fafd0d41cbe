"""The cheapest of equally good plans: a second, lexicographic phase on rent.

Many plans often reach the same best value (the open hubs already cover everything, or
p=3 and p=4 both cover all demand), and the first phase returns any of them. When the
sites have rents, a second MILP keeps the first phase's objective at its proven level
(covered weight >= C* - epsilon, or at most k new sites) and minimises the new sites'
total rent, under the same p, budget and capacities, warm-started with the first plan:
what it returns is never worse on either count, even when the time limit stops it.
Open sites are free; a site with an unknown rent (None) counts as free."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import won
from .cover_model import cover_model
from .milp import INF, Clock, Milp, MilpOutcome, MilpStatus, RowBlock, solve_milp
from .problem import FloatArray, Reach, SitingProblem
from .reduce import reduce_covering

__all__ = [
    "Cheapest",
    "cheaper_cover",
    "cheaper_flows",
    "cheapest_cover",
    "covered_by",
    "lexicographic",
    "rent_note",
    "site_rents",
]

# Covered weight may fall this share of the total below the first phase's (HiGHS's tolerance).
LEVEL_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Cheapest:
    sites: list[int]  # the new sites' positions
    rent: float  # their total monthly rent in won
    optimal: bool  # proven the cheapest (within the MIP gap)
    gap: float | None


def site_rents(problem: SitingProblem) -> FloatArray | None:
    """Rent per site position (open sites and unknown rents 0), or None when none is above 0."""
    rent = np.array(
        [0 if s.fixed_open or s.rent is None else s.rent for s in problem.sites], dtype=np.float64
    )
    return rent if rent.any() else None


def level_of(problem: SitingProblem, covered: float) -> float:
    """The covered weight a second phase must keep: the first phase's, less its tolerance."""
    return covered - LEVEL_TOLERANCE * problem.total_weight


def lexicographic(
    milp: Milp, start: FloatArray, level: float, rent: FloatArray, *, time_limit: float, mip_gap: float
) -> MilpOutcome:
    """Minimise ``rent`` (per column) over ``milp``'s feasible set with its objective kept
    at least as good as ``level`` (>= for a maximisation, <= for a minimisation)."""
    used = np.nonzero(milp.cost)[0].astype(np.int64)
    bound = level - milp.offset
    lower, upper = (bound, INF) if milp.maximise else (-INF, bound)
    keep = RowBlock.single(used, milp.cost[used], lower, upper)
    second = Milp(
        maximise=False,
        cost=rent,
        lower=milp.lower,
        upper=milp.upper,
        integer=milp.integer,
        rows=[*milp.rows, keep],
    )
    return solve_milp(second, time_limit=time_limit, mip_gap=mip_gap, start=start)


def cheapest_cover(
    problem: SitingProblem,
    reach: Reach,
    rents: FloatArray,
    plan: list[int],
    *,
    p: int | None = None,
    need: float | None = None,
    level: float,
    budget: int | None,
    clock: Clock,
    mip_gap: float,
) -> Cheapest | None:
    """The cheapest plan as good as ``plan`` (new site positions), uncapacitated: with ``p``,
    exactly p new sites covering at least ``level``; with ``need``, at most ``level`` new
    sites covering at least ``need`` weight. None when no time is left or HiGHS found no
    plan (the caller keeps ``plan``)."""
    if clock.left() <= 0:
        return None
    kept = np.array(plan, dtype=np.int64)
    fillers = 0 if p is None else p
    covering = reduce_covering(reach, problem.weights, problem.fixed, rent=rents, fillers=fillers, keep=kept)
    column_rent = rents[covering.site]
    if p is not None:
        model = cover_model(covering, p=p, exact=True, rent=column_rent, budget=budget)
    else:
        model = cover_model(covering, target=need, rent=column_rent, budget=budget)
    start = model.start(np.isin(covering.site, kept))
    cost = np.concatenate([column_rent, np.zeros(model.milp.columns - model.sites)])
    outcome = lexicographic(model.milp, start, level, cost, time_limit=clock.left(), mip_gap=mip_gap)
    if outcome.values is None:
        return None
    sites = covering.site[model.chosen(outcome.values)].tolist()
    return Cheapest(sites, float(rents[sites].sum()), outcome.status is MilpStatus.OPTIMAL, outcome.gap)


def covered_by(problem: SitingProblem, reach: Reach, new_sites: list[int]) -> float:
    """The weight that the open sites and ``new_sites`` reach, counted from ``reach``."""
    open_sites = problem.fixed > 0
    open_sites[new_sites] = True
    hit = np.zeros(len(problem.weights), dtype=bool)
    hit[reach.point_of_pair()[open_sites[reach.site]]] = True
    return float(problem.weights[hit].sum())


def cheaper_cover(
    problem: SitingProblem,
    reach: Reach,
    plan: list[int],
    *,
    p: int | None = None,
    need: float | None = None,
    budget: int | None,
    clock: Clock,
    mip_gap: float,
) -> tuple[list[int], str | None]:
    """``plan`` or a cheaper one as good (``cheapest_cover``), and the message's part about
    it (None when the sites have no rents or the second phase found nothing)."""
    rents = site_rents(problem)
    if rents is None or (p is not None and p == 0):
        return plan, None
    covered = covered_by(problem, reach, plan)
    level = level_of(problem, covered) if p is not None else float(len(plan))
    found = cheapest_cover(
        problem, reach, rents, plan, p=p, need=need, level=level, budget=budget, clock=clock, mip_gap=mip_gap
    )
    if found is None:
        return plan, None
    floor = level if p is not None else (need or 0.0) - LEVEL_TOLERANCE * problem.total_weight
    better = found.rent <= float(rents[plan].sum()) and covered_by(problem, reach, found.sites) >= floor
    if p is None:
        better = better and len(found.sites) <= len(plan)
    if not better:
        return plan, None
    return found.sites, rent_note(found, "cover as much" if p is not None else "have as few sites")


def cheaper_flows(
    problem: SitingProblem, milp: Milp, values: FloatArray, level: float, *, clock: Clock, mip_gap: float
) -> tuple[FloatArray, str | None]:
    """For a model whose first columns open the sites (by position), the capacitated ones:
    ``values`` or the cheapest as good (``level`` as in ``lexicographic``), and the
    message's part about it."""
    rents = site_rents(problem)
    if rents is None or clock.left() <= 0:
        return values, None
    sites = len(rents)
    cost = np.concatenate([rents, np.zeros(milp.columns - sites)])
    outcome = lexicographic(milp, values, level, cost, time_limit=clock.left(), mip_gap=mip_gap)
    if outcome.values is None or float(cost @ outcome.values) > float(cost @ values) + 1e-6:
        return values, None
    opened = np.nonzero(outcome.values[:sites] > 0.5)[0]
    found = Cheapest(
        opened.tolist(), float(rents[opened].sum()), outcome.status is MilpStatus.OPTIMAL, outcome.gap
    )
    same = "serve as much" if milp.maximise else "have as few sites"
    return outcome.values, rent_note(found, same)


def rent_note(cheapest: Cheapest, same: str) -> str:
    """The message's part for the second phase: ``same`` is what the plans share."""
    if cheapest.optimal:
        return f"the cheapest of the plans that {same}: {won(cheapest.rent)} a month"
    gap = "unknown" if cheapest.gap is None else f"{100 * cheapest.gap:.2f} %"
    return (
        f"the cheapest found in time of the plans that {same}: {won(cheapest.rent)} a month (rent gap {gap})"
    )
