"""The RESULT JSON of a plan: what it opens, what it covers, how fast, at what rent.

Stored as is in ``SitePlan.result`` and rendered by the page, the export and the API:

    {"model", "status", "optimal", "gap", "objective", "seconds", "message", "parameters",
     "demand": {"orders_per_day", "households", "cells"},
     "coverage": {"share", "orders_per_day", "households"},
     "travel": {"p50", "p90"},           # demand-weighted minutes to the nearest open site, covered demand
     "rent": {"monthly_won", "per_covered_household_won", "households_served"},
     "sites": [...], "cells": [...], "curve": [...]}

A cell is covered when an open site is within the promise; each cell goes to its nearest
open site (p-median: within twice the promise). Under capacities the sites' loads and the
covered demand are the solver's split.

Rent per covered household is the new sites' rent over the households those new sites serve:
what each newly served household costs a month. Existing hubs pay no new rent and their
households are not counted, so a plan whose new sites add nobody has no such figure.

Without capacities a site may be given more orders than its warehouse can pack; such sites
are flagged ``over_capacity`` and the message says so, because the plan then promises more
than the floor can deliver."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import numpy.typing as npt

from hyperlocal.optim.siting import SitingResult
from hyperlocal.planning.services.inputs import PlanInputs

__all__ = ["PlanMetrics", "curve_point", "evaluate", "result_json", "weighted_quantile"]

FloatArray = npt.NDArray[np.float64]


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


def per_household(monthly_won: int, households: float | None) -> int | None:
    """Rent over households, rounded half up to the won; None without households."""
    if households is None or households <= 0:
        return None
    value = Decimal(monthly_won) / Decimal(repr(float(households)))
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class PlanMetrics:
    """How one plan serves the demand (arrays by demand position, loads by site position)."""

    open_sites: npt.NDArray[np.bool_]
    nearest: npt.NDArray[np.int64]  # site position or -1
    minutes: FloatArray  # inf where no open site is in reach
    covered: npt.NDArray[np.bool_]
    covered_orders: float
    covered_households: float | None
    p50: float | None
    p90: float | None
    load_orders: FloatArray
    load_households: FloatArray
    load_cells: npt.NDArray[np.int64]
    monthly_rent_won: int
    new_households: float | None  # households the new sites serve


def evaluate(inputs: PlanInputs, result: SitingResult) -> PlanMetrics:
    problem = inputs.problem
    reach = problem.reach
    position = {site.id: j for j, site in enumerate(problem.sites)}
    open_sites = np.zeros(len(problem.sites), dtype=bool)
    for key in result.sites:
        open_sites[position[key]] = True
    pair_point = reach.point_of_pair()
    live = open_sites[reach.site]
    order = np.lexsort((reach.travel[live], pair_point[live]))
    first_point, first = np.unique(pair_point[live][order], return_index=True)
    points = len(problem.demand)
    nearest = np.full(points, -1, dtype=np.int64)
    minutes = np.full(points, np.inf)
    nearest[first_point] = reach.site[live][order][first]
    minutes[first_point] = reach.travel[live][order][first]
    weights = problem.weights
    hh_known = all(d.households is not None for d in inputs.demand)
    households = np.array([d.households or 0.0 for d in inputs.demand], dtype=np.float64)
    covered = minutes <= inputs.params.promise_minutes
    covered_orders = float(weights[covered].sum())
    covered_hh = float(households[covered].sum())
    assigned = nearest >= 0
    sites = len(problem.sites)
    load_orders = np.bincount(nearest[assigned], weights=weights[assigned], minlength=sites).astype(
        np.float64
    )
    load_hh = np.bincount(nearest[assigned], weights=households[assigned], minlength=sites).astype(np.float64)
    load_cells = np.bincount(nearest[assigned], minlength=sites).astype(np.int64)
    if inputs.params.capacitated and result.has_plan:
        served = np.zeros(sites)
        for key, weight in result.assignment.items():
            served[position[key]] = weight
        if inputs.params.model == "mclp":
            # The solver's split within the promise: what capacity lets each site serve.
            scale = result.covered_weight / covered_orders if covered_orders > 0 else 0.0
            covered_orders, covered_hh = result.covered_weight, covered_hh * min(scale, 1.0)
        ratio = np.divide(served, load_orders, out=np.zeros(sites), where=load_orders > 0)
        load_hh, load_orders = load_hh * np.minimum(ratio, 1.0), served
    new_positions = [position[key] for key in result.new_sites if not problem.sites[position[key]].fixed_open]
    rent = sum(int(problem.sites[j].rent or 0) for j in new_positions)
    new_households = float(load_hh[new_positions].sum()) if new_positions else 0.0
    return PlanMetrics(
        open_sites=open_sites,
        nearest=nearest,
        minutes=minutes,
        covered=covered,
        covered_orders=covered_orders,
        covered_households=covered_hh if hh_known else None,
        p50=weighted_quantile(minutes[covered], weights[covered], 0.5),
        p90=weighted_quantile(minutes[covered], weights[covered], 0.9),
        load_orders=load_orders,
        load_households=load_hh,
        load_cells=load_cells,
        monthly_rent_won=rent,
        new_households=new_households if hh_known else None,
    )


def _r(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def _status(result: SitingResult) -> str:
    return str(result.status.value)


def curve_point(inputs: PlanInputs, p: int, result: SitingResult) -> dict[str, object]:
    metrics = evaluate(inputs, result)
    total = inputs.problem.total_weight
    return {
        "p": p,
        "status": _status(result),
        "gap": _r(result.gap, 6),
        "coverage_share": round(metrics.covered_orders / total, 6),
        "orders_per_day": round(metrics.covered_orders, 4),
        "p50": _r(metrics.p50, 2),
        "p90": _r(metrics.p90, 2),
        "monthly_rent_won": metrics.monthly_rent_won,
        "new_sites": [str(k) for k in result.new_sites],
    }


def result_json(
    inputs: PlanInputs,
    result: SitingResult,
    *,
    curve: list[dict[str, object]] | None = None,
    seconds: float | None = None,
) -> dict[str, object]:
    """The RESULT JSON for ``result`` (a plan or a no-plan: then the open hubs alone serve)."""
    metrics = evaluate(inputs, result)
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
        "travel": {"p50": _r(metrics.p50, 2), "p90": _r(metrics.p90, 2)},
        "rent": {
            "monthly_won": metrics.monthly_rent_won,
            "per_covered_household_won": per_household(metrics.monthly_rent_won, metrics.new_households),
            "households_served": _r(metrics.new_households, 2),
        },
        "sites": sites,
        "cells": cells,
        "curve": curve or [],
    }
