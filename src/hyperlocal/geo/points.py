"""Validated WGS84 points.

Coordinates arrive from forms, CSV imports and APIs, so validation lives in the
value type itself: a ``Point`` that exists is always usable for geometry and H3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from numbers import Real
from typing import Literal

__all__ = ["InvalidCoordinates", "Point"]

Field = Literal["lat", "lng"]

_LIMITS: dict[Field, float] = {"lat": 90.0, "lng": 180.0}


class InvalidCoordinates(ValueError):
    """A latitude or longitude is missing, non-numeric, non-finite or out of range."""

    def __init__(self, field: Field, message: str) -> None:
        super().__init__(message)
        self.field: Field = field


def _validated(field: Field, value: object) -> float:
    # bool is an int subclass; True as a latitude is always a bug upstream.
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InvalidCoordinates(field, f"{field} must be a real number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise InvalidCoordinates(field, f"{field} must be finite, got {value!r}")
    limit = _LIMITS[field]
    if not -limit <= number <= limit:
        raise InvalidCoordinates(field, f"{field} must be between {-limit:g} and {limit:g}, got {number!r}")
    return number


def _to_number(field: Field, value: object) -> float:
    """Turn form/CSV input into a float; range checks stay in ``_validated``."""
    if isinstance(value, str):
        value = value.strip()
    elif isinstance(value, bool) or not isinstance(value, Real | Decimal):
        raise InvalidCoordinates(field, f"{field} must be a number, got {value!r}")
    try:
        return float(value)
    except ValueError:  # non-numeric text, or Decimal("sNaN")
        raise InvalidCoordinates(field, f"{field} must be a number, got {value!r}") from None


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS84 position in decimal degrees (latitude first, like H3)."""

    lat: float
    lng: float

    def __post_init__(self) -> None:
        # Normalise to float so equal points hash and compare identically.
        object.__setattr__(self, "lat", _validated("lat", self.lat))
        object.__setattr__(self, "lng", _validated("lng", self.lng))

    @classmethod
    def parse(cls, lat: object, lng: object) -> Point:
        """Build a point from numbers or numeric strings (e.g. ``"37.5663"``)."""
        return cls(_to_number("lat", lat), _to_number("lng", lng))
