"""Inputs to site planning: candidate vacant spaces and demand per cell."""

from __future__ import annotations

from django.conf import settings
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


class ZoneSplitRule(models.Model):
    """How a newly opened hub's floor is split into zones, and what its warehouse can ship.

    One rule per region (the district); the operator changes it on the planner page or in
    the admin. Shares are basis points of the floor area; a kind the space cannot hold gets
    no zone. What no zone takes is circulation, packing and staff."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="zone_split_rule")
    warehouse_bp = models.PositiveIntegerField(_("warehouse share (basis points)"), default=5500)
    community_bp = models.PositiveIntegerField(_("community room share (basis points)"), default=1500)
    popup_bp = models.PositiveIntegerField(_("pop-up bay share (basis points)"), default=1500)
    stay_bp = models.PositiveIntegerField(_("stay room share (basis points)"), default=1000)
    popup_bay_m2 = models.PositiveIntegerField(_("area of one pop-up bay (m²)"), default=20)
    stay_room_m2 = models.PositiveIntegerField(_("area of one stay room (m²)"), default=20)
    # Daily orders one m² of warehouse can pick and pack: a site's capacity in the plan.
    orders_per_warehouse_m2 = models.FloatField(_("orders a day per m² of warehouse"), default=2.0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(warehouse_bp__gte=1000)
                & models.Q(
                    warehouse_bp__lte=10000
                    - models.F("community_bp")
                    - models.F("popup_bp")
                    - models.F("stay_bp")
                ),
                name="zone_split_shares_fit_the_floor",
            ),
            models.CheckConstraint(
                condition=models.Q(popup_bay_m2__gt=0, stay_room_m2__gt=0),
                name="zone_split_unit_areas_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(orders_per_warehouse_m2__gt=0), name="zone_split_throughput_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"zone split for {self.region}"


class SitePlan(models.Model):
    """One run of a siting model: what was asked, how far it got, and what it proposes.

    ``result`` holds the whole answer as JSON (see planning/services/outcome.py), so a plan
    reads the same later even after spaces, hubs or orders change; ``summary`` a few of its
    figures for lists (which never load ``result``).

    A worker that claims the plan records a ``run_token`` and touches ``heartbeat_at`` while it
    runs; a plan whose heartbeat stops is failed by the sweep (planning/services/plans.py)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="site_plans")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="site_plans"
    )
    request_id = models.CharField(max_length=64, blank=True)
    parameters = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.CharField(max_length=200, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What lists show without loading the result: coverage share, new sites, status, rent.
    summary = models.JSONField(null=True, blank=True)
    # The job backend's id of the queued job ("" until it is handed over).
    task_id = models.CharField(max_length=64, blank=True)
    # Set by the worker that claims the plan; a late finish of the same run is recognised by it.
    run_token = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    cancel_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # An API client's retry of the same request finds the first plan.
            models.UniqueConstraint(
                fields=["requested_by", "request_id"],
                condition=~models.Q(request_id=""),
                name="site_plan_request_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(result__isnull=False),
                name="site_plan_done_has_result",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="site_plan_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"site plan {self.pk} ({self.status})"
