"""`hyperlocal check_ledger`: rebuild every kept balance from the transfers, print what
disagrees, and exit with status 1 when anything does."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hyperlocal.wallet.services import check_ledger


class Command(BaseCommand):
    help = (
        "Check the ledger: every balance equals the sum of its transfers, debits equal credits, "
        "no limit is broken. Exits 1 when anything disagrees."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = check_ledger()
        if not problems:
            self.stdout.write(self.style.SUCCESS("the ledger balances"))
            return
        for p in problems:
            where = p.account or "ledger"
            if p.shard_no is not None:
                where += f" shard {p.shard_no}"
            self.stdout.write(f"{where}: {p.message}")
        raise CommandError(f"{len(problems)} ledger problem(s)", returncode=1)
