"""Rich output for the simulation commands, written through the command's stdout."""

from __future__ import annotations

from django.core.management.base import OutputWrapper
from rich.console import Console
from rich.table import Table

from hyperlocal.simulation.demo import DemoLogin, Summary


class _Stream:
    """A file for rich that writes through Django's OutputWrapper (so call_command(stdout=...)
    captures it) without the wrapper's habit of adding a newline to every write."""

    def __init__(self, wrapper: OutputWrapper) -> None:
        self.wrapper = wrapper

    def write(self, text: str) -> int:
        self.wrapper.write(text, ending="")
        return len(text)

    def flush(self) -> None:
        self.wrapper.flush()

    def isatty(self) -> bool:
        return bool(self.wrapper.isatty())


def console_for(wrapper: OutputWrapper) -> Console:
    return Console(file=_Stream(wrapper), width=None if wrapper.isatty() else 110)  # type: ignore[arg-type]


def summary_table(summary: Summary, *, title: str) -> Table:
    table = Table(title=title, title_justify="left", show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_column("details")
    table.add_row("dongs (regions)", str(summary.dongs), "Mapo-gu's administrative dongs, real boundaries")
    table.add_row(
        "households", f"{summary.households:,}", f"{summary.people:,} people, sampled on land in each dong"
    )
    table.add_row(
        "vacant spaces", str(summary.vacant_spaces), "shop fronts, upper floors, basements, parking, lots"
    )
    table.add_row(
        "hubs",
        str(len(summary.hubs)),
        f"{summary.share(summary.households_covered):.0%} of households in at least one service area",
    )
    for hub in summary.hubs:
        table.add_row(
            f"  {hub.name}",
            "",
            f"{hub.dong}, {hub.floor_area_m2} m², {hub.zones} zones ({hub.zoned_m2} m²), "
            f"{hub.service_cells} service cells, {summary.share(hub.households_covered):.0%} of households",
        )
    table.add_row("merchants", str(summary.merchants), "local shops and regional brands")
    table.add_row(
        "products",
        str(summary.products),
        f"{summary.specialties} regional specialties from {summary.origins} origins",
    )
    table.add_row("couriers", str(summary.couriers), "bikes and scooters")
    return table


def logins_table(logins: list[DemoLogin], *, url: str, missing: set[str]) -> Table:
    table = Table(title=f"Demo logins for {url}", title_justify="left", header_style="bold")
    table.add_column("role")
    table.add_column("username")
    table.add_column("password")
    for login in logins:
        note = " (not built yet)" if login.username in missing else ""
        table.add_row(str(login.role), login.username + note, login.password)
    return table
