"""`hyperlocal simulate`: a day (or N hours) of orders, picking and dispatch, in memory.

Thin: builds a scenario (the demo city from the database when it is built, else the
synthetic city; or a replay from CSV files), runs `simulation.day.run_day` with the chosen
strategy and, with --compare (the default), the same day with the greedy baseline, prints
a KPI table and optionally writes an HTML report. Nothing is written to the database.
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from hyperlocal.geo import CircuityModel, Mode, Point
from hyperlocal.optim.dispatch import DispatchStrategy, OptimisedDispatch, strategy_named
from hyperlocal.simulation.day import (
    SEOUL,
    DayConfig,
    DayPlan,
    DayResult,
    HubSpec,
    Kpis,
    Scenario,
    SyntheticCity,
    kpis,
    run_day,
    synthetic_day,
)
from hyperlocal.simulation.day.replay import ReplayError, read_replay
from hyperlocal.simulation.day.report import ROWS, kpi_cells, render_report, write_report
from hyperlocal.simulation.management.console import console_for


def _start(text: str | None, hours_default: float) -> tuple[datetime, float]:
    """--start as HH:MM (today, Seoul) or an ISO date-time; returns (day, start hour)."""
    today = datetime.now(SEOUL)
    if not text:
        return today, hours_default
    try:
        moment = datetime.combine(today.date(), time.fromisoformat(text), SEOUL)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise CommandError(f"--start: expected HH:MM or an ISO date-time, got {text!r}") from None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=SEOUL)
    local = moment.astimezone(SEOUL)
    return local, local.hour + local.minute / 60


def demo_city() -> tuple[SyntheticCity, tuple[HubSpec, ...]] | None:
    """The demo city's open hubs and households, when it is built (read only)."""
    from hyperlocal.accounts.services import home_points
    from hyperlocal.hubs.services import list_hubs
    from hyperlocal.simulation.demo import current_build

    try:
        if current_build() is None:
            return None
        hubs = sorted(list_hubs(status="open"), key=lambda h: h.pk)
        homes = tuple(home_points())
    except DatabaseError:  # not migrated: no demo city
        return None
    if not hubs or not homes:
        return None
    # Reach: what a bike covers within the hub's promise once the bag is packed.
    travel = CircuityModel()
    specs = tuple(
        HubSpec(
            h.slug,
            Point(h.lat, h.lng),
            h.name,
            float(h.promise_minutes),
            reach_m=travel.max_reach_m(max(h.promise_minutes - h.prep_minutes, 5), Mode.BIKE),
        )
        for h in hubs
    )
    return SyntheticCity("the demo city", homes, tuple(s.point for s in specs)), specs


class Command(BaseCommand):
    help = (
        "Simulate a day of orders, picking and dispatch in memory (no database writes) and print "
        "KPIs, by default side by side with the greedy baseline on the same orders."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=float, default=12.0, help="length of the day (12)")
        parser.add_argument("--start", help="HH:MM today (Seoul) or an ISO date-time (10:00)")
        parser.add_argument("--orders", type=int, default=1000, help="orders in the day (1,000)")
        parser.add_argument(
            "--hubs", type=int, default=4, help="hubs of the synthetic city (4; the demo city has its own)"
        )
        parser.add_argument("--seed", type=int, default=20240601)
        parser.add_argument("--strategy", choices=["optimised", "greedy"], default="optimised")
        parser.add_argument(
            "--compare",
            action="store_true",
            default=True,
            help="also replay the same day with greedy (default on; --no-compare to skip)",
        )
        parser.add_argument("--no-compare", dest="compare", action="store_false")
        parser.add_argument("--round-seconds", type=float, default=60.0)
        parser.add_argument(
            "--iterations", type=int, default=200, help="optimised max_iterations a round (200)"
        )
        parser.add_argument("--time-limit", type=float, default=1.0, help="seconds a round at most (1.0)")
        parser.add_argument("--processes", type=int, default=1, help="hubs simulated in parallel")
        parser.add_argument("--promise", type=float, default=60.0, help="instant promise, minutes (60)")
        parser.add_argument(
            "--synthetic", action="store_true", help="the synthetic city even if the demo is built"
        )
        parser.add_argument("--report", type=Path, help="write an HTML report here")
        parser.add_argument("--orders-csv", type=Path, help="replay: orders file")
        parser.add_argument("--couriers-csv", type=Path, help="replay: couriers file")
        parser.add_argument("--speed", type=float, help="replay with x/y metres: metres per minute")
        parser.add_argument("--db", action="store_true", help="drive the real services and database")

    def handle(self, *args: Any, **options: Any) -> None:
        console = console_for(self.stdout)
        if options["db"]:
            self._db(options, console)
            return
        scenario = self._scenario(options)
        strategies: list[DispatchStrategy] = [self._strategy(options["strategy"], options)]
        if options["compare"] and options["strategy"] != "greedy":
            strategies.append(strategy_named("greedy"))
        config = DayConfig(round_seconds=options["round_seconds"], time_limit_s=options["time_limit"])
        console.print(
            f"{scenario.name}; {len(scenario.couriers)} courier shifts; from "
            f"{scenario.start:%Y-%m-%d %H:%M %Z}; rounds every {config.round_seconds:g} s"
        )
        results: list[DayResult] = []
        with Progress(
            TextColumn("{task.description:<12}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            tasks: dict[str, TaskID] = {s.name: progress.add_task(s.name, total=1000) for s in strategies}
            for strategy in strategies:
                task = tasks[strategy.name]

                def report(share: float, task: TaskID = task) -> None:
                    progress.update(task, completed=int(share * 1000))

                results.append(
                    run_day(scenario, strategy, config, processes=options["processes"], progress=report)
                )
        console.print(self._table(results))
        if options["report"]:
            path: Path = options["report"]
            if not path.parent.is_dir():
                raise CommandError(f"--report: the folder {path.parent} does not exist")
            write_report(
                path, render_report(scenario, results, title=f"hyperlocal simulate: {scenario.name}")
            )
            console.print(f"report written to {path}")

    def _db(self, options: dict[str, Any], console: Console) -> None:
        """The real services on the database (writes what a real day writes)."""
        from hyperlocal.errors import DomainError
        from hyperlocal.simulation.day.database import run_db_day

        if options["orders_csv"] or options["couriers_csv"]:
            raise CommandError("--db runs the demo city; replays run in memory")
        start = _start(options["start"], 0.0)[0] if options["start"] else datetime.now(SEOUL)
        console.print(
            f"--db: {options['orders']} orders over {options['hours']:g} h from {start:%Y-%m-%d %H:%M %Z}, "
            f"strategy {options['strategy']}, through checkout, picking, dispatch rounds and the autopilot"
        )
        try:
            with Progress(
                TextColumn("database day"), BarColumn(), TimeElapsedColumn(), console=console, transient=True
            ) as progress:
                task = progress.add_task("db", total=1000)
                day = run_db_day(
                    orders=options["orders"],
                    hours=options["hours"],
                    start=start,
                    seed=options["seed"],
                    strategy=options["strategy"],
                    round_seconds=options["round_seconds"],
                    progress=lambda share: progress.update(task, completed=int(share * 1000)),
                )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        table = Table(title="The day on the database", title_justify="left")
        table.add_column("what")
        table.add_column("count", justify="right")
        table.add_row("orders placed", f"{day.placed:,}")
        for code, count in sorted(day.refused.items()):
            table.add_row(f"  refused: {code}", f"{count:,}")
        table.add_row("shipments packed", f"{day.packed:,}")
        table.add_row("dispatch rounds", f"{day.rounds:,}")
        table.add_row("courier moves (autopilot)", f"{day.moves:,}")
        table.add_row("delivered", f"{day.delivered:,}")
        table.add_row("  on time (against the promise)", f"{day.on_time:,}")
        table.add_row("not delivered at the end", f"{day.open_at_end:,}")
        table.add_row("residents who bought vouchers", f"{day.voucher_buyers:,}")
        table.add_row("orders paid partly with vouchers", f"{day.voucher_orders:,}")
        table.add_row("  voucher part (won)", f"{day.voucher_won:,}")
        table.add_row("stock problems (oversell, negative, drift)", f"{len(day.stock_problems):,}")
        table.add_row("shipments delivered off the state path", f"{len(day.state_problems):,}")
        table.add_row("ledger problems (check_ledger)", f"{len(day.ledger_problems):,}")
        console.print(table)
        for problem in (day.stock_problems + day.state_problems + day.ledger_problems)[:20]:
            console.print(f"  {problem}")
        if not day.ok:
            raise CommandError("invariants broken (listed above)")

    def _strategy(self, name: str, options: dict[str, Any]) -> DispatchStrategy:
        if name == "optimised":
            return OptimisedDispatch(time_limit_s=options["time_limit"], max_iterations=options["iterations"])
        return strategy_named(name)

    def _scenario(self, options: dict[str, Any]) -> Scenario:
        for name in ("hours", "round_seconds", "promise", "time_limit"):
            if not options[name] > 0:
                raise CommandError(f"--{name.replace('_', '-')} must be positive")
        for name in ("orders", "hubs", "iterations", "processes"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1")
        if options["orders_csv"] or options["couriers_csv"]:
            return self._replay(options)
        day, start_hour = _start(options["start"], 10.0)
        plan = DayPlan(
            orders=options["orders"],
            hubs=options["hubs"],
            start_hour=start_hour,
            hours=options["hours"],
            promise_minutes=options["promise"],
            seed=options["seed"],
        )
        demo = None if options["synthetic"] else demo_city()
        if demo is not None:
            city, hubs = demo
            return synthetic_day(plan, date=day, city=city, hub_specs=hubs)
        from hyperlocal.simulation.demo.river import on_land

        return synthetic_day(plan, date=day, accept=on_land)

    def _replay(self, options: dict[str, Any]) -> Scenario:
        if not (options["orders_csv"] and options["couriers_csv"]):
            raise CommandError("a replay needs both --orders-csv and --couriers-csv")
        texts = []
        for name in ("orders_csv", "couriers_csv"):
            try:
                texts.append(Path(options[name]).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(
                    f"--{name.replace('_', '-')}: cannot read {options[name]}: {exc}"
                ) from None
        start = _start(options["start"], 0.0)[0] if options["start"] else None
        try:
            return read_replay(
                texts[0],
                texts[1],
                speed_m_per_min=options["speed"],
                start=start,
                promise_minutes=options["promise"],
            )
        except ReplayError as exc:
            raise CommandError(f"the replay files have problems:\n{exc}") from None

    def _table(self, results: list[DayResult]) -> Table:
        figures: list[Kpis] = [kpis(r) for r in results]
        table = Table(title="The day's KPIs (the same orders for each strategy)", title_justify="left")
        table.add_column("KPI")
        for result in results:
            table.add_column(result.strategy, justify="right")
        for label, attribute, fmt in ROWS:
            table.add_row(label, *(kpi_cells(k, attribute, fmt) for k in figures))
        table.add_row("simulation wall time (s)", *(f"{r.wall_seconds:.1f}" for r in results))
        return table
