"""`hyperlocal demo_logins [--url URL]`: one login per role for the demo city."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hyperlocal.accounts.models import User
from hyperlocal.simulation.demo import DEMO_LOGINS
from hyperlocal.simulation.management.console import console_for, logins_table


class Command(BaseCommand):
    help = "Print the demo logins (role, username, password) made by build_demo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="where the platform is served")

    def handle(self, *args: Any, **options: Any) -> None:
        usernames = [login.username for login in DEMO_LOGINS]
        missing = set(usernames) - set(
            User.objects.filter(username__in=usernames).values_list("username", flat=True)
        )
        console = console_for(self.stdout)
        console.print(logins_table(DEMO_LOGINS, url=options["url"], missing=missing))
        if missing:
            console.print("Run `hyperlocal build_demo` to create the missing accounts.")
