"""The siting input (optim/siting/problem.py): every malformed input is a SitingInputError
with a message that names it, before any model runs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hyperlocal.optim.siting import CandidateSite, DemandPoint, Reach, SitingInputError, SitingProblem

DEMAND = (DemandPoint("a", 2.0), DemandPoint("b", 3.0), DemandPoint("c", 0.0))
SITES = (CandidateSite(1), CandidateSite(2, capacity=4.0, rent=100), CandidateSite(3, fixed_open=True))


def test_from_mapping_builds_the_compressed_reach_by_position() -> None:
    problem = SitingProblem.from_mapping(DEMAND, SITES, {"a": {1: 5.0, 3: 7.5}, "c": {2: 1.0}})
    assert problem.reach.start.tolist() == [0, 2, 2, 3]
    assert problem.reach.site.tolist() == [0, 2, 1]
    assert problem.reach.travel.tolist() == [5.0, 7.5, 1.0]
    assert problem.total_weight == 5.0
    assert problem.weights.tolist() == [2.0, 3.0, 0.0]
    assert problem.fixed.tolist() == [0.0, 0.0, 1.0]


def test_within_keeps_the_pairs_inside_the_promise() -> None:
    problem = SitingProblem.from_mapping(DEMAND, SITES, {"a": {1: 5.0, 3: 7.5}, "b": {1: 9.0}, "c": {2: 1.0}})
    cut = problem.reach.within(7.5)
    assert cut.start.tolist() == [0, 2, 2, 3]
    assert cut.site.tolist() == [0, 2, 1]
    assert problem.reach.within(None) is problem.reach
    assert problem.reach.within(0.5).pairs == 0


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: DemandPoint("x", -1.0), "the weight of demand point 'x' must be at least 0"),
        (lambda: DemandPoint("x", math.nan), "the weight of demand point 'x' must be a finite number"),
        (lambda: DemandPoint("x", math.inf), "must be a finite number"),
        (lambda: DemandPoint("x", "3"), "must be a number"),  # type: ignore[arg-type]
        (lambda: CandidateSite("s", capacity=-2.0), "the capacity of site 's' must be at least 0"),
        (lambda: CandidateSite("s", capacity=math.nan), "the capacity of site 's' must be a finite number"),
        (lambda: CandidateSite("s", rent=-1), "the rent of site 's' must be at least 0"),
        (lambda: CandidateSite("s", rent=10.5), "whole number of won"),  # type: ignore[arg-type]
        (lambda: SitingProblem.from_mapping((), SITES, {}), "there is no demand"),
        (lambda: SitingProblem.from_mapping(DEMAND, (), {}), "there are no candidate sites"),
        (
            lambda: SitingProblem.from_mapping((DemandPoint("a", 0.0), DemandPoint("b", 0.0)), SITES, {}),
            "the total demand weight is 0",
        ),
        (
            lambda: SitingProblem.from_mapping((*DEMAND, DemandPoint("a", 1.0)), SITES, {}),
            "demand point id 'a'",
        ),
        (
            lambda: SitingProblem.from_mapping(DEMAND, (*SITES, CandidateSite(2)), {}),
            "site id 2 appears more",
        ),
        (
            lambda: SitingProblem.from_mapping(DEMAND, SITES, {"z": {1: 1.0}}),
            "demand point 'z', which is not",
        ),
        (
            lambda: SitingProblem.from_mapping(DEMAND, SITES, {"a": {9: 1.0}}),
            "site 9, which is not a candidate",
        ),
        (
            lambda: SitingProblem.from_mapping(DEMAND, SITES, {"a": {1: -1.0}}),
            "travel time .* finite number >= 0",
        ),
        (lambda: SitingProblem.from_mapping(DEMAND, SITES, {"a": {1: math.nan}}), "finite number >= 0"),
    ],
    ids=[
        "weight-negative",
        "weight-nan",
        "weight-inf",
        "weight-text",
        "capacity-negative",
        "capacity-nan",
        "rent-negative",
        "rent-fraction",
        "no-demand",
        "no-sites",
        "zero-weight",
        "duplicate-point",
        "duplicate-site",
        "unknown-point",
        "unknown-site",
        "travel-negative",
        "travel-nan",
    ],
)
def test_bad_input_is_refused_with_a_message_that_names_it(build: object, message: str) -> None:
    with pytest.raises(SitingInputError, match=message):
        build()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("reach", "message"),
    [
        (Reach(np.array([0, 1]), np.array([0]), np.array([1.0])), "row starts"),
        (Reach(np.array([0, 1, 1, 2]), np.array([0]), np.array([1.0])), "one entry per pair"),
        (Reach(np.array([0, 1, 1, 1]), np.array([3]), np.array([1.0])), "site position outside 0..2"),
        (Reach(np.array([0, 2, 2, 2]), np.array([1, 1]), np.array([1.0, 2.0])), "pair more than once"),
        (Reach(np.array([0, 2, 1, 2]), np.array([1, 0]), np.array([1.0, 2.0])), "non-decreasing"),
    ],
    ids=["short", "lengths", "site-range", "duplicate-pair", "decreasing"],
)
def test_a_malformed_reach_is_refused(reach: Reach, message: str) -> None:
    with pytest.raises(SitingInputError, match=message):
        SitingProblem(DEMAND, SITES, reach)


def test_the_input_error_is_a_value_error() -> None:
    assert issubclass(SitingInputError, ValueError)
