"""Orders from household demand: when they arrive (a daily profile) and which hub serves them.

The profile is a base rate plus two Gaussian bumps, lunch and evening, as quick-commerce
order logs look (a shallow morning, a lunch peak, a higher evening peak).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hyperlocal.geo import Point, haversine_matrix_m, points_to_arrays

from .scenario import HubSpec, OrderSpec

__all__ = ["DailyProfile", "allocate_hub", "order_times", "orders_from_homes"]

# Order sizes in items (1-6), most baskets small.
ITEM_PROBABILITIES = (0.25, 0.25, 0.2, 0.15, 0.1, 0.05)


@dataclass(frozen=True)
class DailyProfile:
    """Relative order rate by hour of the local day (hours as floats, 12.5 = 12:30)."""

    base: float = 0.35
    lunch_at: float = 12.5
    lunch_height: float = 1.0
    lunch_width: float = 0.9  # standard deviation, hours
    evening_at: float = 19.0
    evening_height: float = 1.4
    evening_width: float = 1.3

    def rate(self, hour: npt.ArrayLike) -> npt.NDArray[np.float64]:
        h = np.asarray(hour, dtype=np.float64)
        lunch = self.lunch_height * np.exp(-0.5 * ((h - self.lunch_at) / self.lunch_width) ** 2)
        evening = self.evening_height * np.exp(-0.5 * ((h - self.evening_at) / self.evening_width) ** 2)
        result: npt.NDArray[np.float64] = self.base + lunch + evening
        return result


def order_times(
    count: int,
    *,
    start_hour: float,
    hours: float,
    rng: np.random.Generator,
    profile: DailyProfile | None = None,
) -> npt.NDArray[np.float64]:
    """``count`` sorted arrival times in minutes since the start, drawn from the profile
    (inverse transform on a one-minute grid)."""
    if count < 0 or hours <= 0:
        raise ValueError("count must be >= 0 and hours > 0")
    profile = profile or DailyProfile()
    minutes = math.ceil(hours * 60)
    weights = profile.rate(start_hour + (np.arange(minutes) + 0.5) / 60)
    cdf = np.cumsum(weights) / weights.sum()
    u = rng.random(count)
    cell = np.searchsorted(cdf, u, side="right").clip(0, minutes - 1)
    times: npt.NDArray[np.float64] = np.sort(cell + rng.random(count))
    return np.minimum(times, hours * 60)


def allocate_hub(homes: Sequence[Point], hubs: Sequence[HubSpec]) -> npt.NDArray[np.int64]:
    """For each home the index of the nearest hub whose reach holds it, or -1 when none
    does. Straight-line distance decides: the service area is a disc of ``reach_m``."""
    if not hubs:
        return np.full(len(homes), -1, dtype=np.int64)
    h_lat, h_lng = points_to_arrays(homes)
    b_lat, b_lng = points_to_arrays([h.point for h in hubs])
    metres = haversine_matrix_m(h_lat, h_lng, b_lat, b_lng)
    reach = np.array([h.reach_m for h in hubs])
    metres[metres > reach[None, :]] = np.inf
    nearest = np.argmin(metres, axis=1)
    covered = np.isfinite(metres[np.arange(len(homes)), nearest])
    return np.where(covered, nearest, -1).astype(np.int64)


def orders_from_homes(
    homes: Sequence[Point],
    hubs: Sequence[HubSpec],
    count: int,
    *,
    start_hour: float,
    hours: float,
    rng: np.random.Generator,
    profile: DailyProfile | None = None,
    service_minutes: float = 2.0,
) -> tuple[OrderSpec, ...]:
    """``count`` instant orders from homes that some hub serves (homes outside every reach
    do not order: the shop does not offer them delivery)."""
    allocation = allocate_hub(homes, hubs)
    served = np.flatnonzero(allocation >= 0)
    if count and len(served) == 0:
        raise ValueError("no home lies within any hub's reach")
    times = order_times(count, start_hour=start_hour, hours=hours, rng=rng, profile=profile)
    who = rng.choice(served, size=count) if count else np.array([], dtype=np.int64)
    items = rng.choice(np.arange(1, len(ITEM_PROBABILITIES) + 1), size=count, p=ITEM_PROBABILITIES)
    orders = []
    for n in range(count):
        hub = hubs[int(allocation[who[n]])]
        placed = float(times[n])
        orders.append(
            OrderSpec(
                id=f"o{n + 1:06d}",
                placed_at=placed,
                hub_id=hub.id,
                drop_off=homes[int(who[n])],
                items=int(items[n]),
                due_by=placed + hub.promise_minutes,
                service_minutes=service_minutes,
            )
        )
    return tuple(orders)
