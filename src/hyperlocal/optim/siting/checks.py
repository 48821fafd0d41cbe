"""Argument checks shared by the models, and the infeasibility checks that can be made
before solving (so that the message names the constraint instead of a solver status)."""

from __future__ import annotations

import math

import numpy as np

from .problem import FloatArray, SitingInputError, SitingProblem, finite_number

__all__ = [
    "budget_shortfall",
    "check_budget",
    "check_p",
    "check_promise",
    "check_target",
    "check_time_limit",
    "won",
]


def won(amount: float) -> str:
    return f"{round(amount):,} won"


def check_p(problem: SitingProblem, p: int) -> int:
    if isinstance(p, bool) or not isinstance(p, int | np.integer):
        raise SitingInputError(f"p must be a whole number of sites, not {p!r}")
    if p < 0:
        raise SitingInputError(f"p must be at least 0, not {p}")
    free = sum(1 for s in problem.sites if not s.fixed_open)
    if p > free:
        raise SitingInputError(f"p={p} is more than the {free} candidate sites that are not already open")
    return int(p)


def check_promise(promise: float | None) -> float | None:
    """The promise cuts the reach to pairs with travel <= promise (None: every pair)."""
    return None if promise is None else finite_number(promise, "the promise")


def check_time_limit(seconds: float) -> float:
    value = finite_number(seconds, "the time limit")
    if value <= 0:
        raise SitingInputError(f"the time limit must be above 0 seconds, not {value:g}")
    return value


def check_target(target: float) -> float:
    value = finite_number(target, "the coverage target")
    if not 0 < value <= 1:
        raise SitingInputError(f"the coverage target is a share of demand in (0, 1], not {value:g}")
    return value


def check_budget(problem: SitingProblem, budget: int | None) -> FloatArray | None:
    """The rent of every site as floats (open sites cost nothing), or None without a budget."""
    if budget is None:
        return None
    if isinstance(budget, bool) or not isinstance(budget, int | np.integer):
        raise SitingInputError(f"the rent budget must be a whole number of won, not {budget!r}")
    if budget < 0:
        raise SitingInputError(f"the rent budget must be at least 0 won, not {budget}")
    for site in problem.sites:
        if site.rent is None and not site.fixed_open:
            raise SitingInputError(f"site {site.id!r} has no rent, so a rent budget cannot be checked")
    return np.array(
        [0 if s.fixed_open or s.rent is None else s.rent for s in problem.sites], dtype=np.float64
    )


def budget_shortfall(problem: SitingProblem, p: int, budget: int, rent: FloatArray) -> str | None:
    """The message when even the p cheapest new sites cost more than the budget."""
    free = np.array([not s.fixed_open for s in problem.sites])
    cheapest = float(np.sort(rent[free])[:p].sum())
    if cheapest <= budget:
        return None
    return (
        f"the rent budget of {won(budget)} cannot pay for p={p} sites: the {p} cheapest cost {won(cheapest)}"
    )


def share(value: float) -> str:
    """A share as a percentage with one decimal, never rounded up to a target it misses."""
    return f"{math.floor(value * 1000 + 1e-9) / 10:.1f}%"
