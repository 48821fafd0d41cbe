import math

import numpy as np
import pytest

from hyperlocal.optim.routing import (
    Client,
    Depot,
    InvalidProblem,
    RoutingProblem,
    VehicleType,
    solve,
    to_pyvrp,
)

FAST = {"time_limit_s": 5.0, "max_iterations": 300, "seed": 1}


def euclidean(points: list[tuple[float, float]]) -> np.ndarray:
    xy = np.array(points, dtype=float)
    return np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))


def star(clients: tuple[Client, ...], vehicles: tuple[VehicleType, ...]) -> RoutingProblem:
    points = [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0), (-10.0, 0.0), (0.0, -10.0)]
    matrix = euclidean(points)
    return RoutingProblem((matrix,), (matrix,), (Depot(0),), vehicles, clients, coordinates=tuple(points))


def test_every_visit_is_inside_its_time_window() -> None:
    clients = tuple(Client(i, tw_early=40.0 * (4 - i), tw_late=40.0 * (4 - i) + 15) for i in range(1, 5))
    solution = solve(star(clients, (VehicleType(capacity=10),)), **FAST)
    assert solution.feasible
    assert not solution.unassigned
    visits = solution.routes[0].visits
    for visit in visits:
        client = clients[visit.client]
        assert client.tw_early <= visit.start <= client.tw_late
    assert [v.client for v in visits] == [3, 2, 1, 0]  # the windows force the reverse order


def test_capacity_is_respected_by_each_trip() -> None:
    clients = tuple(Client(i, demand=1) for i in range(1, 5))
    solution = solve(star(clients, (VehicleType(capacity=2, num_available=3),)), **FAST)
    assert solution.feasible
    assert not solution.unassigned
    assert all(len(route.visits) <= 2 for route in solution.routes)
    assert len(solution.routes) == 2


def test_a_trip_never_leaves_before_its_clients_are_released() -> None:
    clients = (Client(1, release=25.0), Client(2, release=0.0, tw_late=12.0))
    solution = solve(star(clients, (VehicleType(capacity=5, num_available=2),)), **FAST)
    assert solution.feasible
    for route in solution.routes:
        for trip in route.trips:
            assert trip.departure >= max(clients[v.client].release for v in trip.visits)


def test_an_optional_client_that_cannot_be_reached_in_time_is_left_out() -> None:
    clients = (Client(1), Client(2, tw_late=5.0, required=False, prize=1000.0))
    solution = solve(star(clients, (VehicleType(capacity=5),)), **FAST)
    assert solution.feasible
    assert solution.unassigned == (1,)
    assert [v.client for v in solution.routes[0].visits] == [0]


def test_a_worthwhile_optional_client_is_visited() -> None:
    clients = (Client(1), Client(2, required=False, prize=1000.0))
    solution = solve(star(clients, (VehicleType(capacity=5),)), **FAST)
    assert solution.unassigned == ()


def test_fractional_distances_survive_the_integer_solver() -> None:
    # Points 0.0004 apart only differ at the x1000 scale; the reported distance is the
    # exact float sum of the chosen edges, not the solver's integer objective / scale.
    points = [(0.0, 0.0), (1.0004, 0.0), (2.0009, 0.0)]
    matrix = euclidean(points)
    problem = RoutingProblem(
        (matrix,), (matrix,), (Depot(0),), (VehicleType(capacity=2),), (Client(1), Client(2))
    )
    solution = solve(problem, **FAST)
    assert solution.distance == pytest.approx(2 * 2.0009, abs=1e-12)
    data = to_pyvrp(problem)
    assert data.distance_matrix(0)[0, 1] == 1000  # 1000.4 rounds to nearest
    assert data.duration_matrix(0)[0, 1] == 1001  # durations round up


def test_windows_round_inwards_so_integer_feasible_means_float_feasible() -> None:
    matrix = euclidean([(0.0, 0.0), (1.0, 0.0)])
    problem = RoutingProblem(
        (matrix,),
        (matrix,),
        (Depot(0),),
        (VehicleType(capacity=1),),
        (Client(1, tw_early=0.0012, tw_late=7.0019),),
    )
    client = to_pyvrp(problem).client(0)
    assert (client.tw_early, client.tw_late) == (2, 7001)


def test_a_window_narrower_than_one_step_is_refused() -> None:
    matrix = euclidean([(0.0, 0.0), (1.0, 0.0)])
    with pytest.raises(InvalidProblem, match="vanishes"):
        to_pyvrp(
            RoutingProblem(
                (matrix,),
                (matrix,),
                (Depot(0),),
                (VehicleType(capacity=1),),
                (Client(1, tw_early=1.00001, tw_late=1.00002),),
            )
        )


def test_unreachable_edges_are_never_used() -> None:
    matrix = euclidean([(0.0, 0.0), (1.0, 0.0), (2.0, 0.0)])
    matrix[0, 2] = math.inf  # one way only: the route must go out through client 1
    problem = RoutingProblem(
        (matrix,), (matrix,), (Depot(0),), (VehicleType(capacity=2),), (Client(1), Client(2))
    )
    solution = solve(problem, **FAST)
    assert solution.feasible
    assert [v.client for v in solution.routes[0].visits] == [0, 1]
    assert solution.distance == pytest.approx(4.0)


def test_a_route_forced_over_an_unreachable_edge_is_reported_infeasible() -> None:
    matrix = euclidean([(0.0, 0.0), (1.0, 0.0)])
    matrix[1, 0] = math.inf  # no way back from the client
    problem = RoutingProblem((matrix,), (matrix,), (Depot(0),), (VehicleType(capacity=2),), (Client(1),))
    solution = solve(problem, **FAST)
    assert not solution.feasible
    assert solution.distance == math.inf


def test_a_seed_and_an_iteration_limit_make_it_repeatable() -> None:
    rng = np.random.default_rng(3)
    points = [(0.0, 0.0), *((float(x), float(y)) for x, y in rng.uniform(-50, 50, (25, 2)))]
    matrix = euclidean(points)
    problem = RoutingProblem(
        (matrix,),
        (matrix,),
        (Depot(0),),
        (VehicleType(capacity=5, num_available=10),),
        tuple(Client(i, demand=1) for i in range(1, 26)),
    )
    first, second = (solve(problem, **FAST) for _ in range(2))
    assert [r.visits for r in first.routes] == [r.visits for r in second.routes]
    assert first.iterations == 300


def test_a_warm_start_with_reloads_is_kept_when_the_search_finds_nothing_better() -> None:
    matrix = euclidean([(0.0, 0.0), (10.0, 0.0), (20.0, 0.0)])
    problem = RoutingProblem(
        (matrix,),
        (matrix,),
        (Depot(0),),
        (VehicleType(capacity=1, reload_depots=(0,)),),
        (Client(1, demand=1, tw_late=25.0), Client(2, demand=1, release=30.0, tw_late=60.0)),
    )
    solution = solve(problem, **FAST, initial_routes=[(0, [[0], [1]])])
    assert solution.feasible
    (route,) = solution.routes
    assert [[v.client for v in t.visits] for t in route.trips] == [[0], [1]]
    assert [t.departure for t in route.trips] == [0.0, 30.0]


def test_a_bad_time_limit_is_refused() -> None:
    matrix = euclidean([(0.0, 0.0), (1.0, 0.0)])
    problem = RoutingProblem((matrix,), (matrix,), (Depot(0),), (VehicleType(capacity=1),), (Client(1),))
    with pytest.raises(ValueError, match="time_limit_s"):
        solve(problem, time_limit_s=0.0)
