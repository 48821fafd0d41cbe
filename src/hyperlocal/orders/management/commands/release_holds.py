"""`hyperlocal release_holds`: give expired cart holds back to stock now (the worker does
this every PERIODIC_HOLDS_S seconds)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from hyperlocal.orders.jobs import release_expired_cart_holds


class Command(BaseCommand):
    help = "Release the stock of expired cart holds."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            self.stdout.write(f"released {release_expired_cart_holds()} expired cart holds")
