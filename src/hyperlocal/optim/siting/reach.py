"""Helpers that build a ``Reach``: from planar coordinates and a radius (benchmarks, tests),
or from any travel function (the caller's travel-time model)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from .problem import CandidateSite, DemandPoint, Reach, SitingInputError, SitingProblem, finite_number

__all__ = ["planar_problem", "reach_from_planar", "reach_from_travel"]

# Rows of the distance matrix computed at once (bounds the memory to ~ CHUNK x sites floats).
CHUNK = 2048


def _coordinates(values: npt.ArrayLike, what: str) -> npt.NDArray[np.float64]:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2:
        raise SitingInputError(f"{what} must be an (n, 2) array of x, y coordinates")
    if not np.all(np.isfinite(array)):
        raise SitingInputError(f"{what} must be finite numbers")
    return array


def reach_from_planar(demand_xy: npt.ArrayLike, site_xy: npt.ArrayLike, radius: float) -> Reach:
    """Pairs within ``radius`` (Euclidean, inclusive) of planar points; travel = distance."""
    radius = finite_number(radius, "the radius")
    points = _coordinates(demand_xy, "the demand coordinates")
    sites = _coordinates(site_xy, "the site coordinates")
    counts: list[npt.NDArray[np.int64]] = []
    site_parts: list[npt.NDArray[np.int64]] = []
    travel_parts: list[npt.NDArray[np.float64]] = []
    for begin in range(0, len(points), CHUNK):
        block = points[begin : begin + CHUNK]
        distance = np.sqrt(((block[:, None, :] - sites[None, :, :]) ** 2).sum(axis=2))
        rows, cols = np.nonzero(distance <= radius)
        counts.append(np.bincount(rows, minlength=len(block)).astype(np.int64))
        site_parts.append(cols.astype(np.int64))
        travel_parts.append(distance[rows, cols])
    start = np.zeros(len(points) + 1, dtype=np.int64)
    if counts:
        start[1:] = np.cumsum(np.concatenate(counts))
    empty_i = np.zeros(0, dtype=np.int64)
    empty_f = np.zeros(0, dtype=np.float64)
    return Reach(
        start,
        np.concatenate(site_parts) if site_parts else empty_i,
        np.concatenate(travel_parts) if travel_parts else empty_f,
    )


def reach_from_travel(
    demand: Sequence[DemandPoint],
    sites: Sequence[CandidateSite],
    travel: Callable[[DemandPoint, CandidateSite], float],
    max_travel: float,
) -> Reach:
    """Pairs whose ``travel(point, site)`` is at most ``max_travel`` (one call per pair)."""
    max_travel = finite_number(max_travel, "the maximum travel")
    rows: list[dict[int, float]] = []
    for point in demand:
        row: dict[int, float] = {}
        for j, site in enumerate(sites):
            value = travel(point, site)
            if value != value or value < 0:  # NaN or negative
                raise SitingInputError(f"travel from {point.id!r} to {site.id!r} is {value}: expected >= 0")
            if value <= max_travel:
                row[j] = float(value)
        rows.append(row)
    return Reach.from_rows(rows)


def planar_problem(
    demand_xy: npt.ArrayLike,
    weights: Sequence[float] | npt.ArrayLike,
    site_xy: npt.ArrayLike,
    radius: float,
    *,
    rent: Sequence[int] | None = None,
    capacity: Sequence[float | None] | None = None,
    fixed_open: Sequence[bool] | None = None,
) -> SitingProblem:
    """A problem on the plane: demand point i and site j get ids i and j (their rows)."""
    reach = reach_from_planar(demand_xy, site_xy, radius)
    weight_list = np.asarray(weights, dtype=np.float64).tolist()
    count = len(reach.start) - 1
    if len(weight_list) != count:
        raise SitingInputError(f"expected {count} weights, one per demand point, got {len(weight_list)}")
    sites = len(_coordinates(site_xy, "the site coordinates"))
    for name, values in (("rent", rent), ("capacity", capacity), ("fixed_open", fixed_open)):
        if values is not None and len(values) != sites:
            raise SitingInputError(f"expected {sites} values of {name}, one per site, got {len(values)}")
    return SitingProblem(
        tuple(DemandPoint(i, w) for i, w in enumerate(weight_list)),
        tuple(
            CandidateSite(
                j,
                capacity=_capacity(capacity, j),
                rent=None if rent is None else int(rent[j]),
                fixed_open=False if fixed_open is None else bool(fixed_open[j]),
            )
            for j in range(sites)
        ),
        reach,
    )


def _capacity(capacity: Sequence[float | None] | None, j: int) -> float | None:
    value = None if capacity is None else capacity[j]
    return None if value is None else float(value)
