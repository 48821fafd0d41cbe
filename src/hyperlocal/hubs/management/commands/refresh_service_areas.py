"""`hyperlocal refresh_service_areas [--hub SLUG] [--stale]`: recompute service areas."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from hyperlocal.errors import DomainError
from hyperlocal.hubs.models import Hub
from hyperlocal.hubs.services import get_hub, refresh_service_area, service_area_is_stale


class Command(BaseCommand):
    help = "Recompute the service areas of every hub (or one) from the configured travel-time model."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hub", help="slug of the one hub to refresh")
        parser.add_argument("--stale", action="store_true", help="only hubs whose stored area is out of date")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            hubs = [get_hub(options["hub"])] if options["hub"] else list(Hub.objects.order_by("slug"))
            if options["stale"]:
                hubs = [hub for hub in hubs if service_area_is_stale(hub)]
            for hub in hubs:
                with transaction.atomic():  # one hub at a time: a failure keeps the others
                    cells = refresh_service_area(hub)
                self.stdout.write(f"{hub.slug}: {cells} cells ({hub.service_area_signature})")
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"{len(hubs)} service area(s) refreshed"))
