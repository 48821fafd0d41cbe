"""Great-circle distances on a spherical Earth.

The spherical model is off by at most ~0.5 % versus the ellipsoid, which is far
below the error of any travel-time estimate built on top of it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from .points import Point

__all__ = ["EARTH_RADIUS_M", "haversine_m", "haversine_matrix_m", "points_to_arrays"]

# IUGG mean Earth radius, the same value H3 uses for its distance functions.
EARTH_RADIUS_M = 6_371_008.8

FloatArray = npt.NDArray[np.float64]
Coordinates = Sequence[float] | npt.NDArray[np.floating]


def haversine_m(a: Point, b: Point) -> float:
    """Great-circle distance between two points in metres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlng = math.radians(b.lng - a.lng)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    # Rounding can push h a hair above 1 for antipodal points.
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def _as_vector(values: Coordinates, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    return array


def haversine_matrix_m(
    origins_lat: Coordinates,
    origins_lng: Coordinates,
    dests_lat: Coordinates,
    dests_lng: Coordinates,
) -> FloatArray:
    """Distances in metres, shape ``(len(origins), len(dests))``, float64."""
    o_lat = np.radians(_as_vector(origins_lat, "origins_lat"))
    o_lng = np.radians(_as_vector(origins_lng, "origins_lng"))
    d_lat = np.radians(_as_vector(dests_lat, "dests_lat"))
    d_lng = np.radians(_as_vector(dests_lng, "dests_lng"))
    if o_lat.shape != o_lng.shape:
        raise ValueError("origins_lat and origins_lng must have the same length")
    if d_lat.shape != d_lng.shape:
        raise ValueError("dests_lat and dests_lng must have the same length")
    # Broadcast origins down the rows and destinations across the columns.
    lat1, lng1 = o_lat[:, np.newaxis], o_lng[:, np.newaxis]
    lat2, lng2 = d_lat[np.newaxis, :], d_lng[np.newaxis, :]
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lng2 - lng1) / 2) ** 2
    result: FloatArray = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return result


def points_to_arrays(points: Iterable[Point]) -> tuple[FloatArray, FloatArray]:
    """Split points into ``(lats, lngs)`` float64 arrays for the vectorised functions."""
    items = list(points)
    lats = np.fromiter((p.lat for p in items), dtype=np.float64, count=len(items))
    lngs = np.fromiter((p.lng for p in items), dtype=np.float64, count=len(items))
    return lats, lngs
