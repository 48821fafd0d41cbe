"""Which H3 cells a courier can reach from a point within a time budget."""

from __future__ import annotations

import math

import numpy as np

from .cells import cell_centre, cell_edge_m, cell_of, neighbourhood
from .distance import haversine_matrix_m, points_to_arrays
from .modes import Mode, TravelTimeModel
from .points import Point

__all__ = ["reachable_cells"]

# Cell sizes drift within a disk and hexagons are not circles; 20 % extra rings
# keeps the candidate disk a superset of the reachable area (see tests).
_SAFETY = 1.2


def _disk_radius(reach_m: float, edge_m: float) -> int:
    # A k-disk of hexagons contains every centre within 1.5*k*edge of the
    # middle centre (its inscribed radius); the origin point itself may sit up
    # to one edge away from that centre.
    return math.ceil(_SAFETY * (reach_m + edge_m) / (1.5 * edge_m)) + 1


def reachable_cells(
    origin: Point,
    minutes: float,
    mode: Mode,
    model: TravelTimeModel,
    resolution: int,
    *,
    max_candidates: int = 250_000,
) -> dict[str, float]:
    """Map every cell whose centre is reachable within ``minutes`` to its travel time.

    Times are rounded to 0.1 minute. The origin's own cell is always included
    (with its computed time, or 0.0 if the model cannot route to its centre).
    ``max_candidates`` guards against accidentally huge disks (fine resolution
    with a long budget); raise it deliberately or use a coarser resolution.
    """
    if not (math.isfinite(minutes) and minutes > 0):
        raise ValueError(f"minutes must be a positive finite number, got {minutes!r}")
    home = cell_of(origin, resolution)
    reach_m = model.max_reach_m(minutes, mode)
    k = _disk_radius(reach_m, cell_edge_m(home))
    if 3 * k * (k + 1) + 1 > max_candidates:
        raise ValueError(
            f"{minutes} min by {mode} at resolution {resolution} needs a {k}-ring disk "
            f"(> {max_candidates} cells); use a coarser resolution"
        )
    disk = sorted(neighbourhood(home, k))  # sorted: deterministic request order
    centres = [cell_centre(c) for c in disk]
    lats, lngs = points_to_arrays(centres)
    crow_m = haversine_matrix_m([origin.lat], [origin.lng], lats, lngs)[0]
    keep = [i for i in range(len(disk)) if crow_m[i] <= reach_m or disk[i] == home]
    times = model.minutes([origin], [centres[i] for i in keep], mode)[0]
    result: dict[str, float] = {}
    for i, t in zip(keep, times, strict=True):
        cell = disk[i]
        if cell == home:
            result[cell] = round(float(t), 1) if np.isfinite(t) else 0.0
        elif t <= minutes:
            result[cell] = round(float(t), 1)
    return result
