"""Couriers. Shifts, rounds and proof of delivery arrive with the dispatch issue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hyperlocal.hubs.models import CourierMode, Hub


class Courier(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="courier")
    mode = models.CharField(_("mode"), max_length=16, choices=CourierMode.choices)
    capacity_items = models.PositiveSmallIntegerField(_("carrying capacity (items)"))
    home_hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="couriers")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["home_hub", "user__username"]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity_items__gt=0), name="courier_capacity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.mode})"
