"""What a siting model decides over: weighted demand points, candidate sites, and which
sites each point can reach (a sparse travel structure built by the caller).

Everything is validated here, once, so that the models never hand HiGHS a malformed input:
bad input raises ``SitingInputError`` (a ``ValueError``) with a message that names it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = [
    "CandidateSite",
    "DemandPoint",
    "Key",
    "Reach",
    "SitingInputError",
    "SitingProblem",
]

Key = str | int
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class SitingInputError(ValueError):
    """The input cannot be solved as given (bad numbers, unknown or duplicate ids, ...)."""


def finite_number(value: float, what: str, *, minimum: float = 0.0) -> float:
    """``value`` as a float, or SitingInputError when it is NaN, infinite or below ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SitingInputError(f"{what} must be a number, not {value!r}")
    if not math.isfinite(value):
        raise SitingInputError(f"{what} must be a finite number, not {value}")
    if value < minimum:
        raise SitingInputError(f"{what} must be at least {minimum:g}, not {value:g}")
    return float(value)


@dataclass(frozen=True)
class DemandPoint:
    """A place that wants service (an H3 cell, a household): ``weight`` >= 0 in any unit
    (households, orders a day)."""

    id: Key
    weight: float

    def __post_init__(self) -> None:
        finite_number(self.weight, f"the weight of demand point {self.id!r}")


@dataclass(frozen=True)
class CandidateSite:
    """A place that can hold a hub. ``capacity`` is in demand-weight units (None: no limit),
    ``rent`` in won (None: unknown, which a rent budget refuses); ``fixed_open`` marks an
    existing hub: always open, free, not counted in p and not charged to the budget."""

    id: Key
    capacity: float | None = None
    rent: int | None = None
    fixed_open: bool = False

    def __post_init__(self) -> None:
        if self.capacity is not None:
            finite_number(self.capacity, f"the capacity of site {self.id!r}")
        if self.rent is not None and (isinstance(self.rent, bool) or not isinstance(self.rent, int)):
            raise SitingInputError(
                f"the rent of site {self.id!r} must be a whole number of won, not {self.rent!r}"
            )
        if self.rent is not None and self.rent < 0:
            raise SitingInputError(f"the rent of site {self.id!r} must be at least 0, not {self.rent}")


@dataclass(frozen=True, eq=False)
class Reach:
    """For each demand point i (by position), the sites it can reach and the travel to each:
    ``site[start[i]:start[i + 1]]`` and ``travel[start[i]:start[i + 1]]`` (compressed rows).
    Travel is in the caller's unit (minutes or km); a model's promise compares against it."""

    start: IntArray
    site: IntArray
    travel: FloatArray

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[int, float]]) -> Reach:
        """One mapping site position -> travel per demand point."""
        start = np.zeros(len(rows) + 1, dtype=np.int64)
        start[1:] = np.cumsum([len(row) for row in rows])
        site = np.fromiter((j for row in rows for j in row), dtype=np.int64, count=int(start[-1]))
        travel = np.fromiter(
            (t for row in rows for t in row.values()), dtype=np.float64, count=int(start[-1])
        )
        return cls(start, site, travel)

    @property
    def pairs(self) -> int:
        return int(self.start[-1])

    def point_of_pair(self) -> IntArray:
        """The demand point of each pair."""
        return np.repeat(np.arange(len(self.start) - 1, dtype=np.int64), np.diff(self.start))

    def within(self, promise: float | None) -> Reach:
        """Only the pairs with travel <= promise (all of them for None)."""
        if promise is None:
            return self
        keep = self.travel <= promise
        counts = np.bincount(self.point_of_pair()[keep], minlength=len(self.start) - 1)
        start = np.zeros(len(self.start), dtype=np.int64)
        start[1:] = np.cumsum(counts)
        return Reach(start, self.site[keep], self.travel[keep])


@dataclass(frozen=True, eq=False)
class SitingProblem:
    """Demand, candidate sites and the reach between them, checked for consistency."""

    demand: tuple[DemandPoint, ...]
    sites: tuple[CandidateSite, ...]
    reach: Reach
    weights: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "demand", tuple(self.demand))
        object.__setattr__(self, "sites", tuple(self.sites))
        if not self.demand:
            raise SitingInputError("there is no demand: give at least one demand point")
        if not self.sites:
            raise SitingInputError("there are no candidate sites")
        _unique([d.id for d in self.demand], "demand point")
        _unique([s.id for s in self.sites], "site")
        weights = np.array([d.weight for d in self.demand], dtype=np.float64)
        if weights.sum() <= 0:
            raise SitingInputError("the total demand weight is 0: there is nothing to serve")
        object.__setattr__(self, "weights", weights)
        _check_reach(self.reach, len(self.demand), len(self.sites))

    @classmethod
    def from_mapping(
        cls,
        demand: Sequence[DemandPoint],
        sites: Sequence[CandidateSite],
        reach: Mapping[Key, Mapping[Key, float]],
    ) -> SitingProblem:
        """``reach[demand id][site id] = travel``; points absent from ``reach`` reach nothing."""
        point_at = {d.id: i for i, d in enumerate(demand)}
        site_at = {s.id: j for j, s in enumerate(sites)}
        rows: list[dict[int, float]] = [{} for _ in demand]
        for point_id, row in reach.items():
            if point_id not in point_at:
                raise SitingInputError(
                    f"the reach names demand point {point_id!r}, which is not in the demand"
                )
            for site_id, travel in row.items():
                if site_id not in site_at:
                    raise SitingInputError(f"the reach names site {site_id!r}, which is not a candidate")
                rows[point_at[point_id]][site_at[site_id]] = travel
        return cls(tuple(demand), tuple(sites), Reach.from_rows(rows))

    @property
    def total_weight(self) -> float:
        return float(self.weights.sum())

    @property
    def fixed(self) -> FloatArray:
        """1.0 for each site that is already open, else 0.0 (by position)."""
        return np.array([s.fixed_open for s in self.sites], dtype=np.float64)


def _unique(ids: list[Key], what: str) -> None:
    seen: set[Key] = set()
    for key in ids:
        if key in seen:
            raise SitingInputError(f"{what} id {key!r} appears more than once")
        seen.add(key)


def _check_reach(reach: Reach, points: int, sites: int) -> None:
    start, site, travel = reach.start, reach.site, reach.travel
    if start.shape != (points + 1,) or start[0] != 0 or np.any(np.diff(start) < 0):
        raise SitingInputError(f"the reach must have {points + 1} non-decreasing row starts from 0")
    if site.shape != (int(start[-1]),) or travel.shape != site.shape:
        raise SitingInputError("the reach's site and travel arrays must hold one entry per pair")
    if site.size and (site.min() < 0 or site.max() >= sites):
        raise SitingInputError(f"the reach names a site position outside 0..{sites - 1}")
    if not np.all(np.isfinite(travel)) or np.any(travel < 0):
        raise SitingInputError("every travel time in the reach must be a finite number >= 0")
    pair_key = reach.point_of_pair() * sites + site
    if np.unique(pair_key).size != pair_key.size:
        raise SitingInputError("the reach lists a point-site pair more than once")
