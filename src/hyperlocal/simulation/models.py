"""The record of the demo city in this database: which seed and scale built it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DemoBuild(models.Model):
    """At most one row: the demo city that `build_demo` made here. A re-run with the same
    seed and scale finds it and reuses the data instead of building again."""

    seed = models.BigIntegerField(_("seed"))
    households = models.PositiveIntegerField(_("households"))
    generator_version = models.PositiveSmallIntegerField(_("generator version"))
    built_at = models.DateTimeField(_("built at"), default=timezone.now)
    seconds = models.FloatField(_("build time (s)"), default=0.0)

    class Meta:
        verbose_name = _("demo city build")

    def __str__(self) -> str:
        return f"demo city seed {self.seed} ({self.households} households)"
