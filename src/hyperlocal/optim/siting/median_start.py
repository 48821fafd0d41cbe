"""A warm start for p-median: greedy additions, then the assignment of every point.

Each step opens the site that lowers the weighted travel the most, counting a point that
no open site reaches at a penalty above any travel, so that reaching every point comes
first. Under capacities the heaviest points are placed first at the nearest site with room;
when some point finds none, only the site choice is returned (HiGHS completes it)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .problem import FloatArray, Reach

__all__ = ["MedianStart", "median_start"]


@dataclass(frozen=True, eq=False)
class MedianStart:
    open_sites: np.ndarray  # booleans per site (the fixed ones included)
    share: FloatArray | None  # per pair of the reach, or None when no assignment was found


def median_start(
    reach: Reach,
    weight: FloatArray,
    fixed: np.ndarray,
    p: int,
    capacity: FloatArray,
    *,
    rent: FloatArray | None = None,
    budget: int | None = None,
) -> MedianStart:
    """``reach`` holds only servable points (each reaches a site); ``weight`` is theirs.
    With ``rent`` and ``budget``, each step picks among the sites that leave enough of the
    budget for the cheapest sites still to open (the caller checked that p of them fit)."""
    point = reach.point_of_pair()
    penalty = 2.0 * float(reach.travel.max(initial=0.0)) + 1.0
    open_sites = fixed.copy()
    for step in range(p):
        current = _nearest_travel(reach, point, open_sites, len(weight), penalty)
        saving = np.maximum(current[point] - reach.travel, 0.0) * weight[point]
        gain = np.bincount(reach.site, weights=saving, minlength=len(fixed))
        gain[open_sites] = -1.0
        if rent is not None and budget is not None:
            gain[~_affordable(rent, open_sites & ~fixed, open_sites, budget, p - step - 1)] = -np.inf
        open_sites[int(np.argmax(gain))] = True
    return MedianStart(open_sites, _assign(reach, point, weight, open_sites, capacity))


def _affordable(
    rent: FloatArray, new: np.ndarray, open_sites: np.ndarray, budget: float, after: int
) -> np.ndarray:
    """Sites whose rent, with the ``after`` cheapest other closed sites, fits what is left."""
    left = budget - float(rent[new].sum()) + 1e-9
    closed = np.sort(rent[~open_sites])
    if after <= 0:
        return rent <= left
    head = closed[: after + 1]
    others = np.where(rent <= head[-1], head.sum() - rent, closed[:after].sum())
    return np.asarray(rent + others <= left)


def _nearest_travel(
    reach: Reach, point: np.ndarray, open_sites: np.ndarray, points: int, penalty: float
) -> FloatArray:
    current = np.full(points, penalty)
    live = open_sites[reach.site]
    np.minimum.at(current, point[live], reach.travel[live])
    return current


def _assign(
    reach: Reach, point: np.ndarray, weight: FloatArray, open_sites: np.ndarray, capacity: FloatArray
) -> FloatArray | None:
    """Shares per pair: each point whole at its nearest open site with room (heaviest first)."""
    room = np.where(open_sites, capacity, 0.0)
    share = np.zeros(reach.pairs)
    for i in np.argsort(-weight, kind="stable"):
        pairs = np.arange(reach.start[i], reach.start[i + 1])
        pairs = pairs[np.argsort(reach.travel[pairs], kind="stable")]
        fits = [k for k in pairs if room[reach.site[k]] >= weight[i]]
        if not fits:
            return None
        share[fits[0]] = 1.0
        room[reach.site[fits[0]]] -= weight[i]
    return share
