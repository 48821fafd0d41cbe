"""Sizing a hub's day: pickers for its peak, couriers in shifts that follow the demand curve.

Couriers needed in an hour = expected orders that hour x courier-minutes per order for a
one-bag-per-trip dispatcher (hand-over, out, door, back) / 60 / target utilisation. Shifts
start whenever the couriers on duty fall short and last ``shift_hours``; the last ones run
past the last order by the promise, so that late orders can still be delivered.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from hyperlocal.geo import Mode, Point, TravelTimeModel

from .demand import DailyProfile
from .scenario import CourierSpec, HubSpec

__all__ = ["CAPACITY", "courier_shifts", "expected_per_hour", "minutes_per_order", "pickers_for"]

# Items per trip: a bike's box, a scooter's top case plus bags (as the demo's couriers).
CAPACITY = {Mode.BIKE: (8, 14), Mode.SCOOTER: (16, 28)}
SCOOTER_SHARE = 0.4


def expected_per_hour(
    total: float, *, start_hour: float, hours: float, profile: DailyProfile | None = None
) -> list[float]:
    """Expected orders in each hour of the day (for ``total`` orders over the day)."""
    profile = profile or DailyProfile()
    grid = start_hour + (np.arange(math.ceil(hours * 60)) + 0.5) / 60
    rate = profile.rate(grid)
    share = rate / rate.sum()
    return [float(share[h * 60 : (h + 1) * 60].sum() * total) for h in range(math.ceil(hours))]


def minutes_per_order(
    hub: Point,
    homes: Sequence[Point],
    travel: TravelTimeModel,
    *,
    handover: float = 1.0,
    service: float = 2.0,
) -> float:
    """Mean courier-minutes of a one-bag trip from the hub to these homes, bikes and
    scooters in the staffing mix."""
    if not homes:
        return handover + service
    rides = []
    for mode, share in ((Mode.BIKE, 1 - SCOOTER_SHARE), (Mode.SCOOTER, SCOOTER_SHARE)):
        out = travel.minutes([hub], homes, mode)[0]
        back = travel.minutes(homes, [hub], mode)[:, 0]
        rides.append(share * float(np.mean(out + back)))
    return handover + service + sum(rides)


def pickers_for(peak_per_hour: float, prep_minutes: float, utilisation: float = 0.75) -> int:
    return max(1, math.ceil(peak_per_hour * prep_minutes / 60 / utilisation))


def courier_shifts(
    hub: HubSpec,
    per_hour: Sequence[float],
    minutes_each: float,
    rng: np.random.Generator,
    *,
    utilisation: float = 0.6,
    shift_hours: float = 4.0,
    tail_minutes: float = 60.0,
    minimum: int = 1,
    prefix: str = "",
) -> list[CourierSpec]:
    """Shifts for one hub over ``len(per_hour)`` hours from minute 0."""
    need = [max(minimum, math.ceil(n * minutes_each / 60 / utilisation)) for n in per_hour]
    day_end = len(per_hour) * 60 + tail_minutes
    shifts: list[tuple[float, float]] = []
    for hour, wanted in enumerate(need):
        on_duty = sum(1 for on, off in shifts if on <= hour * 60 and off >= (hour + 1) * 60)
        for _ in range(wanted - on_duty):
            start = hour * 60.0
            end = start + shift_hours * 60
            # A shift that would end within the last hours runs to the end of the day.
            if end > day_end - shift_hours * 30:
                end = day_end
            shifts.append((start, min(end, day_end)))
    couriers = []
    for n, (on, off) in enumerate(shifts):
        mode = Mode.SCOOTER if rng.random() < SCOOTER_SHARE else Mode.BIKE
        low, high = CAPACITY[mode]
        couriers.append(
            CourierSpec(
                id=f"{prefix}{hub.id}-c{n + 1:02d}",
                hub_id=hub.id,
                mode=mode,
                capacity_items=int(rng.integers(low, high + 1)),
                on_at=on,
                off_at=off,
            )
        )
    return couriers
