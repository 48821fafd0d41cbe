"""Request and response bodies of the dispatch API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from hyperlocal.dispatch.models import DispatchRound, Shift
from hyperlocal.dispatch.selectors import CourierRow, Route, RouteStop

StopStatusName = Literal["planned", "delivered", "failed"]
CourierState = Literal["off", "idle", "planned", "out"]


class ShiftRef(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    clocked_in_at: datetime | None
    clocked_out_at: datetime | None


class ShiftOut(Schema):
    clocked_in: bool
    shift: ShiftRef | None = Field(description="the open shift, else the next one (None: no shift planned)")


class ProofTriesOut(Schema):
    shipment_id: int
    tries_left: int = Field(description="proof codes the courier may still try at the door")


class StopOut(Schema):
    shipment_id: int
    order_code: str
    sequence: int
    address: str
    lat: float
    lng: float
    eta: datetime
    promised_by: datetime
    late: bool
    status: StopStatusName
    picked_up: bool
    proof_needed: str = Field(description="what the door needs: the customer's code or a photo")


class RouteOut(Schema):
    clocked_in: bool
    shift: ShiftRef | None
    next_stop: StopOut | None
    carrying: list[StopOut] = Field(description="the trip picked up, in order (done stops too)")
    planned: list[StopOut] = Field(description="the next trip to pick up at the hub, in order")
    planned_departure: datetime | None


class DeliverIn(Schema):
    proof_code: str = Field(min_length=1, max_length=16, description="the code on the customer's order page")


class FailIn(Schema):
    reason: str = Field(min_length=1, max_length=300, description="why the delivery failed")


class CourierOut(Schema):
    id: int
    name: str
    mode: str
    capacity_items: int
    simulated: bool
    state: CourierState
    shift: ShiftRef | None
    carrying: int
    planned: int


class RoundOut(Schema):
    id: int
    at: datetime
    strategy: str
    shipments: int
    couriers: int
    assigned: int
    waiting: int
    late: int
    skipped: int = Field(description="picked up while the round decided: left as they were")
    seconds: float
    note: str


def shift_ref(shift: Shift | None) -> ShiftRef | None:
    if shift is None:
        return None
    return ShiftRef(
        id=shift.pk,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        clocked_in_at=shift.clocked_in_at,
        clocked_out_at=shift.clocked_out_at,
    )


def stop_out(stop: RouteStop) -> StopOut:
    return StopOut(
        shipment_id=stop.shipment_id,
        order_code=stop.order_code,
        sequence=stop.sequence,
        address=stop.address,
        lat=stop.lat,
        lng=stop.lng,
        eta=stop.eta,
        promised_by=stop.promised_by,
        late=stop.late,
        status=stop.status,  # type: ignore[arg-type]
        picked_up=stop.picked_up,
        proof_needed="code or photo",
    )


def route_out(route: Route) -> RouteOut:
    return RouteOut(
        clocked_in=route.clocked_in,
        shift=shift_ref(route.shift),
        next_stop=stop_out(route.next_stop) if route.next_stop else None,
        carrying=[stop_out(s) for s in route.carrying],
        planned=[stop_out(s) for s in route.planned],
        planned_departure=route.planned_departure,
    )


def courier_out(row: CourierRow) -> CourierOut:
    c = row.courier
    return CourierOut(
        id=c.pk,
        name=row.name,
        mode=c.mode,
        capacity_items=c.capacity_items,
        simulated=c.simulated,
        state=row.state,  # type: ignore[arg-type]
        shift=shift_ref(row.shift),
        carrying=row.carrying,
        planned=row.planned,
    )


def round_out(r: DispatchRound) -> RoundOut:
    return RoundOut(
        id=r.pk,
        at=r.at,
        strategy=r.strategy,
        shipments=r.shipments,
        couriers=r.couriers,
        assigned=r.assigned,
        waiting=r.waiting,
        late=r.late,
        skipped=r.skipped,
        seconds=r.seconds,
        note=r.note,
    )
