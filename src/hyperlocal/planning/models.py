"""Inputs to site planning: candidate vacant spaces and demand per cell."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hyperlocal.regions.models import Region


class VacantSpace(models.Model):
    class Kind(models.TextChoices):
        SHOP_FRONT = "shop_front", _("closed shop front")
        UPPER_FLOOR = "upper_floor", _("empty upper floor")
        BASEMENT = "basement", _("basement")
        PARKING = "parking_structure", _("unused parking structure")
        LOT = "lot", _("vacant lot")

    name = models.CharField(_("name"), max_length=120)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="vacant_spaces")
    address = models.CharField(_("address"), max_length=300)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    cell = models.CharField(max_length=16, db_index=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    floor_area_m2 = models.PositiveIntegerField(_("floor area (m²)"))
    monthly_rent_won = models.BigIntegerField(_("monthly rent (won)"))
    available_from = models.DateField(_("available from"), default=timezone.localdate)
    can_warehouse = models.BooleanField(_("can hold a warehouse"), default=True)
    can_community = models.BooleanField(_("can hold community rooms"), default=False)
    can_popup = models.BooleanField(_("can hold pop-up bays"), default=False)
    can_stay = models.BooleanField(_("can hold stay rooms"), default=False)
    external_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(lat__gte=-90, lat__lte=90), name="space_lat_range"),
            models.CheckConstraint(condition=models.Q(lng__gte=-180, lng__lte=180), name="space_lng_range"),
            models.CheckConstraint(condition=models.Q(floor_area_m2__gt=0), name="space_area_positive"),
            models.CheckConstraint(
                condition=models.Q(monthly_rent_won__gte=0), name="space_rent_not_negative"
            ),
            # Imports upsert by the id a space has in the source data.
            models.UniqueConstraint(
                fields=["external_id"], condition=~models.Q(external_id=""), name="space_unique_external_id"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PopulationCell(models.Model):
    """Residents counted in one H3 cell, from an imported population grid."""

    cell = models.CharField(max_length=16)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="population_cells")
    population = models.PositiveIntegerField()
    households = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=100, help_text=_("data set and vintage, e.g. 'SGIS grid 2024'"))
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "cell"], name="population_cell_once_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.cell}: {self.population}"
