"""Hubs: converted vacant spaces with zones, opening hours and a service area."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hyperlocal.regions.models import Region


class CourierMode(models.TextChoices):
    WALK = "walk", _("on foot")
    BIKE = "bike", _("bicycle")
    SCOOTER = "scooter", _("scooter")
    CAR = "car", _("car")


class Hub(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        OPEN = "open", _("open")
        PAUSED = "paused", _("paused")
        CLOSED = "closed", _("closed")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="hubs")
    address = models.CharField(_("address"), max_length=300)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    cell = models.CharField(max_length=16, db_index=True)
    floor_area_m2 = models.PositiveIntegerField(_("floor area (m²)"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    # The delivery promise: door within this many minutes of the order, of which
    # prep_minutes go to picking and packing and the rest to the courier's ride.
    promise_minutes = models.PositiveSmallIntegerField(_("delivery promise (minutes)"), default=30)
    prep_minutes = models.PositiveSmallIntegerField(_("pick and pack (minutes)"), default=10)
    courier_mode = models.CharField(
        _("courier mode for the service area"),
        max_length=16,
        choices=CourierMode.choices,
        default=CourierMode.BIKE,
    )
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="operated_hubs", blank=True, verbose_name=_("operators")
    )
    vacant_space = models.OneToOneField(
        "planning.VacantSpace", null=True, blank=True, on_delete=models.SET_NULL, related_name="hub"
    )
    service_area_computed_at = models.DateTimeField(null=True, blank=True)
    # What the stored service area was computed for, so that a stale one is recognisable.
    service_area_signature = models.CharField(max_length=120, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(lat__gte=-90, lat__lte=90), name="hub_lat_range"),
            models.CheckConstraint(condition=models.Q(lng__gte=-180, lng__lte=180), name="hub_lng_range"),
            models.CheckConstraint(condition=models.Q(floor_area_m2__gt=0), name="hub_floor_area_positive"),
            models.CheckConstraint(
                condition=models.Q(promise_minutes__gt=models.F("prep_minutes")),
                name="hub_promise_longer_than_prep",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Zone(models.Model):
    class Kind(models.TextChoices):
        WAREHOUSE = "warehouse", _("warehouse")
        COMMUNITY_ROOM = "community_room", _("community room")
        POPUP_BAY = "popup_bay", _("pop-up bay")
        STAY_ROOM = "stay_room", _("stay room")

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="zones")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=80)
    area_m2 = models.PositiveIntegerField(_("area (m²)"))
    capacity = models.PositiveIntegerField(
        _("capacity"), help_text=_("people for rooms and stays, brands for pop-up bays, bins for a warehouse")
    )

    class Meta:
        ordering = ["hub", "kind", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(area_m2__gt=0), name="zone_area_positive"),
            models.UniqueConstraint(fields=["hub", "name"], name="zone_name_unique_per_hub"),
        ]

    def __str__(self) -> str:
        return f"{self.hub} / {self.name}"


class OpeningHours(models.Model):
    """One opening window on a weekday (0 = Monday). Closing at or before opening means
    the window runs past midnight."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    opens_at = models.TimeField(_("opens"))
    closes_at = models.TimeField(_("closes"))

    class Meta:
        ordering = ["hub", "weekday", "opens_at"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="opening_weekday_range"),
            models.CheckConstraint(
                condition=~models.Q(opens_at=models.F("closes_at")), name="opening_window_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hub} {self.weekday} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"


class ServiceAreaCell(models.Model):
    """A cell from which a courier of the hub's mode reaches the door within the promise."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="service_cells")
    cell = models.CharField(max_length=16)
    travel_minutes = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hub", "cell"], name="service_cell_once_per_hub")]
        indexes = [models.Index(fields=["cell"])]

    def __str__(self) -> str:
        return f"{self.hub}: {self.cell}"
