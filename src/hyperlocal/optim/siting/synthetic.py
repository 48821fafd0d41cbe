"""Reproducible synthetic siting instances (seeded numpy), for tests and benchmarks.

``district`` imitates one city district as the planner sees it: demand cells on a plane
with weights in a few clusters (dense neighbourhoods), candidate sites scattered over it, a
few already-open hubs, ride times in minutes (straight line x circuity at bike speed), and
capacities that bind: the open hubs and any one new site can serve only a share of demand."""

from __future__ import annotations

import numpy as np

from .problem import SitingProblem
from .reach import planar_problem

__all__ = ["district"]

MINUTES_PER_KM = 4.0 * 1.3  # 15 km/h by bike, circuity 1.3


def district(
    seed: int,
    *,
    points: int = 274,
    sites: int = 146,
    fixed: int = 4,
    size_km: tuple[float, float] = (6.0, 4.5),
    promise: float = 15.0,
    clusters: int = 5,
    site_share: tuple[float, float] = (0.02, 0.08),
    fixed_share: float = 0.1,
) -> SitingProblem:
    """Demand cells and sites in a ``size_km`` rectangle, reach within ``promise`` minutes.
    Each candidate's capacity is a share of the total weight drawn from ``site_share``; each
    open hub's is ``fixed_share`` of it. Rents are left out (None)."""
    rng = np.random.default_rng(seed)
    width, height = size_km
    cell_xy = rng.uniform((0.0, 0.0), (width, height), (points, 2))
    centre = rng.uniform((0.0, 0.0), (width, height), (clusters, 2))
    spread = rng.uniform(0.4, 1.2, clusters)
    distance = np.linalg.norm(cell_xy[:, None, :] - centre[None, :, :], axis=2)
    density = (rng.uniform(0.5, 2.0, clusters) * np.exp(-((distance / spread) ** 2))).sum(axis=1)
    weight = np.round(1.0 + 40.0 * density * rng.lognormal(0.0, 0.3, points), 1)
    site_xy = rng.uniform((0.0, 0.0), (width, height), (sites, 2))
    total = float(weight.sum())
    capacity = np.round(rng.uniform(*site_share, sites) * total, 1)
    is_fixed = np.zeros(sites, dtype=bool)
    is_fixed[rng.choice(sites, size=fixed, replace=False)] = True
    capacity[is_fixed] = round(fixed_share * total, 1)
    return planar_problem(
        cell_xy * MINUTES_PER_KM,
        weight,
        site_xy * MINUTES_PER_KM,
        promise,
        capacity=capacity.tolist(),
        fixed_open=is_fixed.tolist(),
    )
