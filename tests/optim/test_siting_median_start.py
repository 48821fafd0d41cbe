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
