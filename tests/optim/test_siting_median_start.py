"""The p-median warm start (optim/siting/median_start.py): reach every point first, then the
lowest travel; under capacities whole points at the nearest site with room, or no assignment."""

from __future__ import annotations

import numpy as np

from hyperlocal.optim.siting import Reach
from hyperlocal.optim.siting.median_start import median_start

# Points 0, 1 near site 0; point 2 reaches only site 2; site 1 is in between.
REACH = Reach.from_rows([{0: 1.0, 1: 4.0}, {0: 2.0, 1: 3.0}, {2: 1.0, 1: 9.0}])
WEIGHT = np.array([1.0, 1.0, 5.0])


def test_the_greedy_start_reaches_every_point_before_it_saves_travel() -> None:
    start = median_start(REACH, WEIGHT, np.zeros(3, dtype=bool), 2, np.full(3, np.inf))
    assert start.open_sites.tolist() == [True, False, True]
    assert start.share is not None
    assert start.share.tolist() == [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]  # each at its nearest open site


def test_open_sites_stay_open_and_are_not_counted() -> None:
    fixed = np.array([False, False, True])
    start = median_start(REACH, WEIGHT, fixed, 1, np.full(3, np.inf))
    assert start.open_sites.tolist() == [True, False, True]


def test_under_capacities_points_move_to_a_site_with_room_or_the_start_has_no_assignment() -> None:
    capacity = np.array([1.0, 10.0, 5.0])
    start = median_start(REACH, WEIGHT, np.array([True, True, False]), 1, capacity)
    assert start.share is not None
    # Point 2 (weight 5) at site 2; point 0 fills site 0; point 1 goes on to site 1.
    assert start.share.tolist() == [1.0, 0.0, 0.0, 1.0, 1.0, 0.0]
    cramped = median_start(REACH, WEIGHT, np.array([True, False, False]), 1, np.array([1.0, 1.0, 5.0]))
    assert cramped.share is None


def test_under_a_budget_each_step_leaves_enough_for_the_cheapest_sites_still_to_open() -> None:
    rent = np.array([50.0, 10.0, 45.0])
    closed, unlimited = np.zeros(3, dtype=bool), np.full(3, np.inf)
    # 95 pays for the plan without a budget (sites 0 and 2); with 60, site 2 (45) leaves 15:
    # site 0 (50) no longer fits, site 1 (10) does.
    assert median_start(REACH, WEIGHT, closed, 2, unlimited, rent=rent, budget=95).open_sites.tolist() == [
        True,
        False,
        True,
    ]
    tight = median_start(REACH, WEIGHT, closed, 2, unlimited, rent=rent, budget=60)
    assert tight.open_sites.tolist() == [False, True, True]
    # With 55 the first pick must leave 10 for the second: site 2 (45) still does, 0 (50) not.
    assert median_start(REACH, WEIGHT, closed, 2, unlimited, rent=rent, budget=55).open_sites.tolist() == [
        False,
        True,
        True,
    ]
