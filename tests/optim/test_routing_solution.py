import numpy as np
import pytest

from hyperlocal.optim.routing import Client, Depot, RoutingProblem, VehicleType, schedule_route


def problem(clients: tuple[Client, ...], vehicle: VehicleType) -> RoutingProblem:
    x = np.array([0.0, 10.0, 20.0])
    matrix = np.abs(x[:, None] - x[None, :])
    return RoutingProblem((matrix * 2,), (matrix,), (Depot(0),), (vehicle,), clients)


def test_a_trip_waits_for_release_then_for_the_window_and_reports_lateness() -> None:
    p = problem(
        (Client(1, service=1, tw_early=30, release=5), Client(2, tw_late=35)),
        VehicleType(capacity=5, tw_early=2),
    )
    route = schedule_route(p, 0, [(0, 0, [0, 1])])
    (trip,) = route.trips
    assert trip.departure == 5  # the later of shift start (2) and release (5)
    first, second = trip.visits
    assert (first.arrival, first.start, first.late_by) == (15, 30, 0)
    assert (second.arrival, second.start, second.late_by) == (41, 41, 6)
    assert trip.return_at == 61
    assert trip.distance == route.distance == 2 * 40


def test_a_second_trip_leaves_after_the_first_returns_and_its_own_release() -> None:
    p = problem((Client(1), Client(2, release=50)), VehicleType(capacity=1, reload_depots=(0,)))
    route = schedule_route(p, 0, [(0, 0, [0]), (0, 0, [1])])
    assert [t.departure for t in route.trips] == [0, 50]
    assert route.trips[1].visits[0].arrival == 70
    assert route.end_time == 90
    assert route.distance == pytest.approx(2 * (20 + 40))
