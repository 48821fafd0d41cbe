"""`hyperlocal plan-sites`: choose which vacant spaces become hubs, here and now.

Runs a plan in this process with a progress display, then prints the chosen sites and what
they achieve (coverage, travel times, rent per covered household, the solver's status and
gap). --save stores it as a site plan (it then shows on the planner page); --csv and
--geojson export it. Bad parameters end with the planner's message and a non-zero exit.
"""

from __future__ import annotations

import json
from argparse import BooleanOptionalAction
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from hyperlocal.errors import DomainError
from hyperlocal.planning.models import SitePlan
from hyperlocal.planning.services.export import plan_csv, plan_geojson
from hyperlocal.planning.services.parameters import clean_parameters
from hyperlocal.planning.services.plans import execute_plan, record_plan
from hyperlocal.planning.services.runner import run_plan

# option dest -> PlanParameters field; values are passed on as typed, the planner checks them.
OPTIONS: dict[str, str] = {
    "region": "region_code",
    "model": "model",
    "p": "p",
    "target": "target",
    "promise": "promise_minutes",
    "mode": "mode",
    "budget": "budget_won",
    "time_limit": "time_limit_seconds",
    "demand": "demand_source",
    "population_source": "population_source",
    "order_weight": "order_weight",
    "orders_days": "orders_days",
    "orders_share": "orders_share",
    "orders_per_household_day": "orders_per_household_day",
    "growth": "growth",
    "available_by": "available_by",
    "zone_kind": "zone_kind",
    "curve": "curve_up_to",
}
NO_PLAN = ("infeasible", "time_limit_no_plan")
PIPE_WIDTH = 200


def _num(value: object, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _share(value: object) -> str:
    return f"{value:.1%}" if isinstance(value, int | float) else "-"


class Command(BaseCommand):
    help = (
        "Plan which vacant spaces become hubs (MCLP, set covering or p-median on HiGHS) and print the plan."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add = parser.add_argument
        add("--region", help="district or dong code (default: the first district)")
        add("--model", help="mclp (default), set_cover or p_median")
        add("--p", help="new sites to open (mclp, p_median; default 3)")
        add("--target", help="share of demand to cover (set_cover; default 0.95)")
        add("--promise", help="ride minutes from a site to a cell (default 15)")
        add("--mode", help="courier mode: walk, bike (default), scooter, car")
        add("--budget", help="most monthly rent of the new sites, in won")
        add(
            "--capacitated",
            action=BooleanOptionalAction,
            help="cap each site at its daily order capacity (default: on)",
        )
        add("--time-limit", help="solver time limit in seconds (default 30)")
        add("--demand", help="population, orders or blend (default)")
        add("--population-source", help="population grid source (default: the newest import)")
        add("--order-weight", help="count (default) or value")
        add("--orders-days", help="orders of the last N days (default 28)")
        add("--orders-share", help="blend: how far each area's rate follows its orders, 0..1 (default 0.5)")
        add("--orders-per-household-day", help="orders a household places a day (default 0.05)")
        add("--growth", help="growth factors per region, e.g. 11440660=1.2,11440690=1.1")
        add("--available-by", help="only spaces available by this date (YYYY-MM-DD)")
        add("--zone-kind", help="only spaces that can hold community, popup or stay zones")
        add("--no-existing-hubs", action="store_true", help="leave the open hubs out of the plan")
        add("--curve", metavar="N", help="also solve p = 1..N for a comparison table")
        add("--csv", type=Path, metavar="PATH", help="write the sites as CSV")
        add("--geojson", type=Path, metavar="PATH", help="write the sites and covered cells as GeoJSON")
        add("--save", action="store_true", help="store the plan (it shows on the planner page)")

    def handle(self, *args: Any, **options: Any) -> None:
        raw: dict[str, object] = {
            field: options[dest] for dest, field in OPTIONS.items() if options.get(dest) is not None
        }
        if options["capacitated"] is not None:
            raw["capacitated"] = options["capacitated"]
        if options["no_existing_hubs"]:
            raw["include_existing_hubs"] = False
        try:
            params = clean_parameters(raw)
        except DomainError as exc:
            raise CommandError(self._refusal(exc)) from None
        out = cast(IO[str], self.stdout._out)
        terminal = bool(getattr(out, "isatty", lambda: False)())
        # A pipe or a file gets whole lines (a terminal its own width).
        console = Console(file=out, highlight=False, width=None if terminal else PIPE_WIDTH)
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            step = bar.add_task("preparing", total=None)

            def progress(what: str, fraction: float | None) -> None:
                if fraction is None:
                    bar.update(step, description=what, total=None)
                else:
                    bar.update(step, description=what, total=1.0, completed=max(0.0, min(1.0, fraction)))

            plan = self._run(params, progress, save=options["save"])
        result = plan.result if isinstance(plan.result, dict) else {}
        self._print(console, result)
        if plan.pk is not None:
            console.print(f"saved as site plan {plan.pk}")
        self._export(plan, options["csv"], options["geojson"])
        if result.get("status") in NO_PLAN:
            raise CommandError(f"no plan: {result.get('message') or result.get('status')}")

    def _refusal(self, exc: DomainError) -> str:
        return (
            f"{exc.field}: {exc.message}"
            if exc.field and not exc.message.startswith(exc.field)
            else exc.message
        )

    def _run(self, params: Any, progress: Any, *, save: bool) -> SitePlan:
        if save:
            plan = execute_plan(record_plan(params).pk, progress=progress)
            if plan.status != SitePlan.Status.DONE:
                raise CommandError(f"site plan {plan.pk} failed: {plan.error}")
            return plan
        try:
            result = run_plan(params, progress=progress)
        except DomainError as exc:
            raise CommandError(self._refusal(exc)) from None
        # Not stored: an unsaved plan carries the result to the exports.
        return SitePlan(status=SitePlan.Status.DONE, parameters=params.to_json(), result=result)

    def _print(self, console: Console, result: dict[str, Any]) -> None:
        sites = result.get("sites") or []
        table = Table(title=f"{result.get('model', '')}: {len(sites)} site(s)", title_justify="left")
        for name, justify in (
            ("", "left"),
            ("site", "left"),
            ("address", "left"),
            ("m²", "right"),
            ("rent/month", "right"),
            ("capacity/day", "right"),
            ("orders/day", "right"),
            ("households", "right"),
            ("cells", "right"),
        ):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for site in sites:
            table.add_row(
                "new" if site.get("kind") == "new" else "open",
                str(site.get("name", "")),
                str(site.get("address", "")),
                _num(site.get("floor_area_m2")),
                _num(site.get("monthly_rent_won")),
                _num(site.get("capacity_per_day")),
                _num(site.get("orders_per_day")) + (" (over)" if site.get("over_capacity") else ""),
                _num(site.get("households"), 0),
                _num(site.get("cells")),
            )
        console.print(table)
        coverage = result.get("coverage") or {}
        demand = result.get("demand") or {}
        travel = result.get("travel") or {}
        rent = result.get("rent") or {}
        gap = result.get("gap")
        metrics = Table(show_header=False, box=None)
        metrics.add_column(justify="left")
        metrics.add_column(justify="left")
        status = str(result.get("status", ""))
        if result.get("optimal") and status != "optimal":
            status += " (proven optimal)"
        elif isinstance(gap, int | float):
            status += f" (gap {gap:.2%})"
        metrics.add_row("status", status)
        metrics.add_row(
            "coverage",
            f"{_share(coverage.get('share'))} of {_num(demand.get('orders_per_day'))} orders a day "
            f"({_num(coverage.get('orders_per_day'))} covered)",
        )
        metrics.add_row("ride time p50 / p90", f"{_num(travel.get('p50'))} / {_num(travel.get('p90'))} min")
        metrics.add_row(
            "rent",
            f"{_num(rent.get('monthly_won'))} won a month, "
            f"{_num(rent.get('per_covered_household_won'))} won per household the new sites serve",
        )
        metrics.add_row("solved in", f"{_num(result.get('seconds'), 2)} s")
        if result.get("message"):
            metrics.add_row("note", str(result["message"]))
        console.print(metrics)
        curve = result.get("curve") or []
        if curve:
            compare = Table(title="p = 1..N", title_justify="left")
            for name in ("p", "status", "coverage", "orders/day", "p50", "p90", "rent/month"):
                compare.add_column(name, justify="left" if name == "status" else "right")
            for row in curve:
                compare.add_row(
                    _num(row.get("p")),
                    str(row.get("status", "")),
                    _share(row.get("coverage_share")),
                    _num(row.get("orders_per_day")),
                    _num(row.get("p50")),
                    _num(row.get("p90")),
                    _num(row.get("monthly_rent_won")),
                )
            console.print(compare)

    def _export(self, plan: SitePlan, csv_path: Path | None, geojson_path: Path | None) -> None:
        if csv_path is not None:
            self._write(csv_path, plan_csv(plan))
        if geojson_path is not None:
            self._write(geojson_path, json.dumps(plan_geojson(plan), ensure_ascii=False))

    def _write(self, path: Path, text: str) -> None:
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror}") from None
        self.stdout.write(f"wrote {path}")
