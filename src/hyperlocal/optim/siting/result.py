"""What every siting model returns: the plan, how good it is proven to be, and what it serves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from .problem import FloatArray, IntArray, Key, Reach, SitingProblem

__all__ = ["SitingResult", "SolveStatus", "covering_message", "evaluate_plan", "no_plan", "plan_result"]


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"  # proven within the relative gap tolerance
    TIME_LIMIT_WITH_PLAN = "time_limit_with_plan"  # the best plan found in time, with its gap
    TIME_LIMIT_NO_PLAN = "time_limit_no_plan"
    INFEASIBLE = "infeasible"  # ``message`` names the constraint
    HEURISTIC = "heuristic"  # the greedy heuristic alone: a plan without a proof


@dataclass(frozen=True)
class SitingResult:
    """``objective`` is the model's own (covered weight, number of new sites, or weighted
    travel); ``best_bound`` the solver's proven bound on it and ``gap`` the relative gap
    |objective - bound| / |objective| as HiGHS reports it. ``assignment`` is the demand
    weight each open site serves (the nearest open site in reach, or the solver's split
    under capacities); ``unservable`` the demand points no candidate reaches (p-median)."""

    model: str
    status: SolveStatus
    new_sites: tuple[Key, ...]
    fixed_sites: tuple[Key, ...]
    objective: float | None
    best_bound: float | None
    gap: float | None
    covered_weight: float
    covered_share: float
    assignment: Mapping[Key, float]
    seconds: float
    message: str
    unservable: tuple[Key, ...] = ()
    sizes: Mapping[str, int] = field(default_factory=dict)

    @property
    def sites(self) -> tuple[Key, ...]:
        """Every open site of the plan: the new ones, then the fixed ones."""
        return self.new_sites + self.fixed_sites

    @property
    def has_plan(self) -> bool:
        return self.status not in (SolveStatus.TIME_LIMIT_NO_PLAN, SolveStatus.INFEASIBLE)

    @property
    def optimal(self) -> bool:
        return self.status is SolveStatus.OPTIMAL


def evaluate_plan(reach: Reach, weights: FloatArray, open_sites: np.ndarray) -> tuple[IntArray, FloatArray]:
    """For each demand point, the nearest open site in ``reach`` (-1 for none) and its travel."""
    points = len(weights)
    pair_point = reach.point_of_pair()
    live = open_sites[reach.site]
    order = np.lexsort((reach.travel[live], pair_point[live]))
    first_point, first = np.unique(pair_point[live][order], return_index=True)
    nearest = np.full(points, -1, dtype=np.int64)
    travel = np.full(points, np.inf)
    nearest[first_point] = reach.site[live][order][first]
    travel[first_point] = reach.travel[live][order][first]
    return nearest, travel


def plan_result(
    problem: SitingProblem,
    model: str,
    status: SolveStatus,
    new_positions: Sequence[int],
    *,
    reach: Reach,
    objective: float | None,
    bound: float | None,
    gap: float | None,
    seconds: float,
    message: str,
    served: FloatArray | None = None,
    unservable: tuple[Key, ...] = (),
    sizes: Mapping[str, int] | None = None,
) -> SitingResult:
    """A result for the plan that opens ``new_positions`` (and the fixed sites). Covered
    weight comes from ``reach`` (the promise); ``served`` (weight per site position)
    replaces the nearest-site assignment when capacities split demand."""
    sites = problem.sites
    open_sites = problem.fixed > 0
    new = sorted({int(j) for j in new_positions})
    open_sites[new] = True
    nearest, _ = evaluate_plan(reach, problem.weights, open_sites)
    if served is None:
        covered = nearest >= 0
        served = np.bincount(nearest[covered], weights=problem.weights[covered], minlength=len(sites)).astype(
            np.float64
        )
    covered_weight = float(served.sum())
    opened = np.nonzero(open_sites)[0]
    return SitingResult(
        model=model,
        status=status,
        new_sites=tuple(sites[j].id for j in new),
        fixed_sites=tuple(s.id for s in sites if s.fixed_open),
        objective=objective,
        best_bound=bound,
        gap=gap,
        covered_weight=covered_weight,
        covered_share=covered_weight / problem.total_weight,
        assignment={sites[j].id: float(served[j]) for j in opened},
        seconds=seconds,
        message=message,
        unservable=unservable,
        sizes=dict(sizes or {}),
    )


def no_plan(
    problem: SitingProblem,
    model: str,
    status: SolveStatus,
    *,
    seconds: float,
    message: str,
    bound: float | None = None,
    sizes: Mapping[str, int] | None = None,
) -> SitingResult:
    return SitingResult(
        model=model,
        status=status,
        new_sites=(),
        fixed_sites=tuple(s.id for s in problem.sites if s.fixed_open),
        objective=None,
        best_bound=bound,
        gap=None,
        covered_weight=0.0,
        covered_share=0.0,
        assignment={},
        seconds=seconds,
        message=message,
        sizes=dict(sizes or {}),
    )


def covering_message(
    result: SitingResult,
    *,
    p: int,
    adding: int,
    budget: int | None,
    stopped: str | None,
    what: str = "",
    cheapest: bool = False,
) -> str:
    """One line for a covering plan: what it covers, how sure that is, and why it stopped
    (``cheapest``: the sites beyond those that add coverage were chosen by rent)."""
    covered = f"{result.covered_weight:,.1f} ({100 * result.covered_share:.2f} %)"
    parts = [f"{len(result.new_sites)} new sites cover {covered}{what}"]
    if result.optimal:
        parts.append(f"proven optimal (gap {100 * (result.gap or 0.0):.4f} %)")
    else:
        reason = "the time limit" if stopped in (None, "time_limit") else f"HiGHS ({stopped})"
        gap = "unknown" if result.gap is None else f"{100 * result.gap:.4f} %"
        parts.append(f"stopped by {reason}: the best plan found, gap {gap}")
    if adding < p:
        others = "the others are chosen for rent" if cheapest else "the others reach the most weight anyway"
        parts.append(f"only {adding} of the p={p} new sites add coverage; {others}")
    if budget is not None:
        parts.append(f"within the rent budget of {budget:,} won")
    return "; ".join(parts)
