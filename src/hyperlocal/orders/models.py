"""Carts with stock holds, orders split into at most two shipments, delivery slots,
payments, idempotency records and the event log of every state change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hyperlocal.catalog.models import Merchant, Product
from hyperlocal.hubs.models import Hub
from hyperlocal.regions.models import Region


class Substitution(models.TextChoices):
    """What the picker may do when a line is short: the customer's choice per line."""

    ALLOW = "allow", _("substitute if needed")
    ASK = "ask", _("ask me first")
    NEVER = "never", _("never substitute")


class FulfilmentPolicy(models.Model):
    """How a hub takes orders: its pickers for the instant ETA, and its delivery slots."""

    hub = models.OneToOneField(Hub, on_delete=models.CASCADE, related_name="fulfilment")
    pickers = models.PositiveSmallIntegerField(_("pickers on shift"), default=2)
    pick_minutes_per_order = models.PositiveSmallIntegerField(_("picking minutes per order"), default=4)
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=60)
    slot_capacity = models.PositiveSmallIntegerField(_("orders per slot"), default=12)
    # Same-day slots can be booked until this time of day (local time).
    same_day_cutoff = models.TimeField(_("same-day cut-off"), default="20:00")
    # A slot can be booked until this many minutes before it starts.
    slot_lead_minutes = models.PositiveSmallIntegerField(_("slot booking lead (minutes)"), default=30)
    instant_enabled = models.BooleanField(_("instant delivery"), default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(pickers__gt=0), name="policy_pickers_positive"),
            models.CheckConstraint(condition=models.Q(slot_minutes__gte=15), name="policy_slot_min_15"),
            models.CheckConstraint(
                condition=models.Q(slot_capacity__gt=0), name="policy_slot_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"fulfilment at {self.hub}"


class DeliverySlot(models.Model):
    """A delivery window of a hub with a capacity in orders (shipments)."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["hub", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "starts_at"], name="slot_once_per_hub_start"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_not_empty"
            ),
            models.CheckConstraint(condition=models.Q(booked__gte=0), name="slot_booked_not_negative"),
            models.CheckConstraint(
                condition=models.Q(booked__lte=models.F("capacity")), name="slot_booked_within_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hub} {self.starts_at:%Y-%m-%d %H:%M} ({self.booked}/{self.capacity})"

    @property
    def remaining(self) -> int:
        return self.capacity - self.booked


class Cart(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart")
    # Stock held for this cart counts until then; after it, holds are released.
    holds_expire_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cart of {self.user}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    substitution = models.CharField(max_length=8, choices=Substitution.choices, default=Substitution.ALLOW)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cart", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="cart_product_once"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="cart_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"


class StockHold(models.Model):
    """Units reserved at a hub for a cart until expires_at. While the row exists its
    quantity is part of inventory.Stock.reserved; releasing it deletes the row and gives
    the units back in the same transaction."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="holds")
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cart", "hub", "product"], name="hold_once_per_cart_hub_product"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="hold_quantity_positive"),
        ]
        indexes = [models.Index(fields=["hub", "product", "expires_at"])]

    def __str__(self) -> str:
        return f"hold {self.quantity} x {self.product_id}@{self.hub_id} until {self.expires_at:%H:%M}"


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("placed")
    PICKING = "picking", _("picking")
    PACKED = "packed", _("packed")
    OUT_FOR_DELIVERY = "out_for_delivery", _("out for delivery")
    DELIVERED = "delivered", _("delivered")
    CANCELLED = "cancelled", _("cancelled")
    DELIVERY_FAILED = "delivery_failed", _("delivery failed")
    RETURNED = "returned", _("returned")
    REFUNDED = "refunded", _("refunded")


class PromiseKind(models.TextChoices):
    INSTANT = "instant", _("instant")
    SLOT = "slot", _("scheduled slot")


class Order(models.Model):
    """One resident's order and one payment; fulfilled by one or two shipments."""

    code = models.CharField(max_length=16, unique=True)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="orders")
    # The status of the order as a whole: the least advanced of its live shipments.
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    delivery_address = models.CharField(max_length=300, blank=True)
    delivery_lat = models.FloatField()
    delivery_lng = models.FloatField()
    delivery_cell = models.CharField(max_length=16)
    items_won = models.BigIntegerField()
    delivery_fee_won = models.BigIntegerField(default=0)
    total_won = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="KRW")
    # Why these hubs: the allocation's explanation, as shown to the customer and operator.
    allocation = models.JSONField(default=dict)
    placed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        indexes = [models.Index(fields=["customer", "placed_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(items_won__gte=0), name="order_items_not_negative"),
            models.CheckConstraint(
                condition=models.Q(delivery_fee_won__gte=0), name="order_fee_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(total_won=models.F("items_won") + models.F("delivery_fee_won")),
                name="order_total_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Shipment(models.Model):
    """The part of an order that one hub picks, packs and hands to a courier, with the
    promise given at checkout (kept unchanged so that on-time can be measured against it)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="shipments")
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    promise_kind = models.CharField(max_length=8, choices=PromiseKind.choices)
    slot = models.ForeignKey(
        DeliverySlot, null=True, blank=True, on_delete=models.PROTECT, related_name="shipments"
    )
    # The promised window: instant orders have promised_from = placed_at.
    promised_from = models.DateTimeField()
    promised_by = models.DateTimeField(db_index=True)
    # A later, honest estimate (dispatch may update it); the promise itself never changes.
    estimated_at = models.DateTimeField(null=True, blank=True)
    travel_minutes = models.FloatField(default=0)
    items_won = models.BigIntegerField(default=0)
    placed_at = models.DateTimeField(default=timezone.now)
    picking_started_at = models.DateTimeField(null=True, blank=True)
    packed_at = models.DateTimeField(null=True, blank=True)
    out_for_delivery_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["promised_by", "pk"]
        indexes = [
            models.Index(fields=["hub", "status", "promised_by"]),
            # The picking queue the checkout counts for the instant ETA (placement_sql): an
            # index-only count of the waiting shipments, without visiting the table's rows.
            models.Index(
                fields=["hub", "promise_kind", "promised_from"],
                condition=models.Q(status__in=[OrderStatus.PLACED, OrderStatus.PICKING]),
                name="shipment_picking_queue",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["order", "hub"], name="shipment_once_per_order_hub"),
            models.CheckConstraint(
                condition=models.Q(promised_by__gt=models.F("promised_from")), name="shipment_promise_window"
            ),
            models.CheckConstraint(
                condition=models.Q(promise_kind="instant", slot__isnull=True)
                | models.Q(promise_kind="slot", slot__isnull=False),
                name="shipment_slot_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.hub_id} ({self.status})"


class LineStatus(models.TextChoices):
    PENDING = "pending", _("to pick")
    PICKED = "picked", _("picked")
    SHORT = "short", _("short")
    PROPOSED = "proposed", _("substitute proposed")
    SUBSTITUTED = "substituted", _("substituted")
    CANCELLED = "cancelled", _("cancelled")


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    unit_price_won = models.BigIntegerField()
    substitution = models.CharField(max_length=8, choices=Substitution.choices, default=Substitution.ALLOW)
    status = models.CharField(max_length=12, choices=LineStatus.choices, default=LineStatus.PENDING)
    # What the picker found: units of the ordered product, and a substitute if any.
    picked_quantity = models.PositiveIntegerField(default=0)
    substitute = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    substitute_quantity = models.PositiveIntegerField(default=0)
    # What the customer pays for this line after picking (substitutes never cost more
    # than what was ordered).
    charged_won = models.BigIntegerField()

    class Meta:
        ordering = ["shipment", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="line_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price_won__gte=0), name="line_price_not_negative"),
            models.CheckConstraint(
                condition=models.Q(picked_quantity__lte=models.F("quantity")),
                name="line_picked_within_ordered",
            ),
            models.CheckConstraint(condition=models.Q(charged_won__gte=0), name="line_charge_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id} ({self.status})"


class Payment(models.Model):
    """One tender of an order's payment (card now; local currency joins as a second tender)."""

    class Status(models.TextChoices):
        AUTHORISED = "authorised", _("authorised")
        CAPTURED = "captured", _("captured")
        VOIDED = "voided", _("voided")
        REFUNDED = "refunded", _("refunded")
        FAILED = "failed", _("failed")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    tender = models.CharField(max_length=16, default="card")
    provider = models.CharField(max_length=32)
    reference = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices)
    authorised_won = models.BigIntegerField()
    captured_won = models.BigIntegerField(default=0)
    refunded_won = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "reference"], name="payment_reference_unique"),
            models.CheckConstraint(
                condition=models.Q(authorised_won__gte=0), name="payment_authorised_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(captured_won__gte=0, captured_won__lte=models.F("authorised_won")),
                name="payment_captured_within_authorised",
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_won__gte=0, refunded_won__lte=models.F("captured_won")),
                name="payment_refunded_within_captured",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tender} {self.authorised_won} won ({self.status})"


class IdempotencyRecord(models.Model):
    """A client's Idempotency-Key for placing an order: a repeat with the same request
    returns the same order; the same key with a different request is refused."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    # The order, named by its code: checkout draws the code before it writes anything, so the
    # claim is a single INSERT made first (a repeat waits on it) and the order row follows in
    # the same transaction (the foreign key is checked at commit).
    order = models.ForeignKey(
        Order,
        to_field="code",
        db_column="order_code",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class OrderEvent(models.Model):
    """Every state change of an order or shipment, and every picking decision."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    shipment = models.ForeignKey(
        Shipment, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=32)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["order", "at"])]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.from_status}->{self.to_status}"
