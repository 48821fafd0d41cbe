"""The event loop on tiny seeded days: invariants that hold for any strategy, and both real
strategies delivering everything on the same orders."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable

import pytest

from hyperlocal.geo import CircuityModel, Mode, Point, TravelTimeModel
from hyperlocal.optim.dispatch import (
    CourierPlan,
    GreedyDispatch,
    OptimisedDispatch,
    PlannedStop,
    RoundInput,
    RoundPlan,
)
from hyperlocal.simulation.day import (
    CourierSpec,
    DayConfig,
    DayPlan,
    DayResult,
    HubSpec,
    OrderSpec,
    Scenario,
    kpis,
    pack,
    run_day,
    synthetic_day,
)
from hyperlocal.simulation.day.picking import Packing
from hyperlocal.simulation.day.synthetic import SEOUL

PLAN = DayPlan(orders=60, hubs=2, hours=1.5, homes=300, city="disc", seed=5)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return synthetic_day(PLAN, date=__import__("datetime").datetime(2025, 6, 2, tzinfo=SEOUL))


@pytest.fixture(scope="module")
def results(scenario: Scenario) -> dict[str, DayResult]:
    return {
        "greedy": run_day(scenario, GreedyDispatch()),
        "optimised": run_day(scenario, OptimisedDispatch(time_limit_s=30.0, max_iterations=40)),
    }


def check_invariants(scenario: Scenario, result: DayResult) -> None:
    couriers = {c.id: c for c in scenario.couriers}
    orders = {o.id: o for o in scenario.orders}
    by_courier = defaultdict(list)
    for trip in result.trips:
        courier = couriers[trip.courier_id]
        assert trip.items == sum(orders[i].items for i in trip.order_ids) <= courier.capacity_items
        assert courier.on_at <= trip.depart_at < trip.return_at <= courier.off_at + 1e-6
        by_courier[trip.courier_id].append(trip)
    for trips in by_courier.values():
        trips.sort(key=lambda t: t.depart_at)
        for before, after in itertools.pairwise(trips):
            assert before.return_at <= after.depart_at + 1e-9  # one trip at a time
    delivered = [d.order_id for d in result.deliveries]
    assert len(delivered) == len(set(delivered))
    assert set(delivered) | set(result.undelivered) == set(orders)
    assert not set(delivered) & set(result.undelivered)
    for d in result.deliveries:
        order = orders[d.order_id]
        assert order.placed_at <= d.packed_at <= d.picked_up_at < d.delivered_at
        assert d.due_by == order.due_by  # the original promise
        assert d.on_time == (d.delivered_at <= order.placed_at + PLAN.promise_minutes + 1e-9)


@pytest.mark.parametrize("name", ["greedy", "optimised"])
def test_both_strategies_deliver_every_order_within_the_rules(
    scenario: Scenario, results: dict[str, DayResult], name: str
) -> None:
    result = results[name]
    check_invariants(scenario, result)
    figures = kpis(result)
    assert figures.delivered == len(scenario.orders) == 60
    assert figures.refused_trips == 0
    assert figures.rounds > 0


def test_same_orders_for_both_and_greedy_one_bag_per_trip(results: dict[str, DayResult]) -> None:
    greedy, optimised = results["greedy"], results["optimised"]
    assert {d.order_id: d.placed_at for d in greedy.deliveries} == {
        d.order_id: d.placed_at for d in optimised.deliveries
    }
    assert all(len(t.order_ids) == 1 for t in greedy.trips)
    assert len(optimised.trips) < len(greedy.trips)  # batching
    assert kpis(optimised).km_per_delivered < kpis(greedy).km_per_delivered


def test_greedy_runs_on_events_and_optimised_on_the_clock(results: dict[str, DayResult]) -> None:
    assert any(r.trigger == "event" for r in results["greedy"].rounds)
    assert all(r.trigger == "clock" for r in results["optimised"].rounds)
    assert all(r.at % 1.0 == pytest.approx(0) for r in results["optimised"].rounds)  # every 60 s


def test_same_seed_same_day(scenario: Scenario, results: dict[str, DayResult]) -> None:
    again = run_day(synthetic_day(PLAN, date=scenario.start), GreedyDispatch())
    assert again.deliveries == results["greedy"].deliveries


class OverloadingStrategy:
    """A deliberately wrong strategy (a test double): every open shipment on the first
    courier's trip now, to show the simulator refuses plans it cannot carry out."""

    name = "overloading"

    def plan(self, round_input: RoundInput, travel: TravelTimeModel) -> RoundPlan:
        stops = tuple(PlannedStop(s.id, round_input.now, False) for s in round_input.shipments)
        trip = CourierPlan(round_input.couriers[0].id, round_input.now, stops, 0.0)
        return RoundPlan(round_input.hub_id, (trip,))


def test_plans_over_capacity_or_past_the_shift_are_refused() -> None:
    hub = HubSpec("h", Point(37.55, 126.90), pickers=4)
    far = Point(37.60, 126.90)  # 5.6 km: 38 minutes each way by bike
    orders = tuple(OrderSpec(f"o{n}", 0.0, "h", Point(37.551, 126.90), 3, 60.0) for n in range(3))
    orders += (OrderSpec("far", 0.0, "h", far, 1, 60.0),)
    couriers = (CourierSpec("c", "h", Mode.BIKE, 4, 0.0, 60.0),)
    scenario = Scenario(
        start=__import__("datetime").datetime(2025, 6, 2, 10, tzinfo=SEOUL),
        hubs=(hub,),
        couriers=couriers,
        orders=orders,
        travel=CircuityModel(),
    )
    result = run_day(scenario, OverloadingStrategy(), DayConfig())
    assert result.refused_trips > 0
    assert result.trips == []
    assert sorted(result.undelivered) == ["far", "o0", "o1", "o2"]


class RecordingGreedy:
    """Greedy that keeps every round input it was given (a test double)."""

    name = "recording"

    def __init__(self) -> None:
        self.inputs: list[RoundInput] = []
        self.inner = GreedyDispatch()

    def plan(self, round_input: RoundInput, travel: TravelTimeModel) -> RoundPlan:
        self.inputs.append(round_input)
        return self.inner.plan(round_input, travel)


def test_rounds_see_estimates_never_the_actual_time_of_a_bag_not_yet_packed(scenario: Scenario) -> None:
    strategy = RecordingGreedy()
    config = DayConfig(event_rounds=False)
    run_day(scenario, strategy, config)
    actual = {}
    for hub in scenario.hubs:
        actual.update(pack(hub, [o for o in scenario.orders if o.hub_id == hub.id], seed=config.seed))
    unpacked = packed = 0
    for round_input in strategy.inputs:
        for s in round_input.shipments:
            if actual[s.id].packed_at <= round_input.now:
                assert s.ready_at == actual[s.id].packed_at
                packed += 1
            else:
                assert s.ready_at > round_input.now
                assert s.ready_at != actual[s.id].packed_at
                unpacked += 1
    assert packed > 0
    assert unpacked > 0


class DepartWhenExpected:
    """Every open shipment on the first courier's trip, leaving when the round expects the
    last bag packed (a test double)."""

    name = "depart-when-expected"

    def plan(self, round_input: RoundInput, travel: TravelTimeModel) -> RoundPlan:
        depart = max([round_input.now, *(s.ready_at for s in round_input.shipments)])
        stops = tuple(PlannedStop(s.id, depart + 5, False) for s in round_input.shipments)
        return RoundPlan(round_input.hub_id, (CourierPlan(round_input.couriers[0].id, depart, stops, 0.0),))


def one_order_day(seed: int, round_seconds: float) -> tuple[DayResult, Packing]:
    hub = HubSpec("h", Point(37.55, 126.90), pickers=1, pick_minutes=10.0, pick_minutes_per_item=0.0)
    orders = (OrderSpec("o", 0.0, "h", Point(37.551, 126.90), 1, 60.0),)
    scenario = Scenario(
        start=__import__("datetime").datetime(2025, 6, 2, 10, tzinfo=SEOUL),
        hubs=(hub,),
        couriers=(CourierSpec("c", "h", Mode.BIKE, 10, 0.0, 120.0),),
        orders=orders,
        travel=CircuityModel(),
    )
    config = DayConfig(round_seconds=round_seconds, seed=seed)
    return run_day(scenario, DepartWhenExpected(), config), pack(hub, orders, seed=seed)["o"]


def first_seed(packed: Callable[[float], bool]) -> int:
    """The first seed whose one bag (expected in 10 minutes) is packed as asked."""
    hub = HubSpec("h", Point(37.55, 126.90), pickers=1, pick_minutes=10.0, pick_minutes_per_item=0.0)
    order = OrderSpec("o", 0.0, "h", Point(37.551, 126.90), 1, 60.0)
    return next(s for s in range(1, 100) if packed(pack(hub, [order], seed=s)["o"].packed_at))


def test_a_bag_packed_later_than_expected_keeps_its_trip_waiting() -> None:
    # One round at minute 0 (the next is an hour later): the trip is planned to leave at
    # the estimate (10); the bag is packed later, and the courier leaves with it then.
    result, packing = one_order_day(first_seed(lambda at: at > 11.0), round_seconds=3600)
    assert packing.expected_minutes == 10.0 < 11.0 < packing.packed_at
    (delivery,) = result.deliveries
    assert delivery.picked_up_at == delivery.packed_at == packing.packed_at


def test_a_bag_packed_earlier_than_expected_leaves_earlier() -> None:
    # Rounds every minute: the first round after the bag is packed sends it, before the
    # estimate the earlier rounds planned with.
    result, packing = one_order_day(first_seed(lambda at: at < 9.0), round_seconds=60)
    assert packing.packed_at < 9.0
    (delivery,) = result.deliveries
    assert delivery.picked_up_at == math.ceil(packing.packed_at) < packing.expected_minutes
