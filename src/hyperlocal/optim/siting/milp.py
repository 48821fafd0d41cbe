"""A MILP as plain arrays (rows in compressed form), handed to HiGHS in one ``passModel``
call, solved under a wall-clock limit; the outcome carries the incumbent whatever stopped
the solver, with HiGHS's own bound and relative gap."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum

import highspy
import numpy as np
from highspy._core import _Highs

from .problem import FloatArray, IntArray

__all__ = ["Clock", "Milp", "MilpOutcome", "MilpStatus", "RowBlock", "solve_lp", "solve_milp"]

INF = highspy.kHighsInf


class MilpStatus(StrEnum):
    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"
    INFEASIBLE = "infeasible"
    FAILED = "failed"


@dataclass(frozen=True, eq=False)
class RowBlock:
    """Rows ``lower[r] <= sum value * x[index] <= upper[r]`` over ``index[start[r]:start[r+1]]``."""

    start: IntArray
    index: IntArray
    value: FloatArray
    lower: FloatArray
    upper: FloatArray

    @classmethod
    def single(cls, index: IntArray, value: FloatArray, lower: float, upper: float) -> RowBlock:
        return cls(
            np.array([0, len(index)], dtype=np.int64),
            index.astype(np.int64),
            value.astype(np.float64),
            np.array([lower]),
            np.array([upper]),
        )


@dataclass(frozen=True, eq=False)
class Milp:
    maximise: bool
    cost: FloatArray
    lower: FloatArray
    upper: FloatArray
    integer: np.ndarray
    rows: list[RowBlock] = field(default_factory=list)
    offset: float = 0.0

    @property
    def columns(self) -> int:
        return len(self.cost)

    def stacked(self) -> RowBlock:
        """All row blocks as one."""
        if not self.rows:
            empty = np.zeros(0)
            return RowBlock(np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64), empty, empty, empty)
        shifts = np.cumsum([0] + [int(b.start[-1]) for b in self.rows[:-1]])
        start = np.concatenate([[0]] + [b.start[1:] + s for b, s in zip(self.rows, shifts, strict=True)])
        return RowBlock(
            start.astype(np.int64),
            np.concatenate([b.index for b in self.rows]),
            np.concatenate([b.value for b in self.rows]),
            np.concatenate([b.lower for b in self.rows]),
            np.concatenate([b.upper for b in self.rows]),
        )


@dataclass(frozen=True, eq=False)
class MilpOutcome:
    status: MilpStatus
    values: FloatArray | None  # the incumbent (None when there is none)
    objective: float | None
    bound: float | None
    gap: float | None  # relative, as HiGHS reports it: |objective - bound| / |objective|
    seconds: float
    row_dual: FloatArray | None = None


def _highs(milp: Milp, time_limit: float, relax: bool) -> _Highs:
    # The bare binding: highspy.Highs registers a Python callback in its constructor, which
    # prints HiGHS's banner before output can be switched off; these models need no callback.
    h = _Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(float(time_limit), 1e-3))
    rows = milp.stacked()
    integrality = np.zeros(milp.columns, dtype=np.int32) if relax else milp.integer.astype(np.int32)
    sense = highspy.ObjSense.kMaximize if milp.maximise else highspy.ObjSense.kMinimize
    status = h.passModel(
        milp.columns,
        len(rows.lower),
        int(rows.start[-1]),
        int(highspy.MatrixFormat.kRowwise),
        int(sense),
        float(milp.offset),
        milp.cost,
        milp.lower,
        milp.upper,
        rows.lower,
        rows.upper,
        rows.start.astype(np.int32),
        rows.index.astype(np.int32),
        rows.value,
        integrality,
    )
    if status == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS refused the model (a bug in the siting model builder)")
    return h


def solve_milp(
    milp: Milp,
    *,
    time_limit: float,
    mip_gap: float = 1e-4,
    start: FloatArray | None = None,
    partial: tuple[IntArray, FloatArray] | None = None,
) -> MilpOutcome:
    """Solve with HiGHS; ``start`` is a feasible assignment of the columns (a warm start),
    ``partial`` the values of some columns (HiGHS completes the rest, if it can)."""
    began = time.perf_counter()
    if milp.columns == 0:
        return MilpOutcome(MilpStatus.OPTIMAL, np.zeros(0), milp.offset, milp.offset, 0.0, 0.0)
    h = _highs(milp, time_limit, relax=False)
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = np.asarray(start, dtype=np.float64)
        solution.value_valid = True
        h.setSolution(solution)
    elif partial is not None:
        h.setSolution(len(partial[0]), partial[0].astype(np.int32), partial[1].astype(np.float64))
    h.run()
    model_status = h.getModelStatus()
    info = h.getInfo()
    seconds = time.perf_counter() - began
    has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
    values = np.array(h.getSolution().col_value, dtype=np.float64) if has_plan else None
    objective = float(info.objective_function_value) if has_plan else None
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
    if model_status == highspy.HighsModelStatus.kOptimal:
        status = MilpStatus.OPTIMAL
    elif model_status in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        status = MilpStatus.INFEASIBLE
    elif model_status == highspy.HighsModelStatus.kTimeLimit:
        status = MilpStatus.TIME_LIMIT
    else:
        status = MilpStatus.FAILED
    gap = float(info.mip_gap) if has_plan and np.isfinite(info.mip_gap) else relative_gap(objective, bound)
    return MilpOutcome(status, values, objective, bound, gap, seconds)


def solve_lp(milp: Milp, *, time_limit: float) -> MilpOutcome:
    """The LP relaxation by the interior point method (fast on these covering LPs),
    with its row duals; ``values`` are the relaxed columns."""
    began = time.perf_counter()
    h = _highs(milp, time_limit, relax=True)
    h.setOptionValue("solver", "ipm")
    h.run()
    seconds = time.perf_counter() - began
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return MilpOutcome(MilpStatus.FAILED, None, None, None, None, seconds)
    solution = h.getSolution()
    objective = float(h.getInfo().objective_function_value)
    values = np.array(solution.col_value, dtype=np.float64)
    duals = np.array(solution.row_dual, dtype=np.float64)
    return MilpOutcome(MilpStatus.OPTIMAL, values, objective, objective, 0.0, seconds, duals)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|objective - bound| / |objective| (0 when both are 0; None without either)."""
    if objective is None or bound is None:
        return None
    if objective == bound:
        return 0.0
    return abs(objective - bound) / max(abs(objective), 1e-12)


class Clock:
    """The wall-clock budget of one model call, shared by its stages."""

    def __init__(self, seconds: float) -> None:
        self.began = time.perf_counter()
        self.seconds = seconds

    def elapsed(self) -> float:
        return time.perf_counter() - self.began

    def left(self) -> float:
        return self.seconds - self.elapsed()
