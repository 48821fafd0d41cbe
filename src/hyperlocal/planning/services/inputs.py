"""Everything a siting model needs, read from the database once: the region, its zone rule,
demand per cell, candidate sites and the sparse travel between them (``SitingProblem``)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from hyperlocal.errors import InvalidInput
from hyperlocal.geo import Mode, Point, TravelTimeModel, TravelTimeUnavailable, cell_centre
from hyperlocal.hubs.errors import ServiceAreaUnavailable
from hyperlocal.hubs.services.service_area import default_travel_model
from hyperlocal.optim.siting import CandidateSite, DemandPoint, Reach, SitingInputError, SitingProblem
from hyperlocal.planning.models import ZoneSplitRule
from hyperlocal.planning.services.candidates import Candidate, candidate_sites
from hyperlocal.planning.services.demand import CellDemand, build_demand
from hyperlocal.planning.services.parameters import PlanParameters, region_for
from hyperlocal.planning.services.zoning import zone_rule_for
from hyperlocal.regions.models import Region

__all__ = [
    "MedianPairs",
    "PlanInputs",
    "Progress",
    "build_inputs",
    "cheapest_sites",
    "nearest_count",
    "reach_limit",
    "travel_reach",
]

FloatArray = npt.NDArray[np.floating[Any]]
BoolArray = npt.NDArray[np.bool_]

Progress = Callable[[str, float | None], None]  # (what is happening, fraction done 0..1 or None)

# Travel matrices are computed in blocks of at most this many site-cell entries.
MATRIX_CHUNK = 2_000_000
# p-median assigns every cell to an open site, but keeping every site-cell pair makes the
# MILP slow (the demo's 274 cells x 146 spaces: 40,000 pairs, 22 s for p=1). For p new sites
# and F open hubs each cell keeps its k nearest sites, k = max(P_MEDIAN_NEAREST,
# P_MEDIAN_SPREAD x sites / (p + F)) (with p + F open sites a cell's nearest open one is
# seldom farther down its list; p=1 needs no more than the minimum, see MedianPairs), the
# open hubs within P_MEDIAN_REACH times the promise, and its nearest site in the greedy
# plan of p sites, so that the model always has that plan and a cell that reaches any site
# keeps a pair. The greedy plan ignores rent and capacities: with a budget each cell also
# keeps its pairs to the p cheapest new sites (the plan most likely within the budget), and
# when the pairs kept leave no plan the runner solves again on every pair
# (``PlanInputs.full_problem_for``), so that the reduction never reports a feasible plan
# infeasible.
P_MEDIAN_NEAREST = 25
P_MEDIAN_SPREAD = 2.0
P_MEDIAN_REACH = 2.0
# Beyond this many entries the matrix is not kept: the nearest sites and the open hubs
# within reach only (no greedy plans).
P_MEDIAN_MATRIX_ENTRIES = 10_000_000
# Stands for "out of reach" in the greedy plans' sums (minutes).
FAR = 1e6


def nearest_count(sites: int, p: int, fixed: int) -> int:
    """How many nearest sites each cell keeps for p-median with p new and ``fixed`` open sites."""
    if p <= 1:
        return min(sites, P_MEDIAN_NEAREST)
    return min(sites, max(P_MEDIAN_NEAREST, math.ceil(P_MEDIAN_SPREAD * sites / (p + fixed))))


def _nearest_mask(
    minutes: FloatArray, fixed: BoolArray, promise: float, k: int, always: tuple[int, ...] = ()
) -> BoolArray:
    """Each cell's k nearest sites, the open hubs within P_MEDIAN_REACH x the promise and the
    ``always`` sites (each where in reach)."""
    finite = np.isfinite(minutes)
    keep = np.zeros(minutes.shape, dtype=bool)
    k = min(k, minutes.shape[1])
    if k >= minutes.shape[1]:
        keep[:] = True
    elif k > 0 and minutes.shape[0] > 0:
        nearest = np.argpartition(minutes, k - 1, axis=1)[:, :k]
        np.put_along_axis(keep, nearest, True, axis=1)
    if always:
        keep[:, list(always)] = True
    keep &= finite
    keep |= finite & fixed[None, :] & (minutes <= promise * P_MEDIAN_REACH)
    return keep


def cheapest_sites(candidates: list[Candidate], count: int) -> tuple[int, ...]:
    """Positions of the ``count`` new candidates with the lowest rent (ties: in order)."""
    new = [j for j, c in enumerate(candidates) if not c.existing]
    new.sort(key=lambda j: (candidates[j].monthly_rent_won or 0, j))
    return tuple(new[: max(0, count)])


def _reach_of(keep: BoolArray, minutes: FloatArray) -> Reach:
    rows, cols = np.nonzero(keep)  # row-major: grouped by cell, sites in order
    start = np.concatenate([[0], np.cumsum(keep.sum(axis=1))]).astype(np.int64)
    return Reach(start, cols.astype(np.int64), minutes[rows, cols].astype(np.float64))


def _greedy(minutes: FloatArray, weights: FloatArray, fixed: BoolArray, picks: int) -> tuple[int, ...]:
    """Greedy p-median: with the open sites, one new site at a time, the one that saves the
    most weighted travel (reaching a cell first counts as saving FAR minutes)."""
    far = np.where(np.isfinite(minutes), minutes, FAR)
    current = far[:, fixed].min(axis=1) if fixed.any() else np.full(len(far), FAR)
    chosen = fixed.copy()
    order: list[int] = []
    for _ in range(min(picks, int((~chosen).sum()))):
        saving = (np.maximum(current[:, None] - far, 0.0) * weights[:, None]).sum(axis=0)
        saving[chosen] = -1.0
        j = int(np.argmax(saving))
        chosen[j] = True
        order.append(j)
        current = np.minimum(current, far[:, j])
    return tuple(order)


@dataclass(frozen=True, eq=False)
class MedianPairs:
    """The travel matrix of a p-median plan (cells x sites, float32, inf out of reach) and its
    greedy order, from which each p gets its pairs. With p=1, no budget and no capacities the
    kept pairs lose nothing: the greedy first site is the best single site, and every cell
    keeps its pair to it. Rent and capacities can rule the greedy plan out; then the pairs
    kept may hold no plan where every pair does (``every``, solved again by the runner)."""

    minutes: FloatArray
    fixed: BoolArray
    promise: float
    greedy: tuple[int, ...]
    # New sites by rent, cheapest first, with a budget (each p keeps the p first); else ().
    cheapest: tuple[int, ...] = ()

    def reach(self, p: int) -> Reach:
        k = nearest_count(self.minutes.shape[1], p, int(self.fixed.sum()))
        keep = _nearest_mask(self.minutes, self.fixed, self.promise, k, self.cheapest[:p])
        plan = self.fixed.copy()
        plan[list(self.greedy[:p])] = True
        if plan.any():
            far = np.where(np.isfinite(self.minutes), self.minutes, np.inf)
            columns = np.nonzero(plan)[0]
            best = columns[np.argmin(far[:, columns], axis=1)]
            rows = np.arange(len(far))
            keep[rows, best] |= np.isfinite(far[rows, best])
        return _reach_of(keep, self.minutes)

    def coverage(self) -> Reach:
        return _reach_of(np.isfinite(self.minutes) & (self.minutes <= self.promise), self.minutes)

    def every(self) -> Reach:
        """Every pair in reach, at any distance: what a p-median without reduction weighs."""
        return _reach_of(np.isfinite(self.minutes), self.minutes)

    @property
    def pairs(self) -> int:
        return int(np.isfinite(self.minutes).sum())


def _matrix(model: TravelTimeModel, sites: list[Point], cells: list[Point], mode: Mode) -> FloatArray:
    """Minutes cell x site (float32 to halve the memory), computed in blocks of cells."""
    step = max(1, MATRIX_CHUNK // max(1, len(sites)))
    out = np.empty((len(cells), len(sites)), dtype=np.float32)
    for first in range(0, len(cells), step):
        block = np.asarray(model.minutes(sites, cells[first : first + step], mode), dtype=np.float64).T
        out[first : first + step] = np.where(np.isfinite(block), np.maximum(block, 0.0), np.inf)
    return out


def _blocked_median_reach(
    model: TravelTimeModel,
    sites: list[Point],
    cells: list[Point],
    mode: Mode,
    *,
    promise: float,
    fixed: BoolArray,
    k: int,
    always: tuple[int, ...] = (),
) -> tuple[Reach, Reach]:
    """A city too large to keep the matrix: per block of cells, the nearest sites, the open
    hubs within reach and the ``always`` sites (the solver's pairs), and the pairs within the
    promise (coverage)."""
    step = max(1, MATRIX_CHUNK // max(1, len(sites)))
    solver: list[Reach] = []
    cover: list[Reach] = []
    for first in range(0, len(cells), step):
        block = _matrix(model, sites, cells[first : first + step], mode)
        solver.append(_reach_of(_nearest_mask(block, fixed, promise, k, always), block))
        cover.append(_reach_of(np.isfinite(block) & (block <= promise), block))
    return _joined(solver), _joined(cover)


def _joined(parts: list[Reach]) -> Reach:
    if not parts:
        return Reach(np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    offsets = np.cumsum([0] + [r.pairs for r in parts[:-1]])
    start = np.concatenate([[0]] + [r.start[1:] + o for r, o in zip(parts, offsets, strict=True)])
    return Reach(
        start.astype(np.int64),
        np.concatenate([r.site for r in parts]),
        np.concatenate([r.travel for r in parts]),
    )


@dataclass(frozen=True)
class PlanInputs:
    params: PlanParameters
    region: Region
    rule: ZoneSplitRule
    demand: list[CellDemand]
    candidates: list[Candidate]
    problem: SitingProblem
    notes: tuple[str, ...] = ()
    # p-median: the pairs within the promise (coverage is counted on these), and the matrix
    # from which another p gets its pairs; None for the covering models (the problem's reach).
    coverage: Reach | None = None
    median: MedianPairs | None = None

    def problem_for(self, p: int) -> SitingProblem:
        """The problem for p new sites: p-median's pairs depend on p; the others' do not."""
        if self.median is None or p == self.params.p:
            return self.problem
        return SitingProblem(self.problem.demand, self.problem.sites, self.median.reach(p))

    def full_problem_for(self, p: int) -> SitingProblem | None:
        """p-median on every pair in reach, when the pairs ``problem_for(p)`` keeps are fewer
        (None: nothing was left out, a covering model, or a city too large for the matrix)."""
        if self.median is None or self.problem_for(p).reach.pairs >= self.median.pairs:
            return None
        return SitingProblem(self.problem.demand, self.problem.sites, self.median.every())

    @property
    def coverage_reach(self) -> Reach:
        return self.problem.reach if self.coverage is None else self.coverage

    @property
    def new_candidates(self) -> int:
        return sum(1 for c in self.candidates if not c.existing)


def reach_limit(params: PlanParameters) -> float:
    """The longest ride kept as a pair by the covering models: the promise (p-median: see
    ``median_reach``)."""
    return params.promise_minutes


def _say(progress: Progress | None, what: str, fraction: float | None) -> None:
    if progress is not None:
        progress(what, fraction)


def travel_reach(
    model: TravelTimeModel, sites: list[Point], cells: list[Point], mode: Mode, limit: float
) -> Reach:
    """Pairs (cell, site) with ride minutes <= limit, one compressed row per cell; the matrix
    is computed in blocks of cells so that a city-sized input stays in memory."""
    step = max(1, MATRIX_CHUNK // max(1, len(sites)))
    starts = [np.zeros(1, dtype=np.int64)]
    site_parts: list[npt.NDArray[np.int64]] = []
    travel_parts: list[npt.NDArray[np.float64]] = []
    offset = 0
    for first in range(0, len(cells), step):
        block = np.asarray(model.minutes(sites, cells[first : first + step], mode), dtype=np.float64).T
        keep = np.isfinite(block) & (block <= limit)
        rows, cols = np.nonzero(keep)  # row-major: grouped by cell, as Reach wants
        counts = keep.sum(axis=1).astype(np.int64)
        starts.append(offset + np.cumsum(counts))
        offset += int(counts.sum())
        site_parts.append(cols.astype(np.int64))
        travel_parts.append(np.maximum(block[rows, cols], 0.0))
    start = np.concatenate(starts)
    site = np.concatenate(site_parts) if site_parts else np.zeros(0, dtype=np.int64)
    travel = np.concatenate(travel_parts) if travel_parts else np.zeros(0, dtype=np.float64)
    return Reach(start, site, travel)


def build_inputs(
    params: PlanParameters,
    *,
    model: TravelTimeModel | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> PlanInputs:
    """Reads demand and candidates and computes the travel between them; writes nothing.
    InvalidInput for p above the number of new candidates, no demand, no candidate."""
    region = region_for(params.region_code)
    rule = zone_rule_for(region)
    _say(progress, "reading demand", 0.0)
    notes: list[str] = []
    demand = build_demand(region, params, now=now, notes=notes)
    _say(progress, "finding candidate spaces", 0.1)
    candidates = candidate_sites(region, params, rule)
    new = sum(1 for c in candidates if not c.existing)
    if params.uses_p and params.p > new:
        raise InvalidInput(
            f"p={params.p} is more than the {new} vacant spaces that can become hubs in {region}",
            field="p",
        )
    _say(progress, "travel times", 0.2)
    travel = model or default_travel_model()
    site_points = [Point(c.lat, c.lng) for c in candidates]
    cell_points = [cell_centre(d.cell) for d in demand]
    try:
        coverage: Reach | None = None
        median: MedianPairs | None = None
        if params.model == "p_median":
            fixed = np.array([c.existing for c in candidates], dtype=bool)
            picks = max(params.p, min(params.curve_up_to, new))
            cheapest = cheapest_sites(candidates, picks) if params.budget_won is not None else ()
            if len(candidates) * len(demand) <= P_MEDIAN_MATRIX_ENTRIES:
                minutes = _matrix(travel, site_points, cell_points, Mode(params.mode))
                weights = np.array([d.orders_per_day for d in demand], dtype=np.float64)
                median = MedianPairs(
                    minutes,
                    fixed,
                    params.promise_minutes,
                    _greedy(minutes, weights, fixed, picks),
                    cheapest,
                )
                reach, coverage = median.reach(params.p), median.coverage()
            else:
                k = nearest_count(len(candidates), params.p, int(fixed.sum()))
                reach, coverage = _blocked_median_reach(
                    travel,
                    site_points,
                    cell_points,
                    Mode(params.mode),
                    promise=params.promise_minutes,
                    fixed=fixed,
                    k=k,
                    always=cheapest,
                )
            if reach.pairs < len(candidates) * len(demand):
                cheap = ", the cheapest sites" if cheapest else ""
                notes.append(
                    "p-median weighs each cell's nearest sites, the open hubs within "
                    f"{P_MEDIAN_REACH * params.promise_minutes:g} min{cheap} and the greedy plan's sites"
                )
        else:
            reach = travel_reach(travel, site_points, cell_points, Mode(params.mode), reach_limit(params))
    except TravelTimeUnavailable as exc:
        raise ServiceAreaUnavailable(
            f"travel times cannot be computed now, the travel-time model is unavailable ({exc}); "
            "nothing was changed"
        ) from None
    try:
        problem = SitingProblem(
            tuple(DemandPoint(d.cell, d.orders_per_day) for d in demand),
            tuple(
                CandidateSite(
                    c.key, capacity=c.capacity_per_day, rent=c.monthly_rent_won, fixed_open=c.existing
                )
                for c in candidates
            ),
            reach,
        )
    except SitingInputError as exc:
        raise InvalidInput(str(exc)) from None
    return PlanInputs(params, region, rule, demand, candidates, problem, tuple(notes), coverage, median)
