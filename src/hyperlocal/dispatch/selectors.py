"""What the pages and the API read about dispatch: a courier's route, a shipment's courier
and eta for its customer, the hub board's flags, the hub's couriers and its round log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q
from django.utils import timezone

from hyperlocal.dispatch.models import (
    Courier,
    DispatchRound,
    Shift,
    ShipmentDispatch,
    StopStatus,
    Trip,
    TripStatus,
)
from hyperlocal.dispatch.services.couriers import next_shift, open_shift
from hyperlocal.dispatch.services.records import LateReason
from hyperlocal.hubs.models import Hub
from hyperlocal.orders.models import OrderStatus

__all__ = [
    "BOARD_STATUSES",
    "TRACKED_STATUSES",
    "BoardFlag",
    "CourierRow",
    "Route",
    "RouteStop",
    "Tracking",
    "courier_route",
    "hub_couriers",
    "hub_flags",
    "hub_rounds",
    "tracking_for",
]


@dataclass(frozen=True)
class RouteStop:
    shipment_id: int
    order_code: str
    sequence: int
    address: str
    lat: float
    lng: float
    eta: datetime
    status: str  # planned (to deliver), delivered, failed
    picked_up: bool
    promised_by: datetime

    @property
    def late(self) -> bool:
        return self.status == StopStatus.PLANNED and self.eta > self.promised_by


@dataclass(frozen=True)
class Route:
    courier: Courier
    shift: Shift | None  # the open shift, else the next one
    clocked_in: bool
    carrying: tuple[RouteStop, ...]  # the trip picked up: every stop, done ones too
    planned: tuple[RouteStop, ...]  # the next trip to pick up at the hub
    planned_departure: datetime | None

    @property
    def next_stop(self) -> RouteStop | None:
        return next((s for s in self.carrying if s.status == StopStatus.PLANNED), None)


def _stops(trip: Trip | None) -> tuple[RouteStop, ...]:
    if trip is None:
        return ()
    return tuple(
        RouteStop(
            shipment_id=st.shipment_id,
            order_code=st.shipment.order.code,
            sequence=st.sequence,
            address=st.shipment.order.delivery_address,
            lat=st.shipment.order.delivery_lat,
            lng=st.shipment.order.delivery_lng,
            eta=st.eta,
            status=st.status,
            picked_up=trip.status != TripStatus.PLANNED,
            promised_by=st.shipment.promised_by,
        )
        for st in sorted(trip.stops.all(), key=lambda st: st.sequence)
    )


def courier_route(courier: Courier, *, now: datetime | None = None) -> Route:
    now = now or timezone.now()
    trips = {
        t.status: t
        for t in Trip.objects.filter(courier=courier, status__in=[TripStatus.OUT, TripStatus.PLANNED])
        .select_related("hub")
        .prefetch_related("stops__shipment__order")
    }
    shift = open_shift(courier)
    planned = trips.get(TripStatus.PLANNED)
    return Route(
        courier=courier,
        shift=shift or next_shift(courier, now),
        clocked_in=shift is not None,
        carrying=_stops(trips.get(TripStatus.OUT)),
        planned=_stops(planned),
        planned_departure=planned.depart_at if planned else None,
    )


# Shipments whose delivery is still to come: the customer sees courier, eta and proof code.
TRACKED_STATUSES = (
    OrderStatus.PLACED,
    OrderStatus.PICKING,
    OrderStatus.PACKED,
    OrderStatus.OUT_FOR_DELIVERY,
)
# Shipments the hub's board still shows flags for (a failed delivery needs the hub).
BOARD_STATUSES = (*TRACKED_STATUSES, OrderStatus.DELIVERY_FAILED)


@dataclass(frozen=True)
class Tracking:
    """What the customer sees of a shipment's delivery."""

    courier_name: str | None
    eta: datetime | None
    proof_code: str
    late: bool
    on_its_way: bool  # not delivered or closed yet: show courier, eta and proof code


def tracking_for(shipment_ids: Iterable[int]) -> dict[int, Tracking]:
    records = (
        ShipmentDispatch.objects.filter(shipment_id__in=list(shipment_ids))
        .select_related("courier__user")
        .annotate(shipment_status=F("shipment__status"))
    )
    return {
        r.shipment_id: Tracking(
            courier_name=str(r.courier.user) if r.courier else None,
            eta=r.eta,
            proof_code=r.proof_code,
            late=r.late,
            on_its_way=getattr(r, "shipment_status", "") in TRACKED_STATUSES,
        )
        for r in records
    }


@dataclass(frozen=True)
class BoardFlag:
    courier_name: str | None
    eta: datetime | None
    late: bool
    reason: str  # in the reader's language


def hub_flags(hub: Hub) -> dict[int, BoardFlag]:
    """Per open shipment of the hub that dispatch has seen (not delivered or closed: the
    board's work, not the hub's history): who carries it (or will), its eta, and the late
    flag with its reason."""
    labels = dict(LateReason.choices)
    records = ShipmentDispatch.objects.filter(
        shipment__hub=hub, shipment__status__in=BOARD_STATUSES
    ).select_related("courier__user")
    return {
        r.shipment_id: BoardFlag(
            courier_name=str(r.courier.user) if r.courier else None,
            eta=r.eta,
            late=r.late,
            reason=str(labels.get(r.late_reason, r.late_reason)),
        )
        for r in records
    }


@dataclass(frozen=True)
class CourierRow:
    courier: Courier
    name: str
    state: str  # off, idle, planned, out
    shift: Shift | None
    carrying: int
    planned: int


def hub_couriers(hub: Hub, *, now: datetime | None = None) -> list[CourierRow]:
    """The hub's active couriers with what they do now."""
    now = now or timezone.now()
    couriers = list(
        Courier.objects.filter(home_hub=hub, is_active=True)
        .select_related("user")
        .annotate(
            carrying=Count("trips__stops", filter=Q(trips__status=TripStatus.OUT, trips__stops__live=True)),
            planned=Count("trips__stops", filter=Q(trips__status=TripStatus.PLANNED)),
        )
        .order_by("user__username")
    )
    open_shifts = {
        s.courier_id: s
        for s in Shift.objects.filter(
            courier__in=couriers, clocked_in_at__isnull=False, clocked_out_at__isnull=True
        )
    }
    rows = []
    for c in couriers:
        carrying, planned = int(getattr(c, "carrying", 0)), int(getattr(c, "planned", 0))
        shift = open_shifts.get(c.pk)
        if shift is None:
            state = "off"
        elif carrying:
            state = "out"
        elif planned:
            state = "planned"
        else:
            state = "idle"
        rows.append(CourierRow(c, str(c.user), state, shift or next_shift(c, now), carrying, planned))
    return rows


def hub_rounds(hub: Hub, *, limit: int = 50) -> list[DispatchRound]:
    return list(DispatchRound.objects.filter(hub=hub).order_by("-at", "-pk")[:limit])
