"""Capacitated maximal covering with one new site, exactly, by evaluating the candidates.

With p = 1 the MILP (``cap_model``) is mostly presolve and LP work over every point-site
pair: HiGHS spends seconds on a district before its first node, while a plan is just the
best single candidate. What one candidate j serves, with the open sites, is a max flow
(points -> sites in reach -> capacities), here a small LP over the pairs of those sites
only. Adding j raises what the open sites serve by at most min(cap_j, the weight j
reaches), so candidates are evaluated in decreasing order of that bound and the search
stops once no bound can beat the best plan (or come within the level tolerance of it, when
the cheapest of equal plans is wanted). The tolerance is measured from the best value seen,
never from the plan kept: a cheaper plan within it of a plan itself within it of the best
may be a whole two tolerances short. The time limit stops it with the best plan so far and
the largest bound left."""

from __future__ import annotations

import numpy as np

from .cheapest import LEVEL_TOLERANCE, site_rents
from .milp import INF, Clock, Milp, MilpOutcome, MilpStatus, RowBlock, relative_gap, solve_milp
from .problem import FloatArray, IntArray, SitingProblem

__all__ = ["best_single_site"]


def best_single_site(
    problem: SitingProblem,
    start: IntArray,
    col: IntArray,
    weight: FloatArray,
    capacity: FloatArray,
    rent: FloatArray | None,
    budget: int | None,
    clock: Clock,
) -> MilpOutcome:
    """The best plan with one new site as ``cap_model.flow_model``'s columns (sites, then the
    shares of the merged pairs ``start``/``col``/``weight``). Among plans within the level
    tolerance of the best, the cheapest when the sites have rents."""
    fixed = problem.fixed > 0
    sites = len(fixed)
    point = np.repeat(np.arange(len(weight)), np.diff(start))
    reached = np.bincount(col, weights=weight[point], minlength=sites)
    base, base_values = _served(start, col, weight, point, capacity, fixed, clock)
    candidates = np.nonzero(~fixed)[0]
    if rent is not None and budget is not None:
        candidates = candidates[rent[candidates] <= budget]
    bound = base + np.minimum(capacity[candidates], reached[candidates])
    order = np.argsort(-bound, kind="stable")
    rents = site_rents(problem)
    tie = LEVEL_TOLERANCE * problem.total_weight if rents is not None else 0.0
    top = -INF  # the most any evaluated candidate serves
    # The plans (served, rent, column values) serving at least top - tie, none of them
    # serving less for as much rent as another: the answer is the cheapest at the end.
    kept: list[tuple[float, float, FloatArray]] = []
    unexplored = None  # the largest bound among the candidates left unevaluated
    for at in order:
        if kept and (bound[at] < top - tie if rents is not None else bound[at] <= top):
            break  # sorted: no candidate left can beat the best (or come within tie of it)
        if clock.left() <= 0:
            unexplored = float(bound[at])
            break
        j = int(candidates[at])
        opened = fixed.copy()
        opened[j] = True
        value, values = _served(start, col, weight, point, capacity, opened, clock)
        cost = 0.0 if rents is None else float(rents[j])
        top = max(top, value)
        if value < top - tie or any(v >= value and c <= cost for v, c, _ in kept):
            continue  # short of the best, or an evaluated plan serves as much for no more rent
        kept = [(v, c, x) for v, c, x in kept if v >= top - tie and (v > value or c < cost)]
        kept.append((value, cost, values))
    if not kept:
        if len(order):  # out of time before the first candidate
            return MilpOutcome(MilpStatus.TIME_LIMIT, None, None, unexplored, None, clock.elapsed())
        return MilpOutcome(MilpStatus.OPTIMAL, base_values, base, base, 0.0, clock.elapsed())
    # The cheapest of the plans within tie of the best (of equal rents, the one serving most).
    value, _, values = min(kept, key=lambda plan: (plan[1], -plan[0]))
    if unexplored is None:  # the best is proven (gap 0, as the first phase's of a MILP); bound is the best
        return MilpOutcome(MilpStatus.OPTIMAL, values, value, top, 0.0, clock.elapsed())
    # Out of time: a candidate left may serve more, or (with rents) as much for less.
    bound_left = max(top, unexplored)
    return MilpOutcome(
        MilpStatus.TIME_LIMIT, values, value, bound_left, relative_gap(value, bound_left), clock.elapsed()
    )


def _served(
    start: IntArray,
    col: IntArray,
    weight: FloatArray,
    point: IntArray,
    capacity: FloatArray,
    opened: np.ndarray,
    clock: Clock,
) -> tuple[float, FloatArray]:
    """The most the ``opened`` sites serve (a max flow as an LP over their pairs only), and
    the full column vector of that plan."""
    live = np.nonzero(opened[col])[0]
    live_point = point[live]
    counts = np.bincount(live_point, minlength=len(weight))
    row_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    variables = np.arange(len(live), dtype=np.int64)
    rows = [
        RowBlock(row_start, variables, np.ones(len(live)), np.full(len(weight), -INF), np.ones(len(weight)))
    ]
    for j in np.nonzero(opened & np.isfinite(capacity))[0]:
        members = variables[col[live] == j]
        rows.append(RowBlock.single(members, weight[live_point[members]], -INF, float(capacity[j])))
    lp = Milp(
        maximise=True,
        cost=weight[live_point],
        lower=np.zeros(len(live)),
        upper=np.ones(len(live)),
        integer=np.zeros(len(live), dtype=bool),
        rows=rows,
    )
    outcome = solve_milp(lp, time_limit=max(clock.left(), 1.0))
    shares = np.zeros(len(col))
    if outcome.values is not None:
        shares[live] = np.clip(outcome.values, 0.0, 1.0)
    served = float(weight[point] @ shares)
    return served, np.concatenate([opened.astype(np.float64), shares])
