"""Courier modes, their default speeds and the travel-time model protocol.

Lives apart from ``travel`` so the OSRM client and the config factory can both
depend on it without importing each other.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from .points import Point

__all__ = [
    "DEFAULT_SPEED_M_PER_MIN",
    "Mode",
    "TravelTimeModel",
    "TravelTimeUnavailable",
    "mode_mapping",
    "positive_number",
]


class Mode(StrEnum):
    WALK = "walk"
    BIKE = "bike"
    SCOOTER = "scooter"
    CAR = "car"


# Door-to-door averages in a dense city, not top speeds. Car is slowest of the
# motorised modes because of traffic, lights and parking.
DEFAULT_SPEED_M_PER_MIN: Mapping[Mode, float] = MappingProxyType(
    {
        Mode.WALK: 75.0,  # 4.5 km/h
        Mode.BIKE: 250.0,  # 15 km/h
        Mode.SCOOTER: 400.0,  # 24 km/h
        Mode.CAR: 300.0,  # 18 km/h
    }
)


class TravelTimeUnavailable(RuntimeError):
    """The travel-time source could not answer (network, server or config)."""


@runtime_checkable
class TravelTimeModel(Protocol):
    def minutes(
        self, origins: Sequence[Point], destinations: Sequence[Point], mode: Mode
    ) -> npt.NDArray[np.float64]:
        """Minutes from each origin (rows) to each destination (columns); inf if unreachable."""
        ...

    def max_reach_m(self, minutes: float, mode: Mode) -> float:
        """Upper bound on straight-line metres coverable in ``minutes`` (for pruning)."""
        ...


def positive_number(value: object) -> float | None:
    """``value`` as a float if it is a finite number > 0, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number > 0 else None


def mode_mapping(values: Mapping[Any, object], what: str) -> dict[Mode, float]:
    """Coerce ``{"bike": 200}``-style input into positive floats keyed by Mode."""
    result: dict[Mode, float] = {}
    for key, value in values.items():
        try:
            mode = Mode(key)  # Mode keys and their plain-string values both work
        except ValueError:
            raise ValueError(f"unknown mode {key!r} in {what}") from None
        number = positive_number(value)
        if number is None:
            raise ValueError(f"{what}[{mode.value}] must be a positive number, got {value!r}")
        result[mode] = number
    return result
