"""Travel-time models and the factory that builds one from settings.

``CircuityModel`` needs no infrastructure and is the default; ``OsrmTableModel``
uses an operator's own routing server. Both satisfy ``TravelTimeModel``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .distance import haversine_matrix_m, points_to_arrays
from .modes import (
    DEFAULT_SPEED_M_PER_MIN,
    Mode,
    TravelTimeModel,
    TravelTimeUnavailable,
    mode_mapping,
    positive_number,
)
from .osrm import OsrmTableModel
from .points import Point

__all__ = [
    "DEFAULT_SPEED_M_PER_MIN",
    "CircuityModel",
    "Mode",
    "OsrmTableModel",
    "TravelTimeModel",
    "TravelTimeUnavailable",
    "travel_model_from_config",
]


class CircuityModel:
    """Great-circle distance stretched by a circuity factor, at a fixed speed.

    Street networks make trips ~1.2-1.4x longer than the straight line in most
    cities, hence the 1.3 default.
    """

    def __init__(self, circuity: float = 1.3, speeds_m_per_min: Mapping[Mode, float] | None = None) -> None:
        if not circuity >= 1:  # also rejects NaN
            raise ValueError(f"circuity must be >= 1, got {circuity!r}")
        self.circuity = float(circuity)
        self.speeds_m_per_min = dict(DEFAULT_SPEED_M_PER_MIN)
        self.speeds_m_per_min.update(mode_mapping(speeds_m_per_min or {}, "speeds_m_per_min"))

    def minutes(
        self, origins: Sequence[Point], destinations: Sequence[Point], mode: Mode
    ) -> npt.NDArray[np.float64]:
        speed = self.speeds_m_per_min[Mode(mode)]
        o_lat, o_lng = points_to_arrays(origins)
        d_lat, d_lng = points_to_arrays(destinations)
        result: npt.NDArray[np.float64] = haversine_matrix_m(o_lat, o_lng, d_lat, d_lng) * (
            self.circuity / speed
        )
        return result

    def metres(
        self, origins: Sequence[Point], destinations: Sequence[Point], mode: Mode
    ) -> npt.NDArray[np.float64]:
        """Road metres: the stretched great circle, the same for every mode (courier-km)."""
        Mode(mode)  # an unknown mode fails here as it does in ``minutes``
        o_lat, o_lng = points_to_arrays(origins)
        d_lat, d_lng = points_to_arrays(destinations)
        result: npt.NDArray[np.float64] = haversine_matrix_m(o_lat, o_lng, d_lat, d_lng) * self.circuity
        return result

    def max_reach_m(self, minutes: float, mode: Mode) -> float:
        # Exact inverse of ``minutes``: the road distance covered, unstretched.
        if not minutes >= 0:
            raise ValueError(f"minutes must be non-negative, got {minutes!r}")
        return float(minutes) * self.speeds_m_per_min[Mode(mode)] / self.circuity


def _number(config: Mapping[str, object], key: str, default: float) -> float:
    value = config.get(key, default)
    number = positive_number(value)
    if number is None:
        raise ValueError(f"travel config {key!r} must be a positive number, got {value!r}")
    return number


def _mapping(config: Mapping[str, object], key: str) -> Mapping[Any, object] | None:
    value = config.get(key)
    if value is not None and not isinstance(value, Mapping):
        raise ValueError(f"travel config {key!r} must be a mapping, got {value!r}")
    return value


def _strings(config: Mapping[str, object], key: str) -> dict[Mode, str] | None:
    raw = _mapping(config, key)
    if raw is None:
        return None
    result: dict[Mode, str] = {}
    for mode, value in raw.items():
        if not isinstance(value, str):
            raise ValueError(f"travel config {key}[{mode!r}] must be a string, got {value!r}")
        try:
            result[Mode(mode)] = value
        except ValueError:
            raise ValueError(f"unknown mode {mode!r} in travel config {key!r}") from None
    return result


def _speeds(config: Mapping[str, object], key: str) -> dict[Mode, float] | None:
    raw = _mapping(config, key)
    return None if raw is None else mode_mapping(raw, key)


_KEYS = {
    "circuity": {"kind", "circuity", "speeds"},
    "osrm": {"kind", "urls", "timeout_s", "max_speeds", "max_locations", "profiles"},
}


def travel_model_from_config(config: Mapping[str, object]) -> TravelTimeModel:
    """Build a model from settings, e.g. ``{"kind": "osrm", "urls": {"bike": ...}}``.

    Unknown kinds and unknown keys raise ``ValueError`` so typos fail at startup.
    """
    kind = config.get("kind")
    if not isinstance(kind, str) or kind not in _KEYS:
        raise ValueError(f"unknown travel model kind {kind!r}; expected one of {sorted(_KEYS)}")
    unknown = set(config) - _KEYS[kind]
    if unknown:
        raise ValueError(f"unknown keys for {kind!r} travel model: {sorted(unknown)}")
    if kind == "circuity":
        return CircuityModel(_number(config, "circuity", 1.3), _speeds(config, "speeds"))
    urls = _strings(config, "urls")
    if not urls:
        raise ValueError("an 'osrm' travel model needs a non-empty 'urls' mapping")
    max_locations = config.get("max_locations", 100)
    if isinstance(max_locations, bool) or not isinstance(max_locations, int):
        raise ValueError(f"travel config 'max_locations' must be an int, got {max_locations!r}")
    return OsrmTableModel(
        urls,
        timeout_s=_number(config, "timeout_s", 10.0),
        max_speed_m_per_min=_speeds(config, "max_speeds"),
        max_locations=max_locations,
        profiles=_strings(config, "profiles"),
    )
