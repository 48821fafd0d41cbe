"""Stock per hub and product, every change to it as a movement, and inbound shipments.

The invariants live in the database: on hand never negative, reserved between zero and on
hand. Services change the counters only with conditional updates and always write the
movement that explains the change, so that the counters can be rebuilt from movements.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hyperlocal.catalog.models import Merchant, Product
from hyperlocal.hubs.models import Hub, Zone


class Stock(models.Model):
    """What a hub holds of one product. available = on_hand - reserved.

    reserved counts cart holds that have not been released yet and order lines not yet
    picked; picking takes the units out of both counters at once.
    """

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="stock")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    # Where a picker finds it: pick lists are ordered by zone, then bin.
    zone = models.ForeignKey(Zone, null=True, blank=True, on_delete=models.SET_NULL, related_name="stock")
    bin = models.CharField(_("bin"), max_length=16, blank=True)
    # Operator's settings for low-stock warnings and replenishment suggestions.
    low_stock_at = models.PositiveIntegerField(_("low stock at"), default=5)
    target_days_of_cover = models.PositiveSmallIntegerField(_("target days of cover"), default=3)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["hub", "product"]
        verbose_name_plural = "stock"
        constraints = [
            models.UniqueConstraint(fields=["hub", "product"], name="stock_once_per_hub_product"),
            models.CheckConstraint(condition=models.Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(condition=models.Q(reserved__gte=0), name="stock_reserved_not_negative"),
            models.CheckConstraint(
                condition=models.Q(reserved__lte=models.F("on_hand")), name="stock_reserved_within_on_hand"
            ),
        ]
        indexes = [models.Index(fields=["product"])]

    def __str__(self) -> str:
        return f"{self.product} @ {self.hub}: {self.on_hand} on hand, {self.reserved} reserved"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("receipt from a merchant")
    ADJUSTMENT = "adjustment", _("adjustment")
    RESERVE = "reserve", _("reserved for an order")
    RELEASE = "release", _("reservation released")
    PICK = "pick", _("picked for an order")
    RETURN = "return", _("returned to stock")
    WRITE_OFF = "write_off", _("written off")


class StockMovement(models.Model):
    """One change to a stock row. Summing on_hand_delta (reserved_delta) over a hub and
    product gives its on hand (order reservations). Cart holds are not movements: they are
    short-lived rows of their own (orders.StockHold) and expire by themselves."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="stock_movements")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stock_movements")
    kind = models.CharField(max_length=16, choices=MovementKind.choices)
    on_hand_delta = models.IntegerField(default=0)
    reserved_delta = models.IntegerField(default=0)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What caused it, when it was an order or an inbound shipment (plain ids: movements are
    # an audit trail and must outlive what they point at).
    order_id = models.BigIntegerField(null=True, blank=True)
    inbound_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["hub", "product", "created_at"]), models.Index(fields=["order_id"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(on_hand_delta=0, reserved_delta=0), name="movement_changes_something"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.product_id}@{self.hub_id}: {self.on_hand_delta:+d}/{self.reserved_delta:+d}"
        )


class InboundShipment(models.Model):
    """Stock a merchant sends to a hub; the hub receives it (in full, in part, damaged)."""

    class Status(models.TextChoices):
        EXPECTED = "expected", _("expected")
        RECEIVED = "received", _("received")
        CANCELLED = "cancelled", _("cancelled")

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="inbound_shipments")
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="inbound_shipments")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.EXPECTED)
    expected_at = models.DateTimeField(_("expected at"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-expected_at", "-pk"]
        indexes = [models.Index(fields=["hub", "status", "expected_at"])]

    def __str__(self) -> str:
        return f"inbound #{self.pk} {self.merchant} -> {self.hub} ({self.status})"


class InboundLine(models.Model):
    shipment = models.ForeignKey(InboundShipment, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity_sent = models.PositiveIntegerField(_("sent"))
    quantity_received = models.PositiveIntegerField(_("received"), default=0)
    quantity_damaged = models.PositiveIntegerField(_("damaged"), default=0)

    class Meta:
        ordering = ["shipment", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "product"], name="inbound_product_once"),
            models.CheckConstraint(condition=models.Q(quantity_sent__gt=0), name="inbound_sent_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity_sent} x {self.product_id}"
