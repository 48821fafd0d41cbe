"""Site planning: maximal covering on HiGHS, the project's reduced model against the plain
formulation and against PySAL's spopt, each in the same run.

Run from the repository root with the project's virtualenv:

    .venv/bin/python bench/siting.py                 # 10,000 x 500, p = 20, then 2,000 x 100 with spopt
    .venv/bin/python bench/siting.py --quick         # smoke run on subsamples, seconds
    .venv/bin/python bench/siting.py --no-plain      # leave out the plain baseline (minutes)
    .venv/bin/python bench/siting.py --demo-city     # part 3 alone: set covering on the demo city

Part 1 solves the instance in bench/data/siting (10,000 weighted demand points, 500
candidate sites, planar km, coverage within 2 km, p = 20) with ``solve_mclp`` (reduced
model, HiGHS relative gap tolerance 0.01 %), once more with a zero gap tolerance (a proof of
the exact optimum), and with ``solve_mclp_plain`` (the unreduced MILP). Every plan's
covered weight is recounted here from the raw coordinates. It prints objectives, bounds,
gaps, times, the plain/reduced time ratio (target >= 2x) and the reduction sizes.

Part 2 draws 2,000 points and 100 sites from the same instance (seeded), p = 10, and
solves it with ``solve_mclp`` (zero gap tolerance) and with spopt's MCLP on PuLP/CBC, from
the same cost matrix: both objectives (they must agree) and the time ratio. spopt is a
benchmark-only dependency: ``pip install -e '.[bench]'``; without it part 2 is skipped.

Part 3 builds the demo city (``build_demo`` with the default seed, Mapo-gu's 16 dongs, its
population grid, 150 vacant spaces and the hubs it opens) in a new SQLite database in a
temporary folder, reads the planner's inputs from it as a plan does (``clean_parameters``,
``build_inputs``: demand per cell from the population grid, candidate spaces, open hubs,
bike ride times within a 15-minute promise) and asks how many new sites cover 95 % of the
demand: ``solve_set_cover`` (the MILP) against ``greedy_set_cover`` on the same problem,
once with the open hubs fixed open and once without them. Every plan's coverage is recounted
here from the reach; the greedy plan may never need fewer sites than a proven optimum.

Exit status: 0 when every plan recounts to its reported objective and the objectives that
must agree do; 2 otherwise; with --strict also 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hyperlocal.optim.siting import (
    SitingProblem,
    SitingResult,
    greedy_set_cover,
    planar_problem,
    solve_mclp,
    solve_mclp_plain,
    solve_set_cover,
)

DATA = Path(__file__).parent / "data" / "siting"
RADIUS_KM = 2.0
NOTE_OPTIMUM = 252_989.6  # bench/data/siting/SOURCE.md: HiGHS's objective for its optimal plan
NOTE_TOTAL = 329_491.0
TARGET_RATIO = 2.0
OPTIMAL_GAP = 1e-4  # "optimal": relative gap <= 0.01 %
# Part 3: the question on the demo city.
DEMO_TARGET = 0.95
DEMO_PROMISE_MINUTES = 15.0
# A tighter promise as well: 15 minutes by bike reaches most of the district from a few sites.
DEMO_TIGHT_PROMISES = (5.0,)
DEMO_MODE = "bike"
DEMO_SEED = 20240601  # build_demo's default seed (and the Makefile's)
QUICK_DEMO_HOUSEHOLDS = 2_000

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Instance:
    demand_xy: FloatArray
    weights: FloatArray
    site_xy: FloatArray

    def subsample(self, points: int, sites: int, seed: int) -> Instance:
        rng = np.random.default_rng(seed)
        i = np.sort(rng.choice(len(self.weights), size=points, replace=False))
        j = np.sort(rng.choice(len(self.site_xy), size=sites, replace=False))
        return Instance(self.demand_xy[i], self.weights[i], self.site_xy[j])

    def distances(self) -> FloatArray:
        delta = self.demand_xy[:, None, :] - self.site_xy[None, :, :]
        result: FloatArray = np.sqrt((delta**2).sum(axis=2))
        return result


def read_instance(folder: Path) -> Instance:
    """demand.csv (id, x_km, y_km, weight) and sites.csv (id, x_km, y_km), ids 0..n-1 in order."""
    with (folder / "demand.csv").open() as f:
        demand = [(float(r["x_km"]), float(r["y_km"]), float(r["weight"])) for r in csv.DictReader(f)]
    with (folder / "sites.csv").open() as f:
        sites = [(float(r["x_km"]), float(r["y_km"])) for r in csv.DictReader(f)]
    table = np.array(demand)
    return Instance(table[:, :2], table[:, 2], np.array(sites))


def recount(instance: Instance, chosen: list[int]) -> float:
    """The weight within RADIUS_KM of a chosen site, from the coordinates (not the solver's reach)."""
    if not chosen:
        return 0.0
    delta = instance.demand_xy[:, None, :] - instance.site_xy[np.array(chosen)][None, :, :]
    reached = (np.sqrt((delta**2).sum(axis=2)) <= RADIUS_KM).any(axis=1)
    return float(instance.weights[reached].sum())


@dataclass(frozen=True)
class Run:
    model: str
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    recount: float
    seconds: float
    sites: list[int]
    sizes: dict[str, int]
    message: str

    @property
    def optimal(self) -> bool:
        return self.status == "optimal" and self.gap is not None and self.gap <= OPTIMAL_GAP

    @property
    def recounted(self) -> bool:
        """The plan covers what the solver says it covers, counted from the coordinates."""
        return self.objective is not None and abs(self.recount - self.objective) <= 1e-6 * max(
            1.0, self.objective
        )


@dataclass(frozen=True)
class PartOne:
    points: int
    sites: int
    p: int
    pairs: int
    build_seconds: float
    runs: list[Run]


@dataclass(frozen=True)
class PartTwo:
    points: int
    sites: int
    p: int
    ours: Run
    spopt: Run | None
    spopt_failure: str | None


def run_of(name: str, instance: Instance, result: SitingResult, seconds: float | None = None) -> Run:
    chosen = sorted(int(j) for j in result.sites)  # planar_problem ids are row numbers
    return Run(
        name,
        str(result.status),
        result.objective,
        result.best_bound,
        result.gap,
        recount(instance, chosen),
        result.seconds if seconds is None else seconds,
        chosen,
        dict(result.sizes),
        result.message,
    )


def part_one(instance: Instance, p: int, time_limit: float, plain: bool) -> PartOne:
    began = time.perf_counter()
    problem = planar_problem(instance.demand_xy, instance.weights, instance.site_xy, RADIUS_KM)
    build = time.perf_counter() - began
    runs = [run_of("reduced", instance, solve_mclp(problem, p, time_limit=time_limit))]
    runs.append(
        run_of("reduced, gap 0", instance, solve_mclp(problem, p, time_limit=time_limit, mip_gap=0.0))
    )
    if plain:
        runs.append(run_of("plain", instance, solve_mclp_plain(problem, p, time_limit=time_limit)))
        # Again after the long plain run: the machine's load may have changed meanwhile.
        runs.append(run_of("reduced, again", instance, solve_mclp(problem, p, time_limit=time_limit)))
    return PartOne(len(instance.weights), len(instance.site_xy), p, problem.reach.pairs, build, runs)


def part_two(instance: Instance, p: int, time_limit: float) -> PartTwo | str:
    """Ours and spopt's MCLP on the same instance, each timed from coordinates or costs to a plan."""
    try:
        import pulp
        from spopt.locate import MCLP
    except ImportError as error:
        return f"spopt is not importable ({error}); install it with: pip install -e '.[bench]'"
    cost = instance.distances()
    began = time.perf_counter()
    problem = planar_problem(instance.demand_xy, instance.weights, instance.site_xy, RADIUS_KM)
    ours = solve_mclp(problem, p, time_limit=time_limit, mip_gap=0.0)
    ours_run = run_of("hyperlocal (HiGHS)", instance, ours, time.perf_counter() - began)
    began = time.perf_counter()
    try:
        model = MCLP.from_cost_matrix(cost, instance.weights, service_radius=RADIUS_KM, p_facilities=p)
        model = model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit))
    except Exception as error:  # spopt raises when CBC stops without a proven optimum
        return PartTwo(
            len(instance.weights),
            len(instance.site_xy),
            p,
            ours_run,
            None,
            f"{type(error).__name__}: {error}",
        )
    seconds = time.perf_counter() - began
    chosen = [j for j, var in enumerate(model.fac_vars) if (var.value() or 0) > 0.5]
    objective = float(pulp.value(model.problem.objective))
    status = "optimal" if pulp.LpStatus[model.problem.status] == "Optimal" else str(model.problem.status)
    spopt_run = Run(
        "spopt (PuLP/CBC)", status, objective, None, None, recount(instance, chosen), seconds, chosen, {}, ""
    )
    return PartTwo(len(instance.weights), len(instance.site_xy), p, ours_run, spopt_run, None)


@dataclass(frozen=True)
class CoverRun:
    """One set-covering plan of part 3."""

    method: str
    status: str
    sites: int | None  # new sites; None without a plan
    gap: float | None
    covered_share: float
    recount_share: float  # recounted here from the reach and the plan's open sites
    seconds: float
    message: str

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def recounted(self) -> bool:
        return self.sites is None or abs(self.recount_share - self.covered_share) <= 1e-9


@dataclass(frozen=True)
class DemoCase:
    """Set covering on the demo city with or without its open hubs."""

    existing_hubs_included: bool
    promise_minutes: float
    demand_cells: int
    orders_per_day: float
    candidate_spaces: int
    existing_hubs: int
    pairs: int
    inputs_seconds: float
    milp: CoverRun
    greedy: CoverRun

    @property
    def difference(self) -> int | None:
        if self.milp.sites is None or self.greedy.sites is None:
            return None
        return self.greedy.sites - self.milp.sites


@dataclass(frozen=True)
class PartThree:
    seed: int
    households: int
    build_seconds: float
    grid_cells: int
    cases: list[DemoCase]


def covered_share(problem: SitingProblem, open_sites: set[str], promise: float) -> float:
    """The share of demand weight with an open site within the promise, from the reach."""
    reach = problem.reach
    is_open = np.array([site.id in open_sites for site in problem.sites], dtype=bool)
    good = is_open[reach.site] & (reach.travel <= promise)
    covered = np.zeros(len(problem.demand), dtype=bool)
    covered[reach.point_of_pair()[good]] = True
    return float(problem.weights[covered].sum() / problem.total_weight)


def cover_run(method: str, problem: SitingProblem, result: SitingResult, promise: float) -> CoverRun:
    planned = result.has_plan
    return CoverRun(
        method,
        str(result.status),
        len(result.new_sites) if planned else None,
        result.gap,
        result.covered_share if planned else 0.0,
        covered_share(problem, {str(k) for k in result.sites}, promise) if planned else 0.0,
        result.seconds,
        result.message,
    )


def setup_demo_database(folder: Path) -> None:
    """Django on a new SQLite file in ``folder`` (whatever DATABASE_URL said), migrated."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "hyperlocal.settings",
            "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(40),
            "LOG_LEVEL": "ERROR",
        }
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False, skip_checks=True)


def demo_case(include_existing_hubs: bool, promise_minutes: float, time_limit: float) -> DemoCase:
    from hyperlocal.planning.services import build_inputs, clean_parameters
    from hyperlocal.simulation.demo.population import SOURCE

    params = clean_parameters(
        {
            "model": "set_cover",
            "target": DEMO_TARGET,
            "promise_minutes": promise_minutes,
            "mode": DEMO_MODE,
            "demand_source": "population",
            "population_source": SOURCE,
            "include_existing_hubs": include_existing_hubs,
            "time_limit_seconds": min(time_limit, 3600.0),
        }
    )
    began = time.perf_counter()
    inputs = build_inputs(params)
    inputs_seconds = time.perf_counter() - began
    problem = inputs.problem
    promise = params.promise_minutes
    milp = solve_set_cover(problem, params.target, promise=promise, time_limit=params.time_limit_seconds)
    greedy = greedy_set_cover(problem, params.target, promise=promise)
    existing = sum(1 for c in inputs.candidates if c.existing)
    return DemoCase(
        include_existing_hubs,
        promise,
        len(inputs.demand),
        sum(d.orders_per_day for d in inputs.demand),
        len(inputs.candidates) - existing,
        existing,
        problem.reach.within(promise).pairs,
        inputs_seconds,
        cover_run("MILP (HiGHS)", problem, milp, promise),
        cover_run("greedy", problem, greedy, promise),
    )


def part_three(seed: int, households: int | None, time_limit: float) -> PartThree | str:
    """The demo city in a temporary SQLite database; its set covering with and without hubs."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="siting-demo-") as folder:
        try:
            setup_demo_database(Path(folder))
        except Exception as error:  # Django set up already (another database) or not installable
            return f"the demo city needs its own database: {type(error).__name__}: {error}"
        from django.db import transaction

        from hyperlocal.planning.models import PopulationCell
        from hyperlocal.simulation.demo import build_demo
        from hyperlocal.simulation.demo.population import SOURCE

        with transaction.atomic():
            if households is None:
                outcome = build_demo(seed=seed)
            else:
                outcome = build_demo(seed=seed, households=households)
        promises = (DEMO_PROMISE_MINUTES, *DEMO_TIGHT_PROMISES)
        cases = [demo_case(hubs, promise, time_limit) for promise in promises for hubs in (True, False)]
        grid = PopulationCell.objects.filter(source=SOURCE).count()
        from django.db import connections

        connections.close_all()
    return PartThree(seed, outcome.build.households, outcome.build.seconds, grid, cases)


def demo_lines(three: PartThree) -> list[str]:
    """Part 3's figures, one line per case (the lines the README quotes)."""
    lines = [
        f"part 3: set covering of {100 * DEMO_TARGET:g}% of demand on the demo city (seed {three.seed}, "
        f"{three.households:,} homes, built in {three.build_seconds:.1f} s, population grid of "
        f"{three.grid_cells} cells), rides by {DEMO_MODE}"
    ]
    for case in three.cases:
        milp, greedy = case.milp, case.greedy
        hubs = f"{case.existing_hubs} hubs fixed open" if case.existing_hubs_included else "no hubs"
        if milp.sites is None:
            proof = f"no plan ({milp.status}: {milp.message})"
        else:
            gap = "-" if milp.gap is None else f"{100 * milp.gap:.2f}%"
            proof = f"{milp.sites} sites ({'optimal' if milp.optimal else milp.status}, gap {gap})"
        greedy_text = "no plan" if greedy.sites is None else f"{greedy.sites} sites"
        diff = case.difference
        if diff is None or milp.sites is None:
            difference = "-"
        else:
            difference = f"{diff:+d}" + (f" ({100 * diff / milp.sites:+.0f}%)" if milp.sites else "")
        lines.append(
            f"  {case.promise_minutes:g} min, {hubs}: {case.demand_cells} cells "
            f"({case.orders_per_day:,.0f} orders/day), {case.candidate_spaces} spaces, {case.pairs:,} pairs"
            f" | MILP {proof} {milp.seconds:.2f} s | greedy {greedy_text} {greedy.seconds:.2f} s"
            f" | greedy - MILP = {difference}"
            f" | covered {100 * milp.recount_share:.1f}% / {100 * greedy.recount_share:.1f}%"
        )
    return lines


def demo_checks(three: PartThree) -> dict[str, bool]:
    checks: dict[str, bool] = {}
    for case in three.cases:
        hubs = "with hubs" if case.existing_hubs_included else "without hubs"
        name = f"{case.promise_minutes:g} min {hubs}"
        milp, greedy = case.milp, case.greedy
        checks[f"recount demo {name}"] = milp.recounted and greedy.recounted
        reached = all(run.sites is None or run.recount_share >= DEMO_TARGET - 1e-9 for run in (milp, greedy))
        checks[f"recount demo {name} reaches the target"] = reached
        if milp.optimal and milp.sites is not None and greedy.sites is not None:
            checks[f"recount demo {name}: greedy no better than the optimum"] = greedy.sites >= milp.sites
        checks[f"demo {name} optimal"] = milp.optimal
    return checks


def _number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def report(one: PartOne, two: PartTwo | str, quick: bool) -> dict[str, bool]:
    """Print the tables. Returns the checks: recounts and agreements (correctness), targets."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=150)
    console.print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    console.print(
        f"part 1: maximal covering, {one.points:,} points x {one.sites} sites, p = {one.p}, within "
        f"{RADIUS_KM:g} km: {one.pairs:,} point-site pairs (reach built in {one.build_seconds:.2f} s)"
    )
    table = Table(title="bench/siting.py part 1")
    for column in ("model", "objective", "best bound", "gap %", "optimal", "recount", "seconds"):
        table.add_column(column, justify="left" if column == "model" else "right")
    checks: dict[str, bool] = {}
    for run in one.runs:
        checks[f"recount {run.model}"] = run.recounted
        table.add_row(
            run.model,
            _number(run.objective),
            _number(run.bound),
            _number(None if run.gap is None else 100 * run.gap, 4),
            "yes" if run.optimal else f"no ({run.status})",
            _number(run.recount) + ("" if run.recounted else " MISMATCH"),
            _number(run.seconds, 2),
        )
    console.print(table)
    for run in one.runs:
        if "HiGHS's objective" in run.message:  # the plain model's own count fell short of its plan
            console.print(f"{run.model}: {run.message.split('; ')[-1]} than its plan covers")
    ours, exact = one.runs[0], one.runs[1]
    sizes = ours.sizes
    console.print(
        f"reductions: points {sizes['points']:,} -> {sizes['points_merged']:,} merged -> "
        f"{sizes['points_in_model']:,} in the final model; sites {sizes['sites']} -> "
        f"{sizes['sites_undominated']} undominated -> {sizes['sites_after_fixing']} after LP fixing"
    )
    targets = {"reduced optimal": ours.optimal}
    objective = ours.objective or 0.0
    if not quick:
        near = abs(objective - NOTE_OPTIMUM) <= 0.1
        above = objective >= NOTE_OPTIMUM - 0.1
        console.print(
            f"the note's optimum {NOTE_OPTIMUM:,.1f} of {NOTE_TOTAL:,.1f}: reduced {objective:,.1f} "
            f"({objective - NOTE_OPTIMUM:+.1f}), within 0.1: {'yes' if near else 'no'}, "
            f"at least as good: {'yes' if above else 'NO'}"
        )
        console.print(
            f"the zero-gap run proves {_number(exact.objective)} optimal (bound {_number(exact.bound)})"
        )
        targets["at least the note's optimum"] = above
    if len(one.runs) > 2:
        plain, again = one.runs[2], one.runs[3]
        slower = max(ours.seconds, again.seconds)  # the reduced model's slower run, to be fair
        ratio = plain.seconds / slower
        met = ratio >= TARGET_RATIO
        console.print(
            f"speed: plain {plain.seconds:.1f} s / reduced {slower:.1f} s "
            f"(the slower of {ours.seconds:.1f} s before and {again.seconds:.1f} s after) = {ratio:.1f}x "
            f"(target >= {TARGET_RATIO:g}x: {'met' if met else 'MISSED'})"
        )
        targets["ratio"] = met
        # Within HiGHS's 0.01 % of the optimum that the zero-gap run knows exactly.
        best = exact.objective or 0.0
        checks["plain within its gap"] = (plain.objective or 0.0) >= best * (1 - OPTIMAL_GAP) - 1e-6
    else:
        console.print("plain formulation left out (--no-plain)")
    if isinstance(two, str):
        console.print(f"part 2 skipped: {two}")
        return checks | targets
    console.print(
        f"part 2: maximal covering, {two.points:,} points x {two.sites} sites drawn from part 1's "
        f"(seeded), p = {two.p}, both solvers to a zero gap"
    )
    table = Table(title="bench/siting.py part 2")
    for column in ("solver", "objective", "recount", "seconds"):
        table.add_column(column, justify="left" if column == "solver" else "right")
    for row in (two.ours, two.spopt):
        if row is not None:
            table.add_row(row.model, _number(row.objective), _number(row.recount), _number(row.seconds, 2))
    console.print(table)
    checks["recount part 2"] = two.ours.recounted and (two.spopt is None or two.spopt.recounted)
    if two.spopt is None:
        console.print(f"spopt failed: {two.spopt_failure}")
        checks["spopt agrees"] = False
        return checks | targets
    theirs, mine = two.spopt.objective or 0.0, two.ours.objective or 0.0
    agree = abs(mine - theirs) <= 1e-6 * max(1.0, theirs)
    ratio = two.spopt.seconds / two.ours.seconds
    console.print(f"objectives agree: {'yes' if agree else 'NO'}; time spopt / hyperlocal = {ratio:.1f}x")
    checks["spopt agrees"] = agree
    return checks | targets


def report_three(three: PartThree | str) -> dict[str, bool]:
    from rich.console import Console

    console = Console(width=250, highlight=False)
    if isinstance(three, str):
        console.print(f"part 3 failed: {three}")
        return {"recount demo city built": False}
    for line in demo_lines(three):
        console.print(line, markup=False)
    console.print(
        f"load average (1, 5, 15 min) after part 3: {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    return demo_checks(three)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="smoke run on subsamples (seconds)")
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds per solve (900)")
    parser.add_argument("--no-plain", action="store_true", help="leave out the plain formulation")
    parser.add_argument("--seed", type=int, default=2024, help="seed of part 2's subsample (2024)")
    parser.add_argument(
        "--demo-city", action="store_true", help="part 3 alone: set covering on the demo city"
    )
    parser.add_argument("--no-demo-city", action="store_true", help="leave out part 3")
    parser.add_argument(
        "--demo-seed", type=int, default=DEMO_SEED, help=f"the demo city's seed ({DEMO_SEED})"
    )
    parser.add_argument(
        "--demo-households",
        type=int,
        help=f"the demo city's homes (build_demo's default; --quick: {QUICK_DEMO_HOUSEHOLDS:,})",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if not args.time_limit > 0:
        parser.error("--time-limit must be above 0")
    if args.demo_city and args.no_demo_city:
        parser.error("--demo-city and --no-demo-city exclude each other")
    print(f"load average (1, 5, 15 min) at the start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    checks: dict[str, bool] = {}
    figures: dict[str, object] = {}
    if not args.demo_city:
        instance = read_instance(DATA)
        if args.quick:
            one = part_one(instance.subsample(3000, 150, args.seed), 10, args.time_limit, not args.no_plain)
            two = part_two(instance.subsample(600, 40, args.seed), 5, args.time_limit)
        else:
            one = part_one(instance, 20, args.time_limit, not args.no_plain)
            two = part_two(instance.subsample(2000, 100, args.seed), 10, args.time_limit)
        checks |= report(one, two, args.quick)
        figures |= {"part1": asdict(one), "part2": two if isinstance(two, str) else asdict(two)}
    if not args.no_demo_city:
        households = args.demo_households or (QUICK_DEMO_HOUSEHOLDS if args.quick else None)
        three = part_three(args.demo_seed, households, args.time_limit)
        checks |= report_three(three)
        figures["part3"] = three if isinstance(three, str) else asdict(three)
    if args.json:
        args.json.write_text(json.dumps(figures | {"checks": checks}, indent=2))
    correct = all(v for k, v in checks.items() if k.startswith(("recount", "plain", "spopt")))
    if not correct:
        return 2
    return 1 if args.strict and not all(checks.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
