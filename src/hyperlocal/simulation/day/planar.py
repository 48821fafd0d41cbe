"""Planar coordinates (metres on a flat map) for replays of data sets that have no lat/lng.

``Point`` is WGS84, and the dispatch model speaks in Points, so planar metres travel inside
Points scaled to degrees near (0, 0): ``Point(lat=y / M, lng=x / M)``. ``PlanarTravelModel``
undoes the scale exactly and answers Euclidean distance over a speed, so no great-circle
error enters the replay's figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from hyperlocal.geo import DEFAULT_SPEED_M_PER_MIN, Mode, Point

__all__ = ["METRES_PER_DEGREE", "PlanarTravelModel", "from_planar", "speed_of", "to_planar"]

# About one degree at the equator: anything else that reads these Points (a haversine
# pruning step) then sees nearly the right metres too.
METRES_PER_DEGREE = 111_195.0


def from_planar(x: float, y: float) -> Point:
    return Point(y / METRES_PER_DEGREE, x / METRES_PER_DEGREE)


def to_planar(point: Point) -> tuple[float, float]:
    return point.lng * METRES_PER_DEGREE, point.lat * METRES_PER_DEGREE


class PlanarTravelModel:
    """Euclidean metres over a speed in metres per minute (one speed, or one per mode)."""

    def __init__(self, speed_m_per_min: float, speeds: Mapping[Mode, float] | None = None) -> None:
        if not speed_m_per_min > 0:
            raise ValueError(f"speed must be a positive number of metres per minute, got {speed_m_per_min!r}")
        self.speed_m_per_min = float(speed_m_per_min)
        self.speeds_m_per_min = dict.fromkeys(Mode, self.speed_m_per_min)
        self.speeds_m_per_min.update(speeds or {})

    def metres(
        self, origins: Sequence[Point], destinations: Sequence[Point], mode: Mode | None = None
    ) -> npt.NDArray[np.float64]:
        """Straight-line metres (the same for every mode)."""
        o = np.array([to_planar(p) for p in origins], dtype=np.float64).reshape(-1, 2)
        d = np.array([to_planar(p) for p in destinations], dtype=np.float64).reshape(-1, 2)
        result: npt.NDArray[np.float64] = np.hypot(
            o[:, None, 0] - d[None, :, 0], o[:, None, 1] - d[None, :, 1]
        )
        return result

    def minutes(
        self, origins: Sequence[Point], destinations: Sequence[Point], mode: Mode
    ) -> npt.NDArray[np.float64]:
        result: npt.NDArray[np.float64] = (
            self.metres(origins, destinations) / self.speeds_m_per_min[Mode(mode)]
        )
        return result

    def max_reach_m(self, minutes: float, mode: Mode) -> float:
        if not minutes >= 0:
            raise ValueError(f"minutes must be non-negative, got {minutes!r}")
        return float(minutes) * self.speeds_m_per_min[Mode(mode)]


def speed_of(travel: object, mode: Mode) -> float:
    """Metres per minute of ``mode`` in a travel model, to turn its minutes into road metres
    (exact for the circuity and planar models; the default speeds for models without them)."""
    speeds = getattr(travel, "speeds_m_per_min", None)
    if isinstance(speeds, Mapping) and Mode(mode) in speeds:
        return float(speeds[Mode(mode)])
    return float(DEFAULT_SPEED_M_PER_MIN[Mode(mode)])
