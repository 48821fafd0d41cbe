"""`hyperlocal expire_vouchers`: sweep expired vouchers out of wallets (into the programme's
float) and release checkout holds past their timeout, now (the worker does this periodically
with hyperlocal.wallet.jobs.expire_due_vouchers)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from hyperlocal.errors import DomainError
from hyperlocal.wallet.services import get_programme


class Command(BaseCommand):
    help = "Expire vouchers past their validity (every programme, or one) and release timed-out holds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", metavar="CODE", help="one programme (default: every programme)")

    def handle(self, *args: Any, **options: Any) -> None:
        from hyperlocal.wallet.services.expiry import expire_vouchers

        try:
            programme = get_programme(options["programme"]) if options["programme"] else None
            with transaction.atomic():
                swept = expire_vouchers(now=timezone.now(), programme=programme)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        where = f" of {programme.code}" if programme else ""
        self.stdout.write(f"swept expired vouchers out of {swept} wallet(s){where}")
