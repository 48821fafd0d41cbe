"""A straight street north of a hub, so that trips and their lengths are easy to reason about."""

from __future__ import annotations

import math

from hyperlocal.geo import EARTH_RADIUS_M, CircuityModel, Mode, Point
from hyperlocal.optim.dispatch import CarriedStop, CourierState, OpenShipment

HUB = Point(37.55, 126.92)
# Straight line, default speeds: bike 250 m/min, scooter 400 m/min.
TRAVEL = CircuityModel(circuity=1.0)


def north(metres: float, east: float = 0.0) -> Point:
    lat = HUB.lat + math.degrees(metres / EARTH_RADIUS_M)
    lng = HUB.lng + math.degrees(east / (EARTH_RADIUS_M * math.cos(math.radians(HUB.lat))))
    return Point(lat, lng)


def shipment(
    id: str, metres: float, *, ready_at: float = 0.0, due_by: float = 60.0, items: int = 1, east: float = 0.0
) -> OpenShipment:
    return OpenShipment(id, north(metres, east), items, ready_at, due_by)


def courier(
    id: str,
    *,
    mode: Mode = Mode.BIKE,
    capacity: int = 4,
    shift_ends_at: float = 480.0,
    at: Point = HUB,
    carrying: tuple[CarriedStop, ...] = (),
    available_from: float = -math.inf,
) -> CourierState:
    return CourierState(id, mode, capacity, at, shift_ends_at, carrying, available_from)
