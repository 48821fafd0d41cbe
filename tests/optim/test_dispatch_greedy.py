import math

from hyperlocal.geo import Mode
from hyperlocal.optim.dispatch import CarriedStop, GreedyDispatch, RoundInput

from .conftest import HUB, TRAVEL, courier, north, shipment


def plan(shipments: tuple, couriers: tuple, now: float = 10.0):  # type: ignore[no-untyped-def]
    return GreedyDispatch().plan(RoundInput("h", HUB, now, shipments, couriers), TRAVEL)


def test_the_oldest_ready_shipment_goes_first_one_per_trip() -> None:
    result = plan((shipment("new", 500, ready_at=5.0), shipment("old", 500, ready_at=1.0)), (courier("c"),))
    (trip,) = result.trips
    assert trip.courier_id == "c"
    assert trip.depart_at == 10.0
    assert [s.shipment_id for s in trip.stops] == ["old"]
    assert abs(trip.distance_m - 1000.0) < 1.0
    # "new" waits for the courier to come back: 1 min hand-over, 2 min out, 2 min hand-over at
    # the door, 2 min back, then its own ride out.
    assert set(result.waiting) == {"new"}
    assert math.isclose(result.waiting["new"], 10.0 + 1 + 2 + 2 + 2 + 1 + 2, rel_tol=1e-3)


def test_the_courier_who_gets_there_first_takes_it() -> None:
    result = plan((shipment("a", 2000),), (courier("bike"), courier("scooter", mode=Mode.SCOOTER)))
    assert [t.courier_id for t in result.trips] == ["scooter"]


def test_two_ready_shipments_never_share_a_trip() -> None:
    result = plan(
        (shipment("a", 500), shipment("b", 520)), (courier("c", capacity=10), courier("d", capacity=10))
    )
    assert sorted(len(t.stops) for t in result.trips) == [1, 1]
    assert {t.courier_id for t in result.trips} == {"c", "d"}


def test_shipments_not_packed_yet_wait_even_with_idle_couriers() -> None:
    result = plan((shipment("a", 500, ready_at=20.0),), (courier("c"),))
    assert result.trips == ()
    assert math.isclose(result.waiting["a"], 20.0 + 1 + 2, rel_tol=1e-3)


def test_couriers_out_on_a_trip_are_not_idle() -> None:
    busy = courier("c", at=north(300), carrying=(CarriedStop("x", north(300), 60.0),))
    result = plan((shipment("a", 500),), (busy,))
    assert result.trips == ()
    assert "a" in result.waiting


def test_a_late_trip_is_still_made_and_flagged() -> None:
    result = plan((shipment("a", 5000, due_by=15.0),), (courier("c"),))
    assert result.trips[0].stops[0].late
    assert result.late == {"a"}


def test_a_shipment_no_courier_can_carry_waits_forever_flagged() -> None:
    result = plan((shipment("big", 500, items=9),), (courier("c", capacity=4),))
    assert result.trips == ()
    assert result.waiting == {"big": math.inf}
    assert result.late == {"big"}


def test_a_trip_that_would_end_after_the_shift_is_not_given() -> None:
    result = plan((shipment("a", 2500),), (courier("c", shift_ends_at=15.0),))
    assert result.trips == ()
    assert result.waiting["a"] == math.inf
