"""Couriers, their shifts, dispatch rounds and the trips they plan, and proof of delivery.

Dispatch keeps its own state beside the orders' shipments: a per-shipment record (courier,
estimate, late flag, proof code), trips with ordered stops, and the log of every round.
The invariants live in the database: a shipment sits on at most one live stop, a trip's
stop sequence is unique, a courier has at most one planned and one running trip and at most
one open clock-in.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hyperlocal.hubs.models import CourierMode, Hub
from hyperlocal.orders.models import Shipment

# Wrong proof codes a courier may try on one shipment before a photo (or the hub) is needed:
# four digits are 10,000 codes, so five tries guess one in 2,000 at worst.
MAX_PROOF_ATTEMPTS = 5


class Courier(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="courier")
    mode = models.CharField(_("mode"), max_length=16, choices=CourierMode.choices)
    capacity_items = models.PositiveSmallIntegerField(_("carrying capacity (items)"))
    home_hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="couriers")
    is_active = models.BooleanField(default=True)
    # Rides on autopilot (the demo's couriers without a login): clocks in, picks up and
    # delivers by itself as planned.
    simulated = models.BooleanField(_("simulated"), default=False)

    class Meta:
        ordering = ["home_hub", "user__username"]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity_items__gt=0), name="courier_capacity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.mode})"


class Shift(models.Model):
    """A planned shift; the courier clocks in during it and out at its end (or earlier)."""

    courier = models.ForeignKey(Courier, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    clocked_in_at = models.DateTimeField(null=True, blank=True)
    clocked_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["courier", "starts_at"]
        indexes = [models.Index(fields=["courier", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_not_empty"
            ),
            models.CheckConstraint(
                condition=models.Q(clocked_out_at__isnull=True) | models.Q(clocked_in_at__isnull=False),
                name="shift_out_after_in",
            ),
            # The rota's top-up (and any planner) racing itself plans a shift once.
            models.UniqueConstraint(fields=["courier", "starts_at"], name="shift_starts_once_per_courier"),
            # Clocking in twice at once (two phones, a double tap) leaves one open shift.
            models.UniqueConstraint(
                fields=["courier"],
                condition=models.Q(clocked_in_at__isnull=False, clocked_out_at__isnull=True),
                name="shift_one_open_per_courier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.courier_id} {self.starts_at:%Y-%m-%d %H:%M}-{self.ends_at:%H:%M}"

    @property
    def is_open(self) -> bool:
        return self.clocked_in_at is not None and self.clocked_out_at is None


class HubDispatch(models.Model):
    """One row per hub: the lock that serialises the hub's dispatch rounds."""

    hub = models.OneToOneField(Hub, on_delete=models.CASCADE, related_name="dispatch_state")
    last_round_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"dispatch of {self.hub_id}"


class TripStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    OUT = "out", _("out")
    DONE = "done", _("done")


class Trip(models.Model):
    """A courier's run from the hub: planned by a round (rewritten by the next one until the
    courier picks it up), out once picked up, done when every stop is delivered or failed."""

    courier = models.ForeignKey(Courier, on_delete=models.CASCADE, related_name="trips")
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="trips")
    status = models.CharField(max_length=8, choices=TripStatus.choices, default=TripStatus.PLANNED)
    depart_at = models.DateTimeField(_("planned departure"))
    distance_m = models.FloatField(default=0)
    planned_at = models.DateTimeField(default=timezone.now)
    picked_up_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["courier", "depart_at", "pk"]
        indexes = [models.Index(fields=["hub", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["courier"], condition=models.Q(status="planned"), name="trip_one_planned_per_courier"
            ),
            models.UniqueConstraint(
                fields=["courier"], condition=models.Q(status="out"), name="trip_one_out_per_courier"
            ),
            models.CheckConstraint(
                condition=models.Q(status="planned") | models.Q(picked_up_at__isnull=False),
                name="trip_picked_up_when_out",
            ),
        ]

    def __str__(self) -> str:
        return f"trip {self.pk} of {self.courier_id} ({self.status})"


class StopStatus(models.TextChoices):
    PLANNED = "planned", _("to deliver")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class TripStop(models.Model):
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="stops")
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="trip_stops")
    sequence = models.PositiveSmallIntegerField()
    eta = models.DateTimeField()
    status = models.CharField(max_length=12, choices=StopStatus.choices, default=StopStatus.PLANNED)
    # True while the stop is still to be made on a planned or running trip.
    live = models.BooleanField(default=True)
    done_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    proof_photo = models.FileField(upload_to="proofs/%Y/%m/", blank=True)

    class Meta:
        ordering = ["trip", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["trip", "sequence"], name="stop_sequence_once_per_trip"),
            models.UniqueConstraint(
                fields=["shipment"], condition=models.Q(live=True), name="stop_shipment_on_one_live_trip"
            ),
            models.CheckConstraint(
                condition=models.Q(live=False) | models.Q(status="planned"), name="stop_live_only_planned"
            ),
        ]

    def __str__(self) -> str:
        return f"stop {self.sequence} of trip {self.trip_id}: {self.shipment_id}"


class ShipmentDispatch(models.Model):
    """Dispatch's view of one shipment: who takes it, when it arrives, whether it is late,
    and the proof code the customer tells the courier at the door."""

    shipment = models.OneToOneField(Shipment, on_delete=models.CASCADE, related_name="dispatch")
    courier = models.ForeignKey(
        Courier, null=True, blank=True, on_delete=models.SET_NULL, related_name="shipment_records"
    )
    eta = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False)
    late_reason = models.CharField(max_length=200, blank=True)
    proof_code = models.CharField(max_length=8)
    # Proof codes tried at the door (wrong ones and the right one), at most
    # MAX_PROOF_ATTEMPTS: then a photo is the proof, or the hub's operator resets the count.
    proof_attempts = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["courier"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(proof_attempts__lte=MAX_PROOF_ATTEMPTS),
                name="dispatch_proof_attempts_capped",
            ),
            models.CheckConstraint(
                condition=models.Q(late=True) | models.Q(late_reason=""),
                name="dispatch_reason_only_when_late",
            ),
        ]

    def __str__(self) -> str:
        return f"dispatch of shipment {self.shipment_id}"


class DispatchRound(models.Model):
    """The log of one round: what it saw, what it decided, how long it took."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="dispatch_rounds")
    at = models.DateTimeField(default=timezone.now)
    strategy = models.CharField(max_length=32)
    shipments = models.PositiveIntegerField(default=0)
    couriers = models.PositiveIntegerField(default=0)
    assigned = models.PositiveIntegerField(default=0)
    waiting = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    # Shipments a courier picked up while the round was deciding: left as they are.
    skipped = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["hub", "at"])]

    def __str__(self) -> str:
        return f"round at {self.hub_id} {self.at:%H:%M:%S} ({self.strategy})"
