import math

import numpy as np
import pytest

from hyperlocal.optim.routing import Client, Depot, InvalidProblem, RoutingProblem, VehicleType


def line(n: int) -> np.ndarray:
    x = np.arange(n, dtype=float)
    return np.abs(x[:, None] - x[None, :])


def problem(**changes: object) -> RoutingProblem:
    fields: dict[str, object] = {
        "distances": (line(3),),
        "durations": (line(3),),
        "depots": (Depot(0),),
        "vehicle_types": (VehicleType(capacity=5),),
        "clients": (Client(1, demand=1), Client(2, demand=1)),
    }
    fields.update(changes)
    return RoutingProblem(**fields)  # type: ignore[arg-type]


def test_a_well_formed_problem_reports_its_size() -> None:
    assert problem().num_locations == 3
    assert problem().num_profiles == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"distances": (line(4),)}, "square"),
        ({"durations": ()}, "one distance and one duration matrix per profile"),
        ({"distances": (-line(3),)}, "negative or NaN"),
        ({"durations": (np.full((3, 3), np.nan),)}, "negative or NaN"),
        ({"depots": ()}, "at least one depot"),
        ({"vehicle_types": ()}, "at least one vehicle type"),
        ({"clients": (Client(7),)}, "outside 0..2"),
        ({"clients": (Client(1, tw_early=5, tw_late=4),)}, "empty time window"),
        ({"clients": (Client(1, demand=-1),)}, "negative demand"),
        ({"clients": (Client(1, service=math.inf),)}, "service time"),
        ({"clients": (Client(1, release=math.nan),)}, "release"),
        ({"vehicle_types": (VehicleType(capacity=1, start_depot=3),)}, "depot 3"),
        ({"vehicle_types": (VehicleType(capacity=1, profile=1),)}, "profile 1"),
        ({"vehicle_types": (VehicleType(capacity=1, num_available=0),)}, "num_available"),
        ({"distance_scale": 0.0}, "scales"),
        ({"coordinates": ((0.0, 0.0),)}, "coordinates"),
    ],
)
def test_malformed_problems_are_refused_with_a_reason(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidProblem, match=message):
        problem(**changes)
