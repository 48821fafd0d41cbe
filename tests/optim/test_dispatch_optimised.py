import dataclasses
import math
from typing import Any

import pytest

from hyperlocal.optim import routing
from hyperlocal.optim.dispatch import (
    CarriedStop,
    DispatchStrategy,
    GreedyDispatch,
    OpenShipment,
    OptimisedDispatch,
    RoundInput,
    RoundPlan,
    optimised,
)
from hyperlocal.optim.dispatch.model import CourierState
from hyperlocal.optim.routing import RoutingProblem, RoutingSolution

from .conftest import HUB, TRAVEL, courier, north, shipment

NOW = 10.0


def plan(shipments: tuple[OpenShipment, ...], couriers: tuple[CourierState, ...]) -> RoundPlan:
    strategy = OptimisedDispatch(time_limit_s=5.0, max_iterations=300)
    return strategy.plan(RoundInput("h", HUB, NOW, shipments, couriers), TRAVEL)


def test_two_nearby_shipments_share_one_trip_and_both_stay_on_time() -> None:
    shipments = (shipment("a", 2000, due_by=45.0), shipment("b", 2000, east=150, due_by=45.0))
    couriers = (courier("c"), courier("d"))
    result = plan(shipments, couriers)
    (trip,) = result.trips
    assert {s.shipment_id for s in trip.stops} == {"a", "b"}
    assert not any(s.late for s in trip.stops)
    assert not result.late
    assert not result.waiting
    greedy = GreedyDispatch().plan(RoundInput("h", HUB, NOW, shipments, couriers), TRAVEL)
    assert trip.distance_m < 0.6 * sum(t.distance_m for t in greedy.trips)


def test_a_trip_waits_a_little_for_a_shipment_being_packed() -> None:
    result = plan((shipment("a", 2000), shipment("b", 2050, ready_at=NOW + 3)), (courier("c"),))
    (trip,) = result.trips
    assert trip.depart_at == pytest.approx(NOW + 3)
    assert len(trip.stops) == 2


def test_it_does_not_wait_past_a_promise() -> None:
    # Waiting for "b" would make "a" late: "a" leaves now, alone.
    result = plan(
        (shipment("a", 2000, due_by=NOW + 20), shipment("b", 2000, ready_at=NOW + 15, due_by=NOW + 60)),
        (courier("c"), courier("d")),
    )
    first = next(t for t in result.trips if "a" in {s.shipment_id for s in t.stops})
    assert first.depart_at == pytest.approx(NOW)
    assert first.stops[0].eta <= NOW + 20
    assert "a" not in result.late


def test_carried_stops_stay_with_their_courier_and_delay_its_next_trip() -> None:
    carried = CarriedStop("x", north(3000), due_by=NOW + 30)
    busy = courier("busy", at=north(1000), carrying=(carried,))
    result = plan((shipment("a", 500),), (busy,))
    assert all(s.shipment_id != "x" for t in result.trips for s in t.stops)
    assert "x" not in result.waiting
    (trip,) = result.trips
    # 2000 m on to x, 2 min there, 3000 m back: 22 min at 250 m/min.
    assert trip.depart_at == pytest.approx(NOW + 22, rel=1e-3)


def test_no_trip_carries_more_than_the_courier_can() -> None:
    shipments = tuple(shipment(f"s{i}", 1000 + 10 * i, items=2) for i in range(4))
    couriers = (courier("c", capacity=3), courier("d", capacity=4))
    result = plan(shipments, couriers)
    capacity = {"c": 3, "d": 4}
    items = {s.id: s.items for s in shipments}
    for trip in result.trips:
        assert sum(items[s.shipment_id] for s in trip.stops) <= capacity[trip.courier_id]
    assert {s.shipment_id for t in result.trips for s in t.stops} | set(result.waiting) == set(items)


def test_a_courier_is_back_at_the_hub_before_the_shift_ends() -> None:
    couriers = (courier("short", shift_ends_at=NOW + 20), courier("long"))
    result = plan((shipment("far", 3000),), couriers)
    (trip,) = result.trips
    assert trip.courier_id == "long"


def test_an_impossible_promise_is_planned_late_and_flagged_not_failed() -> None:
    result = plan(
        (shipment("far", 5000, due_by=NOW + 15), shipment("near", 500)), (courier("c"), courier("d"))
    )
    stops = {s.shipment_id: s for t in result.trips for s in t.stops}
    assert stops["far"].late
    assert "far" in result.late
    assert stops["far"].eta >= NOW + 1 + 5000 / 250 - 1e-6  # honest: no faster than a direct ride
    assert "near" not in result.late


def test_a_shipment_nobody_can_carry_waits_flagged_and_the_rest_is_planned() -> None:
    result = plan((shipment("big", 500, items=9), shipment("ok", 500)), (courier("c", capacity=4),))
    assert result.waiting == {"big": math.inf}
    assert result.late == {"big"}
    assert [s.shipment_id for t in result.trips for s in t.stops] == ["ok"]


def test_later_trips_are_left_waiting_with_their_planned_arrival() -> None:
    shipments = tuple(shipment(f"s{i}", 1000, east=10 * i) for i in range(3))
    result = plan(shipments, (courier("c", capacity=2),))
    (trip,) = result.trips
    assert 1 <= len(trip.stops) <= 2
    assert len(trip.stops) + len(result.waiting) == 3
    # Back at the hub after the first trip, then out again: later than any first-trip stop.
    assert min(result.waiting.values()) > trip.stops[-1].eta + 8


def test_an_empty_round_plans_nothing() -> None:
    assert plan((), (courier("c"),)).trips == ()


def test_without_couriers_everything_waits() -> None:
    result = plan((shipment("a", 500),), ())
    assert result.trips == ()
    assert result.waiting == {"a": math.inf}
    assert result.late == {"a"}


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="time_limit_s"):
        OptimisedDispatch(time_limit_s=0)
    with pytest.raises(ValueError, match="margin_minutes"):
        OptimisedDispatch(margin_minutes=-1)


def test_malformed_times_leave_that_shipment_waiting_and_the_round_goes_on() -> None:
    broken = (
        OpenShipment("nan", north(500), 1, ready_at=math.nan, due_by=NOW + 30),
        OpenShipment("inverted", north(500), 1, ready_at=NOW, due_by=NOW + 30, due_from=NOW + 40),
    )
    result = plan((*broken, shipment("ok", 700)), (courier("c"),))
    assert [s.shipment_id for t in result.trips for s in t.stops] == ["ok"]
    assert set(result.waiting) == {"nan", "inverted"}


def test_a_slot_window_that_opens_at_the_margin_still_solves() -> None:
    slot = OpenShipment("slot", north(500), 1, ready_at=NOW, due_by=NOW + 30.1234, due_from=NOW + 27.1234)
    result = plan((slot,), (courier("c"),))
    (trip,) = result.trips
    assert trip.stops[0].eta >= NOW + 27.1234 - 1e-6


def _infeasible_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    """The solver's answer, marked infeasible (as PyVRP marks a plan late, past a shift
    end or over capacity)."""
    real = routing.solve

    def solve(problem: RoutingProblem, **kwargs: Any) -> RoutingSolution:
        return dataclasses.replace(real(problem, **kwargs), feasible=False)

    monkeypatch.setattr(optimised, "solve", solve)


def test_an_infeasible_solution_is_not_handed_out_the_warm_start_is(monkeypatch: pytest.MonkeyPatch) -> None:
    shipments = (shipment("a", 2000, due_by=45.0), shipment("b", 2000, east=150, due_by=45.0))
    couriers = (courier("c"), courier("d"))
    assert len(plan(shipments, couriers).trips) == 1  # the solver batches them
    _infeasible_solve(monkeypatch)
    result = plan(shipments, couriers)
    # The warm start: one shipment per trip, each on time, on both couriers.
    assert sorted(len(t.stops) for t in result.trips) == [1, 1]
    assert {t.courier_id for t in result.trips} == {"c", "d"}
    assert not result.late
    assert not result.waiting


def test_without_a_feasible_warm_start_the_greedy_plan_is_handed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    _infeasible_solve(monkeypatch)
    # A start that overloads the courier (3 items on a 2-item bike) does not hold either.
    monkeypatch.setattr(optimised, "_warm_start", lambda problem: [(0, [[0, 1, 2]])])
    shipments = tuple(shipment(f"s{i}", 1000 + 100 * i, ready_at=NOW - i) for i in range(3))
    couriers = (courier("c", capacity=2),)
    result = plan(shipments, couriers)
    greedy = GreedyDispatch().plan(RoundInput("h", HUB, NOW, shipments, couriers), TRAVEL)
    assert result.trips == greedy.trips
    assert result.waiting == greedy.waiting
    assert result.late == greedy.late
    assert [s.shipment_id for t in result.trips for s in t.stops] == ["s2"]  # oldest ready first


def test_a_shipment_left_out_waits_behind_the_planned_trips_and_is_flagged_late() -> None:
    # One bike, one item at a time: both can be at the door by NOW + 9 alone, but not both.
    shipments = (shipment("a", 2000, due_by=NOW + 14), shipment("b", 2000, east=100, due_by=NOW + 14))
    result = plan(shipments, (courier("c", capacity=1),))
    (trip,) = result.trips
    (stop,) = trip.stops
    (left_out,) = set(result.waiting)
    # Out and back (1 + 8 + 2 + 8 min), then alone: 1 + 8 min more.
    assert result.waiting[left_out] == pytest.approx(NOW + 28, abs=0.1)
    assert result.late == {left_out}
    assert not stop.late


def test_a_left_out_shipment_nobody_can_take_before_the_shift_ends_has_no_estimate() -> None:
    shipments = (shipment("a", 2000, due_by=NOW + 14), shipment("b", 2000, east=100, due_by=NOW + 14))
    result = plan(shipments, (courier("c", capacity=1, shift_ends_at=NOW + 25),))
    (left_out,) = set(result.waiting)
    assert result.waiting[left_out] == math.inf
    assert result.late == {left_out}


@pytest.mark.parametrize(
    "strategy", [OptimisedDispatch(time_limit_s=5.0, max_iterations=50), GreedyDispatch()]
)
def test_a_carried_stop_that_will_arrive_after_its_promise_is_flagged(strategy: DispatchStrategy) -> None:
    # 2000 m on at 250 m/min: at x by NOW + 8; y, 2 min later and 500 m on, by NOW + 12.
    carrying = (CarriedStop("x", north(3000), due_by=NOW + 7), CarriedStop("y", north(3500), due_by=NOW + 30))
    busy = courier("busy", at=north(1000), carrying=carrying)
    result = strategy.plan(RoundInput("h", HUB, NOW, (shipment("a", 500),), (busy, courier("idle"))), TRAVEL)
    assert result.late == {"x"}
    assert "x" not in result.waiting
