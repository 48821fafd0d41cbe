"""The RESULT JSON of a plan: what it opens, what it covers, how fast, at what rent.

Stored as is in ``SitePlan.result`` and rendered by the page, the export and the API:

    {"model", "status", "optimal", "gap", "objective", "seconds", "message", "parameters",
     "demand": {"orders_per_day", "households", "cells"},
     "coverage": {"share", "orders_per_day", "households"},
     "travel": {"p50", "p90", "mean", "assigned_share"},
     "rent": {"monthly_won", "per_covered_household_won", "households_added"},
     "sites": [...], "cells": [...], "curve": [...]}

A cell is covered when an open site is within the promise: coverage is the share within the
promise. Each cell goes to its nearest open site in reach (covering models: within the
promise; p-median: any distance its pairs hold, see ``inputs.MedianPairs``). Ride times
(p50, p90, mean) are demand-weighted over every cell that has a site, covered or not, so that
a plan leaving much demand beyond the promise shows it; ``assigned_share`` is the share of
demand that has a site. Under capacities, whatever the model, the sites' loads and the
covered demand are the solver's split (``SitingResult.assignment``): the covering models'
served weight is within the promise (``covered_weight``; households in proportion), while
p-median's split is recovered pair by pair (``_median_split``: the least travel that gives
each site the load the solver gave it) and only the part within the promise is covered.

Rent per covered household is marginal: the new sites' monthly rent over the households the
plan adds within the promise (covered with the plan minus covered by the open hubs alone,
counted on the pairs within the promise), rounded half up to the won by the shared money
helper; null when the plan adds nobody. ``households_added`` is that difference. Under
capacities the plan's served households count, less what the open hubs alone could serve
within their capacities (an upper bound of it: each hub its capacity at most).

Without capacities a site may be given more orders than its warehouse can pack; such sites
are flagged ``over_capacity`` and the message says so, because the plan then promises more
than the floor can deliver."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hyperlocal.optim.siting import Reach, SitingProblem, SitingResult
from hyperlocal.optim.siting.milp import INF, Milp, MilpStatus, RowBlock, solve_milp
from hyperlocal.planning.services.inputs import PlanInputs
from hyperlocal.wallet.services.money import ratio_of

__all__ = ["PlanMetrics", "curve_point", "evaluate", "per_household", "result_json", "weighted_quantile"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# The time limit of the LP that recovers a capacitated p-median's split pair by pair.
SPLIT_SECONDS = 10.0


def weighted_quantile(values: FloatArray, weights: FloatArray, q: float) -> float | None:
    """The smallest value at which the cumulative weight reaches q of the total."""
    keep = weights > 0
    if not keep.any():
        return None
    order = np.argsort(values[keep], kind="stable")
    v, w = values[keep][order], weights[keep][order]
    cumulative = np.cumsum(w)
    index = int(np.searchsorted(cumulative, q * cumulative[-1] * (1 - 1e-12), side="left"))
    return float(v[min(index, len(v) - 1)])


def weighted_mean(values: FloatArray, weights: FloatArray) -> float | None:
    total = float(weights.sum())
    return float((values * weights).sum() / total) if total > 0 else None


def per_household(monthly_won: int, households: float | None) -> int | None:
    """Rent over households (counted to the hundredth), rounded half up to the won by the
    shared money helper; None without households."""
    if households is None:
        return None
    hundredths = round(float(households) * 100)
    if hundredths <= 0:
        return None
    return ratio_of(int(monthly_won), 100, hundredths)


def _nearest(reach: Reach, open_sites: npt.NDArray[np.bool_], points: int) -> tuple[IntArray, FloatArray]:
    """Each point's nearest open site in ``reach`` (-1 when none) and the minutes (inf)."""
    pair_point = reach.point_of_pair()
    live = open_sites[reach.site]
    order = np.lexsort((reach.travel[live], pair_point[live]))
    first_point, first = np.unique(pair_point[live][order], return_index=True)
    nearest = np.full(points, -1, dtype=np.int64)
    minutes = np.full(points, np.inf)
    nearest[first_point] = reach.site[live][order][first]
    minutes[first_point] = reach.travel[live][order][first]
    return nearest, minutes


@dataclass(frozen=True)
class PlanMetrics:
    """How one plan serves the demand (arrays by demand position, loads by site position)."""

    open_sites: npt.NDArray[np.bool_]
    nearest: IntArray  # site position or -1
    minutes: FloatArray  # inf where no open site is in reach
    covered: npt.NDArray[np.bool_]
    covered_orders: float
    covered_households: float | None
    p50: float | None  # demand-weighted minutes over the demand that has a site
    p90: float | None
    mean: float | None
    assigned_share: float
    load_orders: FloatArray
    load_households: FloatArray
    load_cells: IntArray
    monthly_rent_won: int
    households_added: float | None  # households within the promise the new sites add


def _covered(inputs: PlanInputs, open_sites: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Cells with an open site within the promise (on the pairs within the promise)."""
    _, minutes = _nearest(inputs.coverage_reach, open_sites, len(inputs.demand))
    return minutes <= inputs.params.promise_minutes


def _fixed_can_serve(inputs: PlanInputs, problem: SitingProblem, households: FloatArray) -> float:
    """Households the open hubs alone can serve under their capacities, at most: each hub
    serves at most its capacity of the orders within its promise, and the hubs together at
    most the orders any of them reaches (an upper bound, so households added is never
    overstated)."""
    weights = problem.weights
    fixed = problem.fixed > 0
    reach = _covered(inputs, fixed)
    reach_orders = float(weights[reach].sum())
    if reach_orders <= 0:
        return 0.0
    each = 0.0
    for j in np.nonzero(fixed)[0]:
        alone = np.zeros(len(fixed), dtype=bool)
        alone[j] = True
        own = float(weights[_covered(inputs, alone)].sum())
        capacity = problem.sites[j].capacity
        each += own if capacity is None else min(own, capacity)
    served = min(reach_orders, each)
    return float(households[reach].sum()) * served / reach_orders


def _median_split(
    problem: SitingProblem, open_sites: npt.NDArray[np.bool_], load: FloatArray, seconds: float
) -> tuple[IntArray, IntArray, FloatArray] | None:
    """A capacitated p-median's split pair by pair, which the result gives by site only: the
    least weighted travel over the pairs to open sites that serves every point with a pair
    and gives no site more than the solver's load (the same split whenever the solver's is
    the least travel for its sites). (point, site, share) per pair; None when none is found."""
    reach = problem.reach
    point = reach.point_of_pair()
    weights = problem.weights
    live = open_sites[reach.site] & (weights[point] > 0)
    pair_point, pair_site, travel = point[live], reach.site[live], reach.travel[live]
    points = np.unique(pair_point)
    if len(points) == 0:
        return pair_point, pair_site, np.zeros(0)
    order = np.lexsort((pair_site, pair_point))  # rows grouped by point
    pair_point, pair_site, travel = pair_point[order], pair_site[order], travel[order]
    pairs = len(pair_point)
    counts = np.bincount(np.searchsorted(points, pair_point), minlength=len(points))
    served = np.asarray(load, dtype=np.float64)
    rows = [
        RowBlock(
            np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            np.arange(pairs, dtype=np.int64),
            np.ones(pairs),
            np.ones(len(points)),
            np.ones(len(points)),
        )
    ]
    by_site = np.argsort(pair_site, kind="stable")
    sites_used, site_counts = np.unique(pair_site[by_site], return_counts=True)
    room = served[sites_used] * (1 + 1e-7) + 1e-7
    rows.append(
        RowBlock(
            np.concatenate([[0], np.cumsum(site_counts)]).astype(np.int64),
            by_site.astype(np.int64),
            weights[pair_point[by_site]],
            np.full(len(sites_used), -INF),
            room,
        )
    )
    milp = Milp(
        maximise=False,
        cost=weights[pair_point] * travel,
        lower=np.zeros(pairs),
        upper=np.ones(pairs),
        integer=np.zeros(pairs, dtype=bool),
        rows=rows,
    )
    outcome = solve_milp(milp, time_limit=seconds)
    if outcome.values is None or outcome.status is not MilpStatus.OPTIMAL:
        return None
    return pair_point, pair_site, np.clip(outcome.values, 0.0, 1.0)


def evaluate(
    inputs: PlanInputs, result: SitingResult, *, problem: SitingProblem | None = None
) -> PlanMetrics:
    """``problem``: the one ``result`` was solved on (default the inputs'; p-median's pairs
    depend on p)."""
    problem = inputs.problem if problem is None else problem
    position = {site.id: j for j, site in enumerate(problem.sites)}
    open_sites = np.zeros(len(problem.sites), dtype=bool)
    for key in result.sites:
        open_sites[position[key]] = True
    points = len(problem.demand)
    nearest, minutes = _nearest(problem.reach, open_sites, points)
    covered = _covered(inputs, open_sites)
    if inputs.coverage is not None:
        # p-median: a cell within the promise of an open site goes to the nearest such site.
        near_cover, cover_minutes = _nearest(inputs.coverage, open_sites, points)
        closer = cover_minutes < minutes
        nearest = np.where(closer, near_cover, nearest)
        minutes = np.where(closer, cover_minutes, minutes)
    weights = problem.weights
    hh_known = all(d.households is not None for d in inputs.demand)
    households = np.array([d.households or 0.0 for d in inputs.demand], dtype=np.float64)
    covered_orders = float(weights[covered].sum())
    covered_hh = float(households[covered].sum())
    fixed_hh = float(households[_covered(inputs, problem.fixed > 0)].sum())
    assigned = nearest >= 0
    sites = len(problem.sites)
    load_orders = np.bincount(nearest[assigned], weights=weights[assigned], minlength=sites).astype(
        np.float64
    )
    load_hh = np.bincount(nearest[assigned], weights=households[assigned], minlength=sites).astype(np.float64)
    load_cells = np.bincount(nearest[assigned], minlength=sites).astype(np.int64)
    reported_hh = covered_hh
    if inputs.params.capacitated and result.has_plan:
        served = np.zeros(sites)
        for key, weight in result.assignment.items():
            served[position[key]] = weight
        split = None
        if inputs.params.model == "p_median":
            split = _median_split(problem, open_sites, served, SPLIT_SECONDS)
        if split is not None:
            # p-median: the solver's split pair by pair; covered is the part within the promise.
            pair_point, pair_site, share = split
            within = _within(inputs, pair_point, pair_site, open_sites)
            covered_orders = float((weights[pair_point] * share)[within].sum())
            reported_hh = float((households[pair_point] * share)[within].sum())
            load_hh = np.bincount(pair_site, weights=households[pair_point] * share, minlength=sites).astype(
                np.float64
            )
        else:
            # The covering models' served weight is within the promise: what capacity lets each
            # site serve (p-median without a split: each site at most its load within the promise).
            if inputs.params.model == "p_median":
                near, near_minutes = _nearest(inputs.coverage_reach, open_sites, points)
                inside = (near >= 0) & (near_minutes <= inputs.params.promise_minutes)
                reach_load = np.bincount(near[inside], weights=weights[inside], minlength=sites)
                capped = float(np.minimum(served, reach_load).sum())
            else:
                capped = result.covered_weight
            scale = capped / covered_orders if covered_orders > 0 else 0.0
            covered_orders, reported_hh = capped, covered_hh * min(scale, 1.0)
            ratio = np.divide(served, load_orders, out=np.zeros(sites), where=load_orders > 0)
            load_hh = load_hh * np.minimum(ratio, 1.0)
        load_orders = served
    new_positions = [position[key] for key in result.new_sites if not problem.sites[position[key]].fixed_open]
    rent = sum(int(problem.sites[j].rent or 0) for j in new_positions)
    added = max(0.0, covered_hh - fixed_hh) if new_positions else 0.0
    if inputs.params.capacitated and result.has_plan and new_positions:
        added = max(0.0, reported_hh - _fixed_can_serve(inputs, problem, households))
    total = float(weights.sum())
    return PlanMetrics(
        open_sites=open_sites,
        nearest=nearest,
        minutes=minutes,
        covered=covered,
        covered_orders=covered_orders,
        covered_households=reported_hh if hh_known else None,
        p50=weighted_quantile(minutes[assigned], weights[assigned], 0.5),
        p90=weighted_quantile(minutes[assigned], weights[assigned], 0.9),
        mean=weighted_mean(minutes[assigned], weights[assigned]),
        assigned_share=float(weights[assigned].sum()) / total if total > 0 else 0.0,
        load_orders=load_orders,
        load_households=load_hh,
        load_cells=load_cells,
        monthly_rent_won=rent,
        households_added=added if hh_known else None,
    )


def _within(
    inputs: PlanInputs, pair_point: IntArray, pair_site: IntArray, open_sites: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Which of these (point, site) pairs are within the promise (on the pairs within it)."""
    reach = inputs.coverage_reach
    inside = reach.travel <= inputs.params.promise_minutes
    key = reach.point_of_pair()[inside] * len(open_sites) + reach.site[inside]
    return np.isin(pair_point * len(open_sites) + pair_site, key)


def _r(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def _status(result: SitingResult) -> str:
    return str(result.status.value)


def curve_point(
    inputs: PlanInputs, p: int, result: SitingResult, *, problem: SitingProblem | None = None
) -> dict[str, object]:
    """``problem``: the one ``result`` was solved on (default the inputs' for p)."""
    metrics = evaluate(inputs, result, problem=inputs.problem_for(p) if problem is None else problem)
    total = inputs.problem.total_weight
    return {
        "p": p,
        "status": _status(result),
        "gap": _r(result.gap, 6),
        "coverage_share": round(metrics.covered_orders / total, 6),
        "orders_per_day": round(metrics.covered_orders, 4),
        "p50": _r(metrics.p50, 2),
        "p90": _r(metrics.p90, 2),
        "mean": _r(metrics.mean, 2),
        "assigned_share": round(metrics.assigned_share, 6),
        "monthly_rent_won": metrics.monthly_rent_won,
        "new_sites": [str(k) for k in result.new_sites],
    }


def result_json(
    inputs: PlanInputs,
    result: SitingResult,
    *,
    curve: list[dict[str, object]] | None = None,
    seconds: float | None = None,
    problem: SitingProblem | None = None,
) -> dict[str, object]:
    """The RESULT JSON for ``result`` (a plan or a no-plan: then the open hubs alone serve);
    ``problem``: the one it was solved on (default the inputs')."""
    metrics = evaluate(inputs, result, problem=problem)
    demand = inputs.demand
    total_orders = inputs.problem.total_weight
    hh_known = all(d.households is not None for d in demand)
    total_hh = sum(d.households or 0.0 for d in demand) if hh_known else None
    candidates = inputs.candidates
    position = {c.key: j for j, c in enumerate(candidates)}
    sites = []
    over: list[str] = []
    for key in result.sites:
        j = position[str(key)]
        c = candidates[j]
        load = float(metrics.load_orders[j])
        # 0.5 % slack: HiGHS's feasibility tolerance under capacities.
        over_capacity = load > c.capacity_per_day * 1.005
        if over_capacity:
            over.append(f"{c.name} {load:,.0f} a day against a capacity of {c.capacity_per_day:,.0f}")
        sites.append(
            {
                "key": c.key,
                "kind": "existing" if c.existing else "new",
                "space_id": c.space_id,
                "hub_slug": c.hub_slug,
                "name": c.name,
                "address": c.address,
                "lat": c.lat,
                "lng": c.lng,
                "floor_area_m2": c.floor_area_m2,
                "monthly_rent_won": c.monthly_rent_won,
                "available_from": c.available_from.isoformat() if c.available_from else None,
                "capacity_per_day": round(c.capacity_per_day, 3),
                "orders_per_day": round(float(metrics.load_orders[j]), 4),
                "households": round(float(metrics.load_households[j]), 2) if hh_known else None,
                "cells": int(metrics.load_cells[j]),
                "can_community": c.can_community,
                "can_popup": c.can_popup,
                "can_stay": c.can_stay,
                "over_capacity": over_capacity,
            }
        )
    cells = []
    for i, d in enumerate(demand):
        site = int(metrics.nearest[i])
        cells.append(
            {
                "cell": d.cell,
                "orders_per_day": round(d.orders_per_day, 4),
                "households": _r(d.households, 2),
                "site": str(candidates[site].key) if site >= 0 else None,
                "minutes": round(float(metrics.minutes[i]), 2) if site >= 0 else None,
            }
        )
    message = result.message
    if inputs.notes:
        message = "; ".join([message, *inputs.notes]) if message else "; ".join(inputs.notes)
    if over:
        over_note = "over capacity without capacities: " + ", ".join(over) + " (plan with capacities)"
        message = f"{message}; {over_note}" if message else over_note
    return {
        "model": inputs.params.model,
        "status": _status(result),
        "optimal": result.optimal,
        "gap": _r(result.gap, 6),
        "objective": _r(result.objective, 6),
        "seconds": round(result.seconds if seconds is None else seconds, 3),
        "message": message,
        "parameters": inputs.params.to_json(),
        "demand": {
            "orders_per_day": round(total_orders, 4),
            "households": _r(total_hh, 2),
            "cells": len(demand),
        },
        "coverage": {
            "share": round(metrics.covered_orders / total_orders, 6),
            "orders_per_day": round(metrics.covered_orders, 4),
            "households": _r(metrics.covered_households, 2),
        },
        "travel": {
            "p50": _r(metrics.p50, 2),
            "p90": _r(metrics.p90, 2),
            "mean": _r(metrics.mean, 2),
            "assigned_share": round(metrics.assigned_share, 6),
        },
        "rent": {
            "monthly_won": metrics.monthly_rent_won,
            "per_covered_household_won": per_household(metrics.monthly_rent_won, metrics.households_added),
            "households_added": _r(metrics.households_added, 2),
        },
        "sites": sites,
        "cells": cells,
        "curve": curve or [],
    }
