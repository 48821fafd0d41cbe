"""`hyperlocal settle_vouchers`: a settlement run per programme (every active one, or the one
named), with a report per merchant: gross, fee, net and the number of payments.

Each programme settles in its own transaction: one refused run (a run id another programme
used, say) leaves the others' payouts in place, and the command exits 1 naming it. A run id
that was used before for the same programme prints that run again and moves nothing."""

from __future__ import annotations

import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from hyperlocal.errors import DomainError
from hyperlocal.wallet.programmes import Programme, Settlement
from hyperlocal.wallet.services import get_programme
from hyperlocal.wallet.services.settlement import (
    CarriedOver,
    carried_over,
    default_run_id,
    run_settlement,
    settlement_due,
)


def _won(amount: int) -> str:
    return f"{amount:,}"


def report(settlement: Settlement, owed: list[CarriedOver], *, repeat: bool) -> str:
    """The run as a table (merchant, gross, fee, net, payments) and what is carried over."""
    title = f"{settlement.programme.code}: settlement {settlement.run_id}" + (
        " (already run)" if repeat else ""
    )
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column("merchant")
    for column in ("gross (won)", "fee (won)", "net (won)", "payments"):
        table.add_column(column, justify="right")
    payouts = list(settlement.payouts.select_related("merchant").order_by("merchant__name", "merchant_id"))
    for p in payouts:
        table.add_row(p.merchant.name, _won(p.gross_won), _won(p.fee_won), _won(p.net_won), str(p.payments))
    table.add_row(
        f"{len(payouts)} merchant(s)",
        _won(settlement.gross_won),
        _won(settlement.fee_won),
        _won(settlement.net_won),
        str(sum(p.payments for p in payouts)),
        style="bold",
        end_section=True,
    )
    buffer = io.StringIO()
    console = Console(file=buffer, width=110, force_terminal=False)
    console.print(table)
    for c in owed:
        console.print(
            f"carried over: {c.merchant_name} owes {_won(-c.balance_won)} won (refunds after settlement)"
        )
    return buffer.getvalue()


class Command(BaseCommand):
    help = (
        "Settle voucher sales: pay every merchant's receivable net of the programme's fee, and "
        "print a report per merchant. Default: every active programme, run id <code>/<local date>."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", metavar="CODE", help="one programme (default: every active one)")
        parser.add_argument(
            "--run-id", metavar="ID", help="the run's id (needs --programme); a repeat is a no-op"
        )
        parser.add_argument(
            "--if-due", action="store_true", help="skip programmes whose settlement is not due"
        )

    def _programmes(self, code: str | None) -> list[Programme]:
        if code is None:
            return list(Programme.objects.filter(is_active=True).select_related("region").order_by("code"))
        try:
            return [get_programme(code)]
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def handle(self, *args: Any, **options: Any) -> None:
        if options["run_id"] is not None and options["programme"] is None:
            raise CommandError("--run-id names one programme's run: give --programme CODE too")
        now = timezone.now()
        failed: list[str] = []
        for programme in self._programmes(options["programme"]):
            if options["if_due"] and not settlement_due(programme, now):
                self.stdout.write(
                    f"{programme.code}: not due (settles every {programme.settlement_every_days} day(s))"
                )
                continue
            run_id = options["run_id"] or default_run_id(programme, now)
            try:
                with transaction.atomic():
                    repeat = Settlement.objects.filter(run_id=run_id, programme=programme).exists()
                    settlement = run_settlement(programme, run_id=run_id, now=now)
                    text = report(settlement, carried_over(programme), repeat=repeat)
            except DomainError as exc:
                self.stderr.write(f"{programme.code}: nothing settled: {exc.message}")
                failed.append(programme.code)
                continue
            self.stdout.write(text, ending="")
        if failed:
            raise CommandError(f"settlement refused for {', '.join(failed)}", returncode=1)
