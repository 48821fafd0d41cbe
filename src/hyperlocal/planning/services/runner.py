"""Run a plan: build the inputs, solve the chosen model (and the p = 1..N comparison), and
return the RESULT JSON (``outcome``). Writes nothing; the job that calls it stores it.

An infeasible model or a time limit without a plan is a result with its status and
message, not an exception; bad input is ``InvalidInput``. p-median solves on each cell's
nearest pairs (``inputs.MedianPairs``); when those leave no plan, it solves again on every
pair within the time left before it says so, because the pairs left out may hold the plan
(the greedy plan that chose them ignores rent and capacities)."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime

from hyperlocal.errors import InvalidInput
from hyperlocal.geo import TravelTimeModel
from hyperlocal.optim.siting import (
    SitingInputError,
    SitingProblem,
    SitingResult,
    solve_mclp,
    solve_p_median,
    solve_set_cover,
)
from hyperlocal.planning.services.inputs import PlanInputs, Progress, build_inputs
from hyperlocal.planning.services.outcome import curve_point, result_json
from hyperlocal.planning.services.parameters import PlanParameters

__all__ = ["Progress", "run_plan", "solve", "solve_on"]

# The time limit is the whole run's solving budget: with a p = 1..N comparison the main
# solve gets MAIN_SHARE of it and the comparison's points share what is left (each the
# rest divided by the points still to solve, at least MIN_CURVE_SECONDS).
MAIN_SHARE = 0.5
MIN_CURVE_SECONDS = 0.01
SOLVING_AT = 0.3  # progress fraction when the main solve starts


def _field(message: str) -> str | None:
    text = message.lower()
    if text.startswith("p=") or text.startswith("p must"):
        return "p"
    for word, field in (
        ("budget", "budget_won"),
        ("target", "target"),
        ("time limit", "time_limit_seconds"),
        ("promise", "promise_minutes"),
    ):
        if word in text:
            return field
    return None


def solve(inputs: PlanInputs, *, p: int | None = None, time_limit: float | None = None) -> SitingResult:
    """Solve the inputs' model (``p`` overrides the parameters' p; ``time_limit`` its limit)."""
    return solve_on(inputs, p=p, time_limit=time_limit)[0]


def solve_on(
    inputs: PlanInputs, *, p: int | None = None, time_limit: float | None = None
) -> tuple[SitingResult, SitingProblem]:
    """``solve``, with the problem the result was solved on (p-median: its pairs, every pair
    when the nearest ones left no plan), which its metrics are counted on."""
    params = inputs.params
    seconds = params.time_limit_seconds if time_limit is None else time_limit
    problem = inputs.problem if p is None else inputs.problem_for(p)
    began = time.perf_counter()
    result = _solve(inputs, problem, p, seconds)
    if params.model != "p_median" or result.has_plan:
        return result, problem
    full = inputs.full_problem_for(params.p if p is None else p)
    left = seconds - (time.perf_counter() - began)
    if full is None or left <= MIN_CURVE_SECONDS:
        return result, problem
    again = _solve(inputs, full, p, left)
    if again.has_plan:
        note = "solved on every site-cell pair: the nearest pairs alone held no plan"
    else:
        note = "on every site-cell pair as well"
    return replace(again, message=f"{again.message}; {note}", seconds=result.seconds + again.seconds), full


def _solve(inputs: PlanInputs, problem: SitingProblem, p: int | None, seconds: float) -> SitingResult:
    params = inputs.params
    try:
        if params.model == "mclp":
            return solve_mclp(
                problem,
                params.p if p is None else p,
                promise=params.promise_minutes,
                budget=params.budget_won,
                capacitated=params.capacitated,
                time_limit=seconds,
            )
        if params.model == "set_cover":
            return solve_set_cover(
                problem,
                params.target,
                promise=params.promise_minutes,
                budget=params.budget_won,
                capacitated=params.capacitated,
                time_limit=seconds,
            )
        if params.model == "p_median":
            # The reach holds each cell's nearest sites (inputs.MedianPairs), beyond the promise.
            return solve_p_median(
                problem,
                params.p if p is None else p,
                budget=params.budget_won,
                capacitated=params.capacitated,
                time_limit=seconds,
            )
    except SitingInputError as exc:
        raise InvalidInput(str(exc), field=_field(str(exc))) from None
    raise InvalidInput(f"unknown model {params.model!r}", field="model")


def _say(progress: Progress | None, what: str, fraction: float | None) -> None:
    if progress is not None:
        progress(what, fraction)


def curve_top(inputs: PlanInputs) -> int:
    """The largest p of the comparison (0: none)."""
    params = inputs.params
    return min(params.curve_up_to, inputs.new_candidates) if params.uses_p else 0


def _curve(
    inputs: PlanInputs,
    main: tuple[SitingResult, SitingProblem],
    progress: Progress | None,
    deadline: float,
) -> list[dict[str, object]]:
    params = inputs.params
    top = curve_top(inputs)
    if top <= 0:
        return []
    points = []
    left = [p for p in range(1, top + 1) if p != params.p]
    for p in range(1, top + 1):
        _say(
            progress, f"comparing p={p} of {top}", SOLVING_AT + (1 - SOLVING_AT) * (0.5 + 0.5 * (p - 1) / top)
        )
        if p == params.p:
            result, problem = main
        else:
            share = max(MIN_CURVE_SECONDS, (deadline - time.perf_counter()) / len(left))
            left.remove(p)
            result, problem = solve_on(inputs, p=p, time_limit=share)
        points.append(curve_point(inputs, p, result, problem=problem))
    return points


def run_plan(
    params: PlanParameters,
    *,
    model: TravelTimeModel | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> dict[str, object]:
    """The RESULT JSON of the plan asked for; writes nothing."""
    started = time.perf_counter()
    inputs = build_inputs(params, model=model, progress=progress, now=now)
    what = f"solving p={params.p}" if params.uses_p else f"solving for {100 * params.target:g} % coverage"
    _say(progress, what, SOLVING_AT)
    # The time limit covers every solve: the main one and the comparison's.
    deadline = time.perf_counter() + params.time_limit_seconds
    top = curve_top(inputs)
    others = top - (1 if 1 <= params.p <= top else 0)
    main_limit = params.time_limit_seconds * (MAIN_SHARE if others > 0 else 1.0)
    result, problem = solve_on(inputs, time_limit=main_limit)
    curve = _curve(inputs, (result, problem), progress, deadline)
    out = result_json(inputs, result, curve=curve, problem=problem)
    out["total_seconds"] = round(time.perf_counter() - started, 3)
    _say(progress, "done", 1.0)
    return out
