"""Request and response bodies of the inventory API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, cast

from ninja import Schema
from pydantic import Field, StrictInt

from hyperlocal.inventory.models import InboundLine, InboundShipment, Stock
from hyperlocal.inventory.services import MAX_UNITS, Suggestion
from hyperlocal.inventory.services.inbound import MAX_LINES, MAX_NOTE
from hyperlocal.inventory.services.replenishment import MAX_DAYS
from hyperlocal.inventory.services.stock import MAX_BIN, MAX_DAYS_OF_COVER, MAX_LOW_STOCK_AT, MAX_REASON

# Spelled out (and checked against the model in the tests): enums named "Status" in several
# apps would share one OpenAPI component and contradict each other.
InboundStatus = Literal["expected", "received", "cancelled"]
Units = Annotated[StrictInt, Field(ge=1, le=MAX_UNITS)]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Reason = Annotated[str, Field(min_length=1, max_length=MAX_REASON)]


class StockOut(Schema):
    hub: str = Field(description="the hub's slug")
    hub_name: str
    product_id: int
    sku: str
    product_name: str
    on_hand: int
    reserved: int = Field(description="held for carts and orders not yet picked")
    available: int = Field(description="on hand - reserved")
    zone_id: int | None
    zone: str | None = Field(description="the zone's name")
    bin: str
    low_stock_at: int
    target_days_of_cover: int
    is_low: bool = Field(description="available <= low_stock_at")


class SuggestionOut(Schema):
    product_id: int
    product_name: str
    sku: str
    on_hand: int
    reserved: int
    available: int
    incoming: int = Field(description="units on expected inbound shipments")
    picked: int = Field(description="units picked over the window")
    days: int = Field(description="the window, in days")
    rate_per_day: float = Field(description="picked / days")
    target_days_of_cover: int
    target_units: int = Field(description="ceil(rate_per_day * target_days_of_cover)")
    suggested: int = Field(description="max(0, target_units - available - incoming)")


class AdjustIn(Schema):
    delta: StrictInt = Field(ge=-MAX_UNITS, le=MAX_UNITS, description="units found (+) or missing (-); not 0")
    reason: Reason


class WriteOffIn(Schema):
    quantity: Units
    reason: Reason = Field(description="e.g. 'expired'")


class LocationPatch(Schema):
    zone_id: Id | None = Field(None, description="a zone of this hub; null clears it")
    bin: str | None = Field(None, max_length=MAX_BIN)
    low_stock_at: StrictInt | None = Field(None, ge=0, le=MAX_LOW_STOCK_AT)
    target_days_of_cover: StrictInt | None = Field(None, ge=0, le=MAX_DAYS_OF_COVER)


class InboundLineIn(Schema):
    product_id: Id
    quantity: Units


class InboundIn(Schema):
    merchant: str = Field(min_length=1, max_length=120, description="the sending merchant's slug")
    hub: str = Field(min_length=1, max_length=120, description="the receiving hub's slug")
    expected_at: datetime = Field(description="with its time zone")
    note: str = Field("", max_length=MAX_NOTE)
    lines: list[InboundLineIn] = Field(min_length=1, max_length=MAX_LINES)


class ReceivedLineIn(Schema):
    product_id: Id
    received: StrictInt = Field(ge=0, le=MAX_UNITS, description="good units")
    damaged: StrictInt = Field(0, ge=0, le=MAX_UNITS)


class ReceiveIn(Schema):
    lines: list[ReceivedLineIn] | None = Field(
        None,
        max_length=MAX_LINES,
        description="what arrived of every line; leave out when everything arrived in good order",
    )


class InboundLineOut(Schema):
    product_id: int
    sku: str
    product_name: str
    quantity_sent: int
    quantity_received: int
    quantity_damaged: int


class InboundOut(Schema):
    id: int
    merchant: str = Field(description="the merchant's slug")
    merchant_name: str
    hub: str = Field(description="the hub's slug")
    hub_name: str
    status: InboundStatus
    expected_at: datetime
    note: str
    created_at: datetime
    received_at: datetime | None
    lines: list[InboundLineOut]


# Bounds for query parameters.
DAYS_MAX = MAX_DAYS


def _name(product: object) -> str:
    return str(getattr(product, "name_en", "") or getattr(product, "name_ko", ""))


def stock_out(stock: Stock) -> StockOut:
    return StockOut(
        hub=stock.hub.slug,
        hub_name=stock.hub.name,
        product_id=stock.product_id,
        sku=stock.product.sku,
        product_name=_name(stock.product),
        on_hand=stock.on_hand,
        reserved=stock.reserved,
        available=stock.available,
        zone_id=stock.zone_id,
        zone=stock.zone.name if stock.zone else None,
        bin=stock.bin,
        low_stock_at=stock.low_stock_at,
        target_days_of_cover=stock.target_days_of_cover,
        is_low=stock.available <= stock.low_stock_at,
    )


def suggestion_out(s: Suggestion) -> SuggestionOut:
    return SuggestionOut(
        product_id=s.product_id,
        product_name=s.product_name,
        sku=s.sku,
        on_hand=s.on_hand,
        reserved=s.reserved,
        available=s.available,
        incoming=s.incoming,
        picked=s.picked,
        days=s.days,
        rate_per_day=round(s.rate_per_day, 3),
        target_days_of_cover=s.target_days_of_cover,
        target_units=s.target_units,
        suggested=s.suggested,
    )


def _line_out(line: InboundLine) -> InboundLineOut:
    return InboundLineOut(
        product_id=line.product_id,
        sku=line.product.sku,
        product_name=_name(line.product),
        quantity_sent=line.quantity_sent,
        quantity_received=line.quantity_received,
        quantity_damaged=line.quantity_damaged,
    )


def inbound_out(shipment: InboundShipment) -> InboundOut:
    return InboundOut(
        id=shipment.pk,
        merchant=shipment.merchant.slug,
        merchant_name=shipment.merchant.name,
        hub=shipment.hub.slug,
        hub_name=shipment.hub.name,
        status=cast(InboundStatus, shipment.status),
        expected_at=shipment.expected_at,
        note=shipment.note,
        created_at=shipment.created_at,
        received_at=shipment.received_at,
        lines=[_line_out(line) for line in shipment.lines.all()],
    )
