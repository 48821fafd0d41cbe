import pytest

from hyperlocal.geo import Mode, haversine_m
from hyperlocal.optim.dispatch import CarriedStop, RoundInput
from hyperlocal.optim.dispatch.geometry import (
    RoundGeometry,
    courier_free_at,
    courier_timeline,
    is_late,
    road_metres,
)

from .conftest import HUB, TRAVEL, courier, north, shipment


def test_road_metres_of_a_circuity_model_is_its_stretched_straight_line() -> None:
    metres = road_metres(TRAVEL, [HUB], [north(1000)], Mode.SCOOTER)
    assert metres[0, 0] == pytest.approx(haversine_m(HUB, north(1000)))


def test_a_courier_carrying_stops_is_free_after_them_and_the_ride_back() -> None:
    carrying = (CarriedStop("a", north(500), 30.0, 2.0), CarriedStop("b", north(1500), 40.0, 2.0))
    busy = courier("c", at=north(250), carrying=carrying)
    at_hub = courier("d")
    round_input = RoundInput("h", HUB, 10.0, (), (busy, at_hub))
    # 250 m to a, 1000 m to b, 1500 m back, at 250 m/min, plus two hand-overs.
    assert courier_free_at(round_input, busy, TRAVEL) == pytest.approx(10.0 + 2750 / 250 + 4.0, rel=1e-3)
    assert courier_free_at(round_input, at_hub, TRAVEL) == 10.0


def test_a_courier_who_clocks_in_later_is_free_then() -> None:
    later = courier("c", available_from=25.0)
    assert courier_free_at(RoundInput("h", HUB, 10.0, (), (later,)), later, TRAVEL) == 25.0


def test_geometry_puts_the_hub_first_and_measures_round_trips() -> None:
    round_input = RoundInput("h", HUB, 0.0, (shipment("a", 1000), shipment("b", 2000)), (courier("c"),))
    geometry = RoundGeometry.of(round_input, TRAVEL)
    assert geometry.points[0] == HUB
    assert geometry.minutes[Mode.BIKE][0, 2] == pytest.approx(2000 / 250, rel=1e-3)
    assert geometry.trip(Mode.BIKE, [0, 1]) == pytest.approx(4000, rel=1e-3)


def test_late_means_past_the_promise_not_float_noise() -> None:
    assert not is_late(60.0 + 1e-9, 60.0)
    assert is_late(60.01, 60.0)


def test_the_timeline_gives_each_carried_stop_its_arrival_and_flags_the_late_ones() -> None:
    carrying = (CarriedStop("a", north(500), 12.0, 2.0), CarriedStop("b", north(1500), 16.0, 2.0))
    busy = courier("c", at=north(250), carrying=carrying)
    round_input = RoundInput("h", HUB, 10.0, (), (busy, courier("d")))
    etas, free_at = courier_timeline(round_input, busy, TRAVEL)
    # a: 250 m at 250 m/min; b: 2 min at a, then 1000 m.
    assert etas == pytest.approx((11.0, 17.0), rel=1e-3)
    assert free_at == courier_free_at(round_input, busy, TRAVEL)
    geometry = RoundGeometry.of(round_input, TRAVEL)
    assert geometry.carried_eta == pytest.approx({"a": 11.0, "b": 17.0}, rel=1e-3)
    assert geometry.carried_late(round_input) == {"b"}  # due by 16, there at 17
