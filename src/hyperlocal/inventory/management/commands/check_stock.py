"""`hyperlocal check_stock`: rebuild every stock counter from its movements and the open
cart holds, print the rows that disagree, and exit with status 1 when any does."""

from __future__ import annotations

import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from hyperlocal.inventory.services import stock_mismatches


def _shown(value: int | None) -> str:
    return "no row" if value is None else str(value)


class Command(BaseCommand):
    help = (
        "Check stock: on hand must equal the sum of its movements, reserved the sum of the "
        "order reservations plus the open cart holds. Exits 1 when a row disagrees."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        mismatches = stock_mismatches()
        if not mismatches:
            self.stdout.write(self.style.SUCCESS("stock agrees with its movements and holds"))
            return
        table = Table(title=f"{len(mismatches)} stock row(s) disagree")
        for column in ("hub", "product", "on hand", "rebuilt", "reserved", "rebuilt "):
            table.add_column(column, justify="right")
        for m in mismatches:
            table.add_row(
                str(m.hub_id),
                str(m.product_id),
                _shown(m.on_hand),
                str(m.expected_on_hand),
                _shown(m.reserved),
                str(m.expected_reserved),
            )
        buffer = io.StringIO()
        Console(file=buffer, width=100, force_terminal=False).print(table)
        self.stdout.write(buffer.getvalue(), ending="")
        raise CommandError(f"{len(mismatches)} stock row(s) disagree with their movements", returncode=1)
