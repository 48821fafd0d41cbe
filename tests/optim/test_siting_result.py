"""Results (optim/siting/result.py): nearest-site assignment, covered weight and share,
the statuses, and the one-line message of a covering plan."""

from __future__ import annotations

import numpy as np
import pytest

from hyperlocal.optim.siting import CandidateSite, DemandPoint, SitingProblem, SolveStatus
from hyperlocal.optim.siting.result import covering_message, evaluate_plan, no_plan, plan_result

PROBLEM = SitingProblem.from_mapping(
    (DemandPoint("p", 1.0), DemandPoint("q", 2.0), DemandPoint("r", 4.0), DemandPoint("s", 8.0)),
    (CandidateSite("A"), CandidateSite("B"), CandidateSite("C", fixed_open=True)),
    {"p": {"A": 3.0, "B": 1.0}, "q": {"A": 1.0, "C": 2.0}, "r": {"B": 5.0}},
)


def test_each_point_goes_to_its_nearest_open_site() -> None:
    nearest, travel = evaluate_plan(PROBLEM.reach, PROBLEM.weights, np.array([True, False, True]))
    assert nearest.tolist() == [0, 0, -1, -1]
    assert travel.tolist() == [3.0, 1.0, np.inf, np.inf]


def test_a_plan_result_counts_what_the_open_sites_serve() -> None:
    result = plan_result(
        PROBLEM,
        "mclp",
        SolveStatus.OPTIMAL,
        [1, 1],
        reach=PROBLEM.reach,
        objective=7.0,
        bound=7.0,
        gap=0.0,
        seconds=0.5,
        message="m",
        sizes={"points": 4},
    )
    assert result.new_sites == ("B",)
    assert result.fixed_sites == ("C",)
    assert result.sites == ("B", "C")
    assert result.assignment == {"B": 5.0, "C": 2.0}
    assert result.covered_weight == 7.0
    assert result.covered_share == pytest.approx(7.0 / 15.0)
    assert result.optimal
    assert result.has_plan
    assert result.sizes == {"points": 4}


def test_served_weights_replace_the_nearest_site_assignment() -> None:
    served = np.array([0.5, 1.5, 0.0])
    result = plan_result(
        PROBLEM, "x", SolveStatus.TIME_LIMIT_WITH_PLAN, [0, 1], reach=PROBLEM.reach,
        objective=2.0, bound=3.0, gap=0.5, seconds=1.0, message="", served=served,
    )  # fmt: skip
    assert result.assignment == {"A": 0.5, "B": 1.5, "C": 0.0}
    assert result.covered_weight == 2.0
    assert not result.optimal


def test_no_plan_keeps_the_open_sites_and_serves_nothing() -> None:
    result = no_plan(PROBLEM, "mclp", SolveStatus.INFEASIBLE, seconds=0.1, message="why")
    assert (result.new_sites, result.fixed_sites, result.assignment) == ((), ("C",), {})
    assert (result.objective, result.covered_weight, result.message) == (None, 0.0, "why")
    assert not result.has_plan
    assert not no_plan(PROBLEM, "x", SolveStatus.TIME_LIMIT_NO_PLAN, seconds=0, message="").has_plan


def test_the_covering_message_says_how_sure_and_why_it_stopped() -> None:
    def result(status: SolveStatus, gap: float | None) -> object:
        return plan_result(
            PROBLEM, "mclp", status, [1], reach=PROBLEM.reach, objective=7.0, bound=8.0, gap=gap,
            seconds=0.0, message="",
        )  # fmt: skip

    optimal = covering_message(result(SolveStatus.OPTIMAL, 0.00005), p=1, adding=1, budget=None, stopped=None)  # type: ignore[arg-type]
    assert optimal == "1 new sites cover 7.0 (46.67 %); proven optimal (gap 0.0050 %)"
    stopped = covering_message(
        result(SolveStatus.TIME_LIMIT_WITH_PLAN, 0.125),
        p=3,
        adding=1,
        budget=1_500_000,
        stopped="time_limit",  # type: ignore[arg-type]
    )
    assert stopped == (
        "1 new sites cover 7.0 (46.67 %); stopped by the time limit: the best plan found, gap 12.5000 %; "
        "only 1 of the p=3 new sites add coverage; the others reach the most weight anyway; "
        "within the rent budget of 1,500,000 won"
    )
