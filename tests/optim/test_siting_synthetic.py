"""The synthetic district (optim/siting/synthetic.py): reproducible from its seed, the
sizes asked for, reach within the promise, capacities that bind."""

from __future__ import annotations

import numpy as np

from hyperlocal.optim.siting.synthetic import district


def test_the_same_seed_gives_the_same_instance_and_another_seed_another() -> None:
    one, again, other = district(5), district(5), district(6)
    assert np.array_equal(one.weights, again.weights)
    assert np.array_equal(one.reach.site, again.reach.site)
    assert np.array_equal(one.reach.travel, again.reach.travel)
    assert [s.capacity for s in one.sites] == [s.capacity for s in again.sites]
    assert not np.array_equal(one.weights, other.weights)


def test_a_district_has_the_sizes_of_the_planner_s_input() -> None:
    problem = district(1)
    assert len(problem.demand) == 274
    assert len(problem.sites) == 146
    assert sum(s.fixed_open for s in problem.sites) == 4
    assert 15_000 < problem.reach.pairs < 30_000
    assert float(problem.reach.travel.max()) <= 15.0
    assert all(s.rent is None for s in problem.sites)


def test_capacities_bind() -> None:
    problem = district(2)
    total = problem.total_weight
    open_room = sum(s.capacity or 0.0 for s in problem.sites if s.fixed_open)
    largest = max(s.capacity or 0.0 for s in problem.sites if not s.fixed_open)
    assert open_room + largest < total  # one new site cannot serve everything
    assert abs(open_room - 4 * round(0.1 * total, 1)) < 1e-6
