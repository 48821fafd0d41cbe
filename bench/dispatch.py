"""Dispatch on a simulated day: optimised rounds (PyVRP) against the greedy baseline.

Run from the repository root with the project's virtualenv:

    .venv/bin/python bench/dispatch.py              # the day and the round timing
    .venv/bin/python bench/dispatch.py --scale      # also the 50,000-order day
    .venv/bin/python bench/dispatch.py --quick      # a small smoke run (about half a minute)

1. The demo city's day, in memory: Mapo-gu, 4 hubs, 10:00-22:00, 4,000 orders with a lunch
   and an evening peak, a 60-minute instant promise, couriers on bikes and scooters in
   shifts sized from the demand curve, rounds every 60 s. The same orders are dispatched by
   the greedy baseline and by optimised rounds in one run; it prints courier-km per
   delivered order for both, the reduction, and the on-time rates.
2. The time to decide one round for a hub with 60 open shipments and 15 couriers (sampled
   rounds at the production budget, RoundInput.time_limit_s), p95.
3. With --scale: 50,000 orders over 10 hubs, optimised at a small per-round iteration
   budget (printed with the figures), hubs in 2 processes; total time and time per round;
   then greedy on the same day, so that its km/order and on-time sit beside optimised's.

In the simulated days rounds see the hub's estimate of when a bag being picked will be
packed; the actual packing time varies around it (seeded; see
hyperlocal.simulation.day.picking).

See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

SEED = 20240601

TARGET_KM_REDUCTION = 0.25
TARGET_ON_TIME = 0.98
TARGET_GREEDY_ON_TIME = 0.95
TARGET_ROUND_P95_S = 2.0
TARGET_SCALE_S = 300.0


@dataclass(frozen=True)
class Size:
    orders: int
    hubs: int
    hours: float
    homes: int
    sample_rounds: int
    scale_orders: int
    scale_hubs: int
    scale_homes: int


FULL = Size(4000, 4, 12.0, 8000, 20, 50_000, 10, 30_000)
QUICK = Size(300, 2, 2.0, 1500, 3, 2000, 4, 3000)


def setup_django() -> Callable[[Any], bool]:
    """The demo's river band (``on_land``) lives beside Django models; importing it needs
    the app registry, not a database (nothing here opens a connection)."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "hyperlocal.settings",
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(40),
            "LOG_LEVEL": "ERROR",
        }
    )
    import django

    django.setup()
    from hyperlocal.simulation.demo.river import on_land

    return on_land


def say(text: str) -> None:
    print(text, flush=True)


# --- 1. the day -------------------------------------------------------------------------------


def day_comparison(size: Size, args: argparse.Namespace, on_land: Callable[[Any], bool]) -> dict[str, Any]:
    from hyperlocal.optim.dispatch import GreedyDispatch, OptimisedDispatch
    from hyperlocal.simulation.day import DayConfig, DayPlan, kpis, run_day, synthetic_day

    plan = DayPlan(orders=size.orders, hubs=size.hubs, hours=size.hours, homes=size.homes, seed=args.seed)
    scenario = synthetic_day(plan, accept=on_land)
    bikes = sum(1 for c in scenario.couriers if c.mode == "bike")
    say(
        f"day: {scenario.name}; {len(scenario.couriers)} courier shifts ({bikes} bike, "
        f"{len(scenario.couriers) - bikes} scooter), pickers per hub {[h.pickers for h in scenario.hubs]}, "
        f"promise {plan.promise_minutes:g} min, rounds every {args.round_seconds:g} s"
    )
    say(
        f"  packing: rounds see the hub's estimate; actual pick time gamma around it, "
        f"CV {scenario.hubs[0].pick_cv:g} (seed {args.seed})"
    )
    config = DayConfig(round_seconds=args.round_seconds, time_limit_s=args.time_limit, seed=args.seed)
    optimised = OptimisedDispatch(max_iterations=args.iterations)
    budget = f"max_iterations={args.iterations}, time_limit_s={args.time_limit:g}"
    results = {}
    for strategy in (GreedyDispatch(), optimised):
        result = run_day(scenario, strategy, config, processes=args.processes)
        results[strategy.name] = kpis(result)
        k = results[strategy.name]
        say(
            f"  {strategy.name:<9} {result.wall_seconds:6.1f} s  delivered {k.delivered:,}/{k.orders:,}  "
            f"on time {k.on_time_rate:.2%}  click-to-door p50 {k.click_to_door_p50:.1f} / "
            f"p90 {k.click_to_door_p90:.1f} min  km/order {k.km_per_delivered:.3f}  "
            f"orders/trip {k.orders_per_trip:.2f}  orders/courier-h {k.orders_per_courier_hour:.2f}  "
            f"utilisation {k.utilisation:.0%}  rounds {k.rounds:,} (mean {k.round_mean_s * 1000:.0f} ms, "
            f"p95 {k.round_p95_s * 1000:.0f} ms)" + (f"  [{budget}]" if strategy is optimised else "")
        )
    greedy, best = results["greedy"], results["optimised"]
    reduction = 1 - best.km_per_delivered / greedy.km_per_delivered
    say(
        f"  courier-km per delivered order: optimised {best.km_per_delivered:.3f} vs greedy "
        f"{greedy.km_per_delivered:.3f} = {reduction:.1%} fewer (target >= {TARGET_KM_REDUCTION:.0%})"
    )
    say(
        f"  on time: optimised {best.on_time_rate:.2%} vs greedy {greedy.on_time_rate:.2%} "
        f"(targets: optimised >= {TARGET_ON_TIME:.0%} and >= greedy; greedy >= {TARGET_GREEDY_ON_TIME:.0%})"
    )
    met = {
        "km_reduction": reduction >= TARGET_KM_REDUCTION,
        "optimised_on_time": best.on_time_rate >= TARGET_ON_TIME and best.on_time_rate >= greedy.on_time_rate,
        "greedy_on_time": greedy.on_time_rate >= TARGET_GREEDY_ON_TIME,
    }
    return {
        "scenario": scenario.name,
        "couriers": len(scenario.couriers),
        "budget": budget,
        "greedy": asdict(greedy),
        "optimised": asdict(best),
        "km_reduction": reduction,
        "met": met,
    }


# --- 2. one round -----------------------------------------------------------------------------


@contextmanager
def solver_iterations() -> Iterator[list[int]]:
    """Records the PyVRP iterations of every solve the optimised strategy makes in this
    process (a bench-side wrapper around the solve it calls; the strategy is unchanged)."""
    from hyperlocal.optim.dispatch import optimised as module

    counts: list[int] = []
    name = "solve"  # the routing solve the strategy module imported
    original = getattr(module, name)

    def counting(*a: Any, **kw: Any) -> Any:
        solution = original(*a, **kw)
        counts.append(solution.iterations)
        return solution

    setattr(module, name, counting)
    try:
        yield counts
    finally:
        setattr(module, name, original)


def round_inputs(count: int, seed: int, on_land: Callable[[Any], bool]) -> list[Any]:
    """Rounds of a busy hub: 60 open shipments (some still being packed) and 15 couriers,
    a third of them out on a trip (somewhere in the hub's area, still carrying 1-3 bags
    with their promises), drop-offs at homes of the hub's area."""
    from hyperlocal.geo import CircuityModel, Mode
    from hyperlocal.optim.dispatch import CarriedStop, CourierState, OpenShipment, RoundInput
    from hyperlocal.simulation.day import DayPlan, HubSpec, allocate_hub, mapo_city

    rng = np.random.default_rng(seed)
    city = mapo_city(DayPlan().homes, 4, rng, on_land)
    reach = CircuityModel().max_reach_m(45, Mode.BIKE)
    hubs = [HubSpec(f"h{n}", p, reach_m=reach) for n, p in enumerate(city.hub_sites)]
    mine = np.flatnonzero(allocate_hub(city.homes, hubs) == 0)
    rounds = []
    for n in range(count):
        now = 600.0 + 7 * n
        shipments = []
        for k, i in enumerate(rng.choice(mine, size=60, replace=False)):
            placed = now - float(rng.uniform(0, 25))
            shipments.append(
                OpenShipment(
                    id=f"s{k}",
                    drop_off=city.homes[int(i)],
                    items=int(rng.integers(1, 6)),
                    ready_at=placed + float(rng.uniform(4, 20)),
                    due_by=placed + 60,
                )
            )
        couriers = []
        for k in range(15):
            mode = Mode.SCOOTER if k % 5 < 2 else Mode.BIKE
            away = k % 3 == 0  # out on a trip: somewhere in the area, bags still to deliver
            homes: list[int] = [int(i) for i in rng.choice(mine, size=4, replace=False)] if away else []
            carrying = tuple(
                CarriedStop(
                    id=f"c{k}-carried{j}",
                    drop_off=city.homes[i],
                    due_by=now + float(rng.uniform(10, 45)),
                )
                for j, i in enumerate(homes[1 : 1 + int(rng.integers(1, 4))] if away else [])
            )
            couriers.append(
                CourierState(
                    id=f"c{k}",
                    mode=mode,
                    capacity_items=int(rng.integers(16, 29) if mode == Mode.SCOOTER else rng.integers(8, 15)),
                    at=city.homes[homes[0]] if away else hubs[0].point,
                    shift_ends_at=now + float(rng.uniform(90, 240)),
                    carrying=carrying,
                )
            )
        rounds.append(RoundInput("h0", hubs[0].point, now, tuple(shipments), tuple(couriers), seed=seed + n))
    return rounds


def round_timing(size: Size, args: argparse.Namespace, on_land: Callable[[Any], bool]) -> dict[str, Any]:
    from hyperlocal.geo import CircuityModel
    from hyperlocal.optim.dispatch import GreedyDispatch, OptimisedDispatch

    travel = CircuityModel()
    inputs = round_inputs(size.sample_rounds, args.seed, on_land)
    optimised = OptimisedDispatch()  # the production defaults
    figures: dict[str, Any] = {}
    away = sum(1 for c in inputs[0].couriers if c.carrying)
    carried = sum(len(c.carrying) for r in inputs for c in r.couriers) / len(inputs)
    say(
        f"  {away} of {len(inputs[0].couriers)} couriers out on a trip, carrying {carried:.1f} bags a round "
        f"in all; budget RoundInput.time_limit_s = {inputs[0].time_limit_s:g}, "
        f"max_iterations={optimised.max_iterations}, no_improvement={optimised.no_improvement}"
    )
    for strategy in (GreedyDispatch(), optimised):
        seconds, planned = [], []
        with solver_iterations() as iterations:
            for round_input in inputs:
                started = time.perf_counter()
                plan = strategy.plan(round_input, travel)
                seconds.append(time.perf_counter() - started)
                planned.append(sum(len(t.stops) for t in plan.trips))
        p95 = float(np.percentile(seconds, 95))
        figures[strategy.name] = {
            "p95_s": p95,
            "mean_s": float(np.mean(seconds)),
            "trips_stops": planned,
            "iterations": list(iterations),
        }
        used = (
            f"; solver iterations per round: mean {np.mean(iterations):.0f}, min {min(iterations)}, "
            f"max {max(iterations)}"
            if iterations
            else ""
        )
        say(
            f"  {strategy.name:<9} p95 {p95:.3f} s, mean {np.mean(seconds):.3f} s over {len(inputs)} rounds; "
            f"shipments on next trips per round: mean {np.mean(planned):.1f}{used}"
        )
    p95 = figures["optimised"]["p95_s"]
    say(f"  optimised round p95 {p95:.3f} s (target < {TARGET_ROUND_P95_S:g} s)")
    figures["met"] = {"round_p95": p95 < TARGET_ROUND_P95_S}
    return figures


# --- 3. scale ---------------------------------------------------------------------------------


def scale_run(size: Size, args: argparse.Namespace, on_land: Callable[[Any], bool]) -> dict[str, Any]:
    from hyperlocal.optim.dispatch import GreedyDispatch, OptimisedDispatch
    from hyperlocal.simulation.day import DayConfig, DayPlan, kpis, run_day, synthetic_day

    plan = DayPlan(
        orders=size.scale_orders, hubs=size.scale_hubs, hours=12.0, homes=size.scale_homes, seed=args.seed
    )
    started = time.perf_counter()
    scenario = synthetic_day(plan, accept=on_land)
    built = time.perf_counter() - started
    config = DayConfig(round_seconds=args.round_seconds, time_limit_s=args.time_limit, seed=args.seed)
    strategy = OptimisedDispatch(max_iterations=args.scale_iterations)
    result = run_day(scenario, strategy, config, processes=args.processes)
    k = kpis(result)
    total = built + result.wall_seconds
    per_round = result.wall_seconds / max(1, k.rounds)
    say(
        f"  {scenario.name}, {len(scenario.couriers):,} courier shifts: built in {built:.1f} s, simulated in "
        f"{result.wall_seconds:.1f} s with {args.processes} processes; total {total:.1f} s "
        f"(target < {TARGET_SCALE_S:g} s)"
    )
    say(
        f"  {k.rounds:,} rounds: {per_round * 1000:.1f} ms of wall time per round over the run; the strategy "
        f"alone mean {k.round_mean_s * 1000:.1f} ms, p95 {k.round_p95_s * 1000:.1f} ms"
    )
    # Greedy on the same day: what the small budget still buys (not part of the timed total).
    baseline = run_day(scenario, GreedyDispatch(), config, processes=args.processes)
    g = kpis(baseline)
    for name, figures, extra in (
        (
            "optimised",
            k,
            f"[budget: max_iterations={args.scale_iterations} a round, time_limit_s={args.time_limit:g}]",
        ),
        ("greedy", g, f"[simulated in {baseline.wall_seconds:.1f} s, not in the total]"),
    ):
        say(
            f"  {name:<9} delivered {figures.delivered:,}/{figures.orders:,}  "
            f"on time {figures.on_time_rate:.2%}  km/order {figures.km_per_delivered:.3f}  "
            f"orders/trip {figures.orders_per_trip:.2f}  {extra}"
        )
    reduction = 1 - k.km_per_delivered / g.km_per_delivered if g.km_per_delivered else float("nan")
    say(
        f"  at max_iterations={args.scale_iterations}: {reduction:.1%} fewer courier-km per delivered order "
        f"than greedy; on time {k.on_time_rate:.2%} vs {g.on_time_rate:.2%}"
    )
    return {
        "scenario": scenario.name,
        "budget": f"max_iterations={args.scale_iterations}, time_limit_s={args.time_limit:g}",
        "total_s": total,
        "build_s": built,
        "simulate_s": result.wall_seconds,
        "per_round_s": per_round,
        "kpis": asdict(k),
        "greedy": {"simulate_s": baseline.wall_seconds, "kpis": asdict(g)},
        "km_reduction": reduction,
        "met": {"scale_time": total < TARGET_SCALE_S},
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--scale", action="store_true", help="also the 50,000-order day over 10 hubs")
    parser.add_argument("--only-scale", action="store_true", help="only the 50,000-order day")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--round-seconds", type=float, default=60.0)
    parser.add_argument("--processes", type=int, default=2, help="hubs simulated in parallel (2)")
    parser.add_argument(
        "--iterations",
        type=int,
        default=None,
        help="optimised rounds' max_iterations on the day (300; 50 quick)",
    )
    parser.add_argument(
        "--scale-iterations", type=int, default=5, help="optimised rounds' max_iterations at scale (5)"
    )
    parser.add_argument(
        "--time-limit", type=float, default=1.0, help="RoundInput.time_limit_s in the simulated days (1.0)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    size = QUICK if args.quick else FULL
    if args.iterations is None:
        args.iterations = 50 if args.quick else 300
    on_land = setup_django()
    say(
        f"bench/dispatch.py: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, seed {args.seed}"
    )
    data: dict[str, Any] = {"quick": args.quick, "seed": args.seed}
    if not args.only_scale:
        say("1. the day: greedy vs optimised on the same orders")
        data["day"] = day_comparison(size, args, on_land)
        say("2. one round for a hub with 60 open shipments and 15 couriers")
        data["round"] = round_timing(size, args, on_land)
    if args.scale or args.only_scale:
        say(
            f"3. scale: {size.scale_orders:,} orders over {size.scale_hubs} hubs, optimised at "
            f"max_iterations={args.scale_iterations} a round (the day above: {args.iterations}), then greedy"
        )
        data["scale"] = scale_run(size, args, on_land)
    met = {k: v for part in data.values() if isinstance(part, dict) for k, v in part.get("met", {}).items()}
    missed = [k for k, ok in met.items() if not ok]
    say("targets: " + ("all met" if not missed else "missed " + ", ".join(missed)))
    if args.json:
        args.json.write_text(json.dumps(data, indent=2, default=str))
    return 1 if (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
