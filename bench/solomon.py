"""Routing quality on Solomon VRPTW instances: the project's routing module against PyVRP direct.

Run from the repository root with the project's virtualenv:

    .venv/bin/python bench/solomon.py                  # 10 instances x seeds 1,2,3 x 10 s x 2
    .venv/bin/python bench/solomon.py --quick          # one instance, one seed, 1 s
    .venv/bin/python bench/solomon.py my/R103.txt --bks 1213.62 --seconds 30

For each instance and seed it solves the same problem twice with the same wall-clock budget
and seed: through ``hyperlocal.optim.routing`` (the code path dispatch rounds use: float
matrices, scaled to integers inside) and by calling PyVRP directly (its own ``Model``, edges
x1000 rounded, ``Model.solve``). Both costs are recomputed in double precision Euclidean
distance from the routes found, and compared with the best-known distance (fleet free).
It prints each instance's mean gap for both, the overall means and their difference in
percentage points. Only feasible runs (every client served, no window, capacity or shift
broken) count in the means; infeasible runs are counted per solver, and any one of them
misses the target (exit 1 with --strict). See bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyvrp
from pyvrp.stop import MaxRuntime

from hyperlocal.optim.routing import Client, Depot, RoutingProblem, VehicleType, solve

DATA = Path(__file__).parent / "data" / "solomon"
SCALE = 1000  # as in the routing module's default: x1000 loses nothing measurable
TARGET_GAP = 0.5  # % over best known, overall mean of the project's runs
TARGET_DIFF_PP = 0.15  # percentage points the project may trail PyVRP direct by

FloatMatrix = npt.NDArray[np.float64]


class BadInstance(ValueError):
    """The file is not a Solomon instance this script can read."""


@dataclass(frozen=True)
class Instance:
    name: str
    vehicles: int
    capacity: int
    xy: FloatMatrix  # node 0 is the depot
    demand: list[int]
    ready: list[float]
    due: list[float]
    service: list[float]

    @property
    def distances(self) -> FloatMatrix:
        delta = self.xy[:, None, :] - self.xy[None, :, :]
        result: FloatMatrix = np.sqrt((delta**2).sum(axis=2))
        return result


def read_solomon(path: Path) -> Instance:
    """Parse the classic Solomon text format (name, VEHICLE section, CUSTOMER rows)."""
    lines = [line.split() for line in path.read_text().splitlines()]
    lines = [line for line in lines if line]
    starts = [i for i, line in enumerate(lines) if line[0].upper() == "VEHICLE"]
    if not starts:
        raise BadInstance(f"{path}: not a Solomon instance (no VEHICLE section)")
    start = starts[0]
    try:
        vehicles, capacity = (int(v) for v in lines[start + 2][:2])
        rows = [line for line in lines[start + 3 :] if line[0].isdigit()]
        table = np.array([[float(v) for v in row[:7]] for row in rows])
    except (IndexError, ValueError) as error:
        raise BadInstance(f"{path}: not a Solomon instance ({error})") from None
    if table.ndim != 2 or table.shape[0] < 2 or table.shape[1] != 7 or table[0, 0] != 0:
        raise BadInstance(f"{path}: expected a depot row 0 and customer rows of 7 numbers")
    return Instance(
        name=lines[0][0],
        vehicles=vehicles,
        capacity=capacity,
        xy=table[:, 1:3],
        demand=[int(v) for v in table[:, 3]],
        ready=list(table[:, 4]),
        due=list(table[:, 5]),
        service=list(table[:, 6]),
    )


def route_distance(distances: FloatMatrix, routes: list[list[int]]) -> float:
    """Double-precision length of routes given as location indices (depot 0 implied)."""
    return sum(
        float(sum(distances[a, b] for a, b in zip([0, *route], [*route, 0], strict=True))) for route in routes
    )


def through_project(instance: Instance, seconds: float, seed: int) -> tuple[float, bool]:
    matrix = instance.distances
    horizon = instance.due[0]
    problem = RoutingProblem(
        distances=(matrix,),
        durations=(matrix,),
        depots=(Depot(0, tw_early=instance.ready[0], tw_late=horizon),),
        vehicle_types=(
            VehicleType(capacity=instance.capacity, num_available=instance.vehicles, tw_late=horizon),
        ),
        clients=tuple(
            Client(
                location=i,
                demand=instance.demand[i],
                service=instance.service[i],
                tw_early=instance.ready[i],
                tw_late=instance.due[i],
            )
            for i in range(1, len(instance.demand))
        ),
        distance_scale=SCALE,
        duration_scale=SCALE,
        coordinates=tuple((float(x), float(y)) for x, y in instance.xy),
    )
    solution = solve(problem, time_limit_s=seconds, seed=seed)
    routes = [[problem.clients[v.client].location for v in route.visits] for route in solution.routes]
    # Same recomputation as for PyVRP direct, from the routes, so both are scored alike.
    return route_distance(matrix, routes), solution.feasible and not solution.unassigned


def direct_pyvrp(instance: Instance, seconds: float, seed: int) -> tuple[float, bool]:
    matrix = instance.distances
    scaled = np.rint(matrix * SCALE).astype(np.int64)
    model = pyvrp.Model()
    depot = model.add_depot(
        model.add_location(*instance.xy[0]),
        tw_early=round(instance.ready[0] * SCALE),
        tw_late=round(instance.due[0] * SCALE),
    )
    for i in range(1, len(instance.demand)):
        model.add_client(
            model.add_location(*instance.xy[i]),
            delivery=instance.demand[i],
            service_duration=round(instance.service[i] * SCALE),
            tw_early=round(instance.ready[i] * SCALE),
            tw_late=round(instance.due[i] * SCALE),
        )
    model.add_vehicle_type(
        num_available=instance.vehicles,
        capacity=instance.capacity,
        start_depot=depot,
        end_depot=depot,
        tw_late=round(instance.due[0] * SCALE),
    )
    for i, frm in enumerate(model.locations):
        for j, to in enumerate(model.locations):
            if i != j:
                model.add_edge(frm, to, int(scaled[i, j]), int(scaled[i, j]))
    result = model.solve(MaxRuntime(seconds), seed=seed, display=False)
    # Locations were added depot first, then clients in order: client k is location k + 1.
    routes = [
        [activity.idx + 1 for activity in route if activity.is_client()] for route in result.best.routes()
    ]
    served = sum(len(route) for route in routes)
    return route_distance(matrix, routes), bool(result.best.is_feasible()) and served == len(
        instance.demand
    ) - 1


def read_bks(path: Path) -> dict[str, float]:
    with path.open(newline="") as file:
        return {row["instance"]: float(row["bks_min_distance"]) for row in csv.DictReader(file)}


def gap(distance: float, bks: float) -> float:
    return 100.0 * (distance - bks) / bks


def mean_gap(runs: list[tuple[float, bool]], bks: float) -> float | None:
    """Mean gap of the feasible runs (every client served, no constraint broken); None if
    there are none. An infeasible run's distance says nothing about quality."""
    gaps = [gap(distance, bks) for distance, feasible in runs if feasible]
    return statistics.fmean(gaps) if gaps else None


def _pct(value: float | None) -> str:
    return f"{value:>+10.3f}" if value is not None else f"{'n/a':>10}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "files", nargs="*", type=Path, help="Solomon instance files (default: bench/data/solomon)"
    )
    parser.add_argument("--bks", type=float, help="best-known distance, for a single file not in bks.csv")
    parser.add_argument("--bks-csv", type=Path, default=DATA / "bks.csv")
    parser.add_argument("--seconds", type=float, default=10.0, help="wall clock per run and solver (10)")
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds (1,2,3)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--quick", action="store_true", help="smoke run: C101, seed 1, 1 s")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    files: list[Path] = args.files or sorted(DATA.glob("*.txt"))
    seconds: float = args.seconds
    try:
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--seeds must be integers separated by commas, got {args.seeds!r}")
    if args.quick:
        files, seconds, seeds = (args.files[:1] or [DATA / "C101.txt"]), 1.0, seeds[:1]
    if not seeds or not (math.isfinite(seconds) and seconds > 0):
        parser.error("need at least one seed and a positive --seconds")
    if args.bks is not None and len(files) != 1:
        parser.error("--bks applies to a single instance file")
    bks_table = read_bks(args.bks_csv) if args.bks_csv.exists() else {}

    warnings.simplefilter("ignore")  # PyVRP's penalty warnings on hard starts are noise here
    rows: list[dict[str, object]] = []
    project_gaps: list[float] = []
    direct_gaps: list[float] = []
    infeasible = {"project": 0, "direct": 0}
    print(
        f"{len(files)} instance(s), seeds {seeds}, {seconds:g} s per run and solver; gaps to best known in %"
    )
    print(f"{'instance':<10}{'bks':>10}{'project':>10}{'direct':>10}{'diff pp':>10}")
    started = time.perf_counter()
    for path in files:
        try:
            instance = read_solomon(path)
        except (OSError, BadInstance) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        bks = args.bks if args.bks is not None else bks_table.get(instance.name)
        if bks is None:
            print(f"error: no best-known distance for {instance.name}; pass --bks", file=sys.stderr)
            return 2
        ours = [through_project(instance, seconds, seed) for seed in seeds]
        theirs = [direct_pyvrp(instance, seconds, seed) for seed in seeds]
        project_gap, direct_gap = mean_gap(ours, bks), mean_gap(theirs, bks)
        bad = {"project": sum(not f for _, f in ours), "direct": sum(not f for _, f in theirs)}
        row: dict[str, object] = {
            "instance": instance.name,
            "bks": bks,
            "project_distances": [d for d, _ in ours],
            "direct_distances": [d for d, _ in theirs],
            "project_feasible_runs": [f for _, f in ours],
            "direct_feasible_runs": [f for _, f in theirs],
            "project_feasible": not bad["project"],
            "direct_feasible": not bad["direct"],
            "project_gap": project_gap,  # over feasible runs only; None when there are none
            "direct_gap": direct_gap,
        }
        rows.append(row)
        for solver, count in bad.items():
            infeasible[solver] += count
        if project_gap is not None:
            project_gaps.append(project_gap)
        if direct_gap is not None:
            direct_gaps.append(direct_gap)
        diff = project_gap - direct_gap if project_gap is not None and direct_gap is not None else None
        flag = "".join(
            f"  ({count} infeasible {solver} run(s), left out of the mean)"
            for solver, count in bad.items()
            if count
        )
        print(
            f"{instance.name:<10}{bks:>10.2f}{_pct(project_gap)}{_pct(direct_gap)}{_pct(diff)}{flag}",
            flush=True,
        )
    project = statistics.fmean(project_gaps) if project_gaps else None
    direct = statistics.fmean(direct_gaps) if direct_gaps else None
    difference = project - direct if project is not None and direct is not None else None
    met = {
        "mean_gap": project is not None and project <= TARGET_GAP,
        "vs_direct": difference is not None and difference <= TARGET_DIFF_PP,
        "all_runs_feasible": not any(infeasible.values()),
    }
    print(f"{'mean':<10}{'':>10}{_pct(project)}{_pct(direct)}{_pct(difference)}")
    runs = len(files) * len(seeds)
    print(
        f"overall mean gap (feasible runs): project {_pct(project).strip()} % (target <= {TARGET_GAP} %), "
        f"PyVRP direct {_pct(direct).strip()} %, difference {_pct(difference).strip()} pp "
        f"(target within {TARGET_DIFF_PP} pp); {time.perf_counter() - started:.0f} s"
    )
    print(
        f"infeasible runs (every one misses the target): project {infeasible['project']} of {runs}, "
        f"PyVRP direct {infeasible['direct']} of {runs}"
    )
    print(
        "targets: "
        + ("met" if all(met.values()) else "MISSED: " + ", ".join(k for k, v in met.items() if not v))
    )
    if args.json:
        figures = {
            "seconds": seconds,
            "seeds": seeds,
            "instances": rows,
            "project_mean_gap": project,
            "direct_mean_gap": direct,
            "difference_pp": difference,
            "project_infeasible_runs": infeasible["project"],
            "direct_infeasible_runs": infeasible["direct"],
            "runs_per_solver": runs,
            "met": met,
            "scale": SCALE,
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 1 if args.strict and not all(met.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
