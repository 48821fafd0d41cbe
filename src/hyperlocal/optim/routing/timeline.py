"""Trip arithmetic shared by the solver's read-back and dispatch: leave, ride each leg,
wait for a window to open, hand over at the door, ride back. Floats, in the caller's units."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Ride", "ride"]


@dataclass(frozen=True)
class Ride:
    arrivals: tuple[float, ...]  # at each stop's door
    starts: tuple[float, ...]  # the hand-over begins: max(arrival, the stop's window opening)
    back: float  # at the end of the ride back


def ride(
    departure: float,
    legs: Sequence[float],
    services: Sequence[float],
    *,
    opens: Sequence[float] | None = None,
    handover: float = 0.0,
) -> Ride:
    """Leave at ``departure`` after ``handover`` (picking up at the hub), ride ``legs[k]`` to
    stop k, wait until ``opens[k]`` (none: no waiting), stay ``services[k]``; ``legs`` has one
    more entry than there are stops, the ride back. Sums run in this order, left to right."""
    if len(legs) != len(services) + 1 or (opens is not None and len(opens) != len(services)):
        raise ValueError("need one leg per stop and one back, and one opening per stop")
    clock = departure + handover
    arrivals: list[float] = []
    starts: list[float] = []
    for k, service in enumerate(services):
        arrival = clock + legs[k]
        start = max(arrival, opens[k]) if opens is not None else arrival
        arrivals.append(arrival)
        starts.append(start)
        clock = start + service
    return Ride(tuple(arrivals), tuple(starts), clock + legs[-1])
