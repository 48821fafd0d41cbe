"""Everything a siting model needs, read from the database once: the region, its zone rule,
demand per cell, candidate sites and the sparse travel between them (``SitingProblem``)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

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
from hyperlocal.planning.services.parameters import PlanParameters
from hyperlocal.planning.services.zoning import zone_rule_for
from hyperlocal.regions.models import Region

__all__ = ["PlanInputs", "Progress", "build_inputs", "reach_limit", "travel_reach"]

Progress = Callable[[str, float | None], None]  # (what is happening, fraction done 0..1 or None)

# Travel matrices are computed in blocks of at most this many site-cell entries.
MATRIX_CHUNK = 2_000_000
# p-median assigns every cell to an open site: it keeps every pair while sites x cells stay
# below P_MEDIAN_ALL_PAIRS (a district), and beyond that the pairs within P_MEDIAN_REACH
# times the promise (cells farther from every site are then left out as unservable).
P_MEDIAN_ALL_PAIRS = 1_000_000
P_MEDIAN_REACH = 2.0


@dataclass(frozen=True)
class PlanInputs:
    params: PlanParameters
    region: Region
    rule: ZoneSplitRule
    demand: list[CellDemand]
    candidates: list[Candidate]
    problem: SitingProblem
    notes: tuple[str, ...] = ()

    @property
    def new_candidates(self) -> int:
        return sum(1 for c in self.candidates if not c.existing)


def reach_limit(params: PlanParameters, pairs: int = 0) -> float:
    """The longest ride kept as a pair: the promise for the covering models; for p-median
    every pair (inf) up to ``P_MEDIAN_ALL_PAIRS`` possible pairs, else twice the promise."""
    if params.model != "p_median":
        return params.promise_minutes
    return math.inf if pairs <= P_MEDIAN_ALL_PAIRS else params.promise_minutes * P_MEDIAN_REACH


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


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise InvalidInput(f"there is no region with code {code!r}", field="region_code")
    return region


def build_inputs(
    params: PlanParameters,
    *,
    model: TravelTimeModel | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> PlanInputs:
    """Reads demand and candidates and computes the travel between them; writes nothing.
    InvalidInput for p above the number of new candidates, no demand, no candidate."""
    region = _region(params.region_code)
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
    try:
        reach = travel_reach(
            travel,
            [Point(c.lat, c.lng) for c in candidates],
            [cell_centre(d.cell) for d in demand],
            Mode(params.mode),
            reach_limit(params, len(candidates) * len(demand)),
        )
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
    return PlanInputs(params, region, rule, demand, candidates, problem, tuple(notes))
