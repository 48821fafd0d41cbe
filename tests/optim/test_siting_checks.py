"""Argument checks and pre-solve infeasibility checks (optim/siting/checks.py)."""

from __future__ import annotations

import numpy as np
import pytest

from hyperlocal.optim.siting import CandidateSite, DemandPoint, SitingInputError, SitingProblem
from hyperlocal.optim.siting.checks import (
    budget_shortfall,
    check_budget,
    check_p,
    check_promise,
    check_target,
    check_time_limit,
    share,
    won,
)

PROBLEM = SitingProblem.from_mapping(
    (DemandPoint("d", 1.0),),
    (CandidateSite("a", rent=300), CandidateSite("b", rent=100), CandidateSite("c", fixed_open=True)),
    {"d": {"a": 1.0}},
)


def test_p_counts_only_sites_not_already_open() -> None:
    assert check_p(PROBLEM, 2) == 2
    assert check_p(PROBLEM, np.int64(0)) == 0
    with pytest.raises(
        SitingInputError, match="p=3 is more than the 2 candidate sites that are not already open"
    ):
        check_p(PROBLEM, 3)
    with pytest.raises(SitingInputError, match="p must be a whole number of sites, not True"):
        check_p(PROBLEM, True)


def test_promise_time_limit_and_target() -> None:
    assert check_promise(None) is None
    assert check_promise(15) == 15.0
    with pytest.raises(SitingInputError, match="the promise must be at least 0, not -1"):
        check_promise(-1)
    assert check_time_limit(0.5) == 0.5
    with pytest.raises(SitingInputError, match="the time limit must be a finite number"):
        check_time_limit(float("inf"))
    assert check_target(1) == 1.0
    with pytest.raises(SitingInputError, match=r"not -0\.5"):
        check_target(-0.5)


def test_a_budget_needs_every_new_sites_rent_and_open_sites_cost_nothing() -> None:
    assert check_budget(PROBLEM, None) is None
    assert check_budget(PROBLEM, 1000).tolist() == [300.0, 100.0, 0.0]  # type: ignore[union-attr]
    with pytest.raises(SitingInputError, match=r"whole number of won, not 10\.5"):
        check_budget(PROBLEM, 10.5)  # type: ignore[arg-type]
    unpriced = SitingProblem.from_mapping((DemandPoint("d", 1.0),), (CandidateSite("x"),), {})
    with pytest.raises(SitingInputError, match="site 'x' has no rent"):
        check_budget(unpriced, 5)


def test_the_budget_shortfall_names_the_cheapest_p() -> None:
    rent = check_budget(PROBLEM, 399)
    assert rent is not None
    assert budget_shortfall(PROBLEM, 2, 400, rent) is None
    assert budget_shortfall(PROBLEM, 2, 399, rent) == (
        "the rent budget of 399 won cannot pay for p=2 sites: the 2 cheapest cost 400 won"
    )


def test_shares_never_round_up_to_a_target_they_miss() -> None:
    assert share(0.94996) == "94.9%"
    assert share(0.95) == "95.0%"
    assert won(1234567) == "1,234,567 won"
