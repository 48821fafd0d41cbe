import math

import pytest

from hyperlocal.optim.routing import ride


def test_a_ride_hands_over_at_the_hub_rides_waits_for_windows_and_comes_back() -> None:
    timed = ride(10.0, [5.0, 3.0, 4.0], [2.0, 1.0], opens=[0.0, 30.0], handover=1.0)
    assert timed.arrivals == (16.0, 21.0)  # 10 + 1 + 5; 16 + 2 + 3
    assert timed.starts == (16.0, 30.0)  # the second waits for its window
    assert timed.back == 35.0  # 30 + 1 + 4


def test_without_stops_a_ride_is_the_way_back() -> None:
    timed = ride(10.0, [7.0], [])
    assert (timed.arrivals, timed.back) == ((), 17.0)


def test_an_unreachable_leg_makes_everything_after_it_infinite() -> None:
    timed = ride(0.0, [1.0, math.inf, 1.0], [1.0, 1.0])
    assert timed.arrivals == (1.0, math.inf)
    assert timed.back == math.inf


def test_legs_must_match_the_stops() -> None:
    with pytest.raises(ValueError, match="one leg per stop"):
        ride(0.0, [1.0], [1.0])
    with pytest.raises(ValueError, match="one opening per stop"):
        ride(0.0, [1.0, 1.0], [1.0], opens=[])
