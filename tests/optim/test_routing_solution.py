import numpy as np
import pytest

from hyperlocal.optim.routing import (
    Client,
    Depot,
    RoutingProblem,
    VehicleType,
    routes_feasible,
    schedule_route,
)


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


def test_routes_on_time_within_capacity_and_shift_are_feasible() -> None:
    p = problem((Client(1, demand=2, tw_late=10), Client(2, demand=3)), VehicleType(capacity=5, tw_late=40))
    assert routes_feasible(p, [schedule_route(p, 0, [(0, 0, [0, 1])])])
    assert routes_feasible(p, [])


@pytest.mark.parametrize(
    ("clients", "vehicle", "trips"),
    [
        # Arrives at 20, the window closed at 15.
        ((Client(1), Client(2, tw_late=15)), VehicleType(capacity=5), [(0, 0, [0, 1])]),
        # 4 items on a 3-item vehicle.
        ((Client(1, demand=2), Client(2, demand=2)), VehicleType(capacity=3), [(0, 0, [0, 1])]),
        # Back at 40, the shift ended at 39.
        ((Client(1), Client(2)), VehicleType(capacity=5, tw_late=39), [(0, 0, [0, 1])]),
        # The same client twice.
        ((Client(1), Client(2)), VehicleType(capacity=5, reload_depots=(0,)), [(0, 0, [0]), (0, 0, [0])]),
    ],
    ids=["late", "over-capacity", "after-shift", "twice"],
)
def test_routes_that_break_a_constraint_are_not_feasible(
    clients: tuple[Client, ...], vehicle: VehicleType, trips: list[tuple[int, int, list[int]]]
) -> None:
    p = problem(clients, vehicle)
    assert not routes_feasible(p, [schedule_route(p, 0, trips)])


def test_capacity_counts_per_trip_when_the_vehicle_reloads() -> None:
    p = problem((Client(1, demand=2), Client(2, demand=2)), VehicleType(capacity=3, reload_depots=(0,)))
    assert routes_feasible(p, [schedule_route(p, 0, [(0, 0, [0]), (0, 0, [1])])])


def test_more_routes_than_vehicles_are_not_feasible() -> None:
    p = problem((Client(1), Client(2)), VehicleType(capacity=5))
    assert not routes_feasible(p, [schedule_route(p, 0, [(0, 0, [0])]), schedule_route(p, 0, [(0, 0, [1])])])
