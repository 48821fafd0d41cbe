"""Building the reach (optim/siting/reach.py): from planar points and a radius, in chunks,
from a travel function, and the planar problem helper."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hyperlocal.optim.siting import (
    CandidateSite,
    DemandPoint,
    SitingInputError,
    planar_problem,
    reach_from_planar,
    reach_from_travel,
)
from hyperlocal.optim.siting import reach as reach_module


def pairs(reach: object) -> dict[tuple[int, int], float]:
    start, site, travel = reach.start, reach.site, reach.travel  # type: ignore[attr-defined]
    return {
        (i, int(site[k])): float(travel[k])
        for i in range(len(start) - 1)
        for k in range(start[i], start[i + 1])
    }


def test_planar_reach_holds_exactly_the_pairs_within_the_radius_inclusive() -> None:
    reach = reach_from_planar([[0, 0], [3, 4], [20, 20]], [[0, 0], [6, 8]], 5.0)
    assert pairs(reach) == {(0, 0): 0.0, (1, 0): 5.0, (1, 1): 5.0}
    assert reach.start.tolist() == [0, 1, 3, 3]


def test_planar_reach_is_the_same_computed_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(2)
    points, sites = rng.uniform(0, 10, (300, 2)), rng.uniform(0, 10, (40, 2))
    whole = pairs(reach_from_planar(points, sites, 1.5))
    monkeypatch.setattr(reach_module, "CHUNK", 7)
    assert pairs(reach_from_planar(points, sites, 1.5)) == whole
    expected = {
        (i, j): math.dist(points[i], sites[j])
        for i in range(300)
        for j in range(40)
        if math.dist(points[i], sites[j]) <= 1.5
    }
    assert whole.keys() == expected.keys()
    assert all(whole[key] == pytest.approx(value) for key, value in expected.items())


@pytest.mark.parametrize(
    ("points", "sites", "radius", "message"),
    [
        ([[0, 0]], [[0, 0]], -1.0, "the radius must be at least 0"),
        ([[0, 0]], [[0, 0]], math.nan, "the radius must be a finite number"),
        ([[0, 0, 0]], [[0, 0]], 1.0, "the demand coordinates must be an \\(n, 2\\) array"),
        ([[0, 0]], [[0, math.nan]], 1.0, "the site coordinates must be finite"),
    ],
    ids=["negative", "nan-radius", "shape", "nan-coordinate"],
)
def test_planar_reach_refuses_bad_input(points: object, sites: object, radius: float, message: str) -> None:
    with pytest.raises(SitingInputError, match=message):
        reach_from_planar(points, sites, radius)  # type: ignore[arg-type]


def test_reach_from_travel_keeps_the_pairs_within_the_maximum() -> None:
    demand = [DemandPoint("a", 1.0), DemandPoint("b", 1.0)]
    sites = [CandidateSite("x"), CandidateSite("y")]
    minutes = {("a", "x"): 5.0, ("a", "y"): 20.0, ("b", "x"): 15.0, ("b", "y"): 16.0}
    reach = reach_from_travel(demand, sites, lambda d, s: minutes[(str(d.id), str(s.id))], 15.0)
    assert pairs(reach) == {(0, 0): 5.0, (1, 0): 15.0}


@pytest.mark.parametrize("bad", [math.nan, -1.0])
def test_reach_from_travel_refuses_a_bad_travel_time(bad: float) -> None:
    with pytest.raises(SitingInputError, match="travel from 'a' to 'x'"):
        reach_from_travel([DemandPoint("a", 1.0)], [CandidateSite("x")], lambda d, s: bad, 15.0)


def test_planar_problem_numbers_points_and_sites_and_sets_their_fields() -> None:
    problem = planar_problem(
        [[0, 0], [1, 0]],
        [2.0, 3.0],
        [[0, 0], [5, 5]],
        1.0,
        rent=[10, 20],
        capacity=[None, 4],
        fixed_open=[True, False],
    )
    assert [d.id for d in problem.demand] == [0, 1]
    assert problem.sites == (CandidateSite(0, None, 10, True), CandidateSite(1, 4.0, 20, False))
    assert pairs(problem.reach) == {(0, 0): 0.0, (1, 0): 1.0}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": [1.0]}, "expected 2 weights"),
        ({"rent": [1]}, "expected 2 values of rent"),
        ({"fixed_open": [True, False, True]}, "expected 2 values of fixed_open"),
    ],
)
def test_planar_problem_refuses_lists_of_the_wrong_length(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"weights": [1.0, 1.0]} | kwargs
    with pytest.raises(SitingInputError, match=message):
        planar_problem([[0, 0], [1, 1]], site_xy=[[0, 0], [1, 1]], radius=1.0, **arguments)  # type: ignore[arg-type]
