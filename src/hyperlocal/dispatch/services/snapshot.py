"""What a round sees, read from the database into `optim.dispatch.RoundInput`.

The round's clock: float minutes since the round's `now` (now = 0.0), so that every time the
strategy returns converts back with `at(now, minutes)`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, Sum

from hyperlocal.dispatch.models import Courier, Shift, Trip, TripStatus
from hyperlocal.geo import Mode, Point, TravelTimeModel
from hyperlocal.hubs.models import Hub
from hyperlocal.optim.dispatch import CarriedStop, CourierState, OpenShipment, RoundInput
from hyperlocal.orders.models import LineStatus, OrderStatus, PromiseKind, Shipment
from hyperlocal.orders.services.promise import instant_eta_minutes, policy_for

S = OrderStatus
OPEN_STATUSES = (S.PLACED, S.PICKING, S.PACKED)
# Slot shipments join the rounds this long before their window opens.
SLOT_HORIZON = timedelta(hours=2)
# What the rounds tell the routing model, and what a pick-up's etas count with: taking the
# bags at the hub, handing one over at the door (minutes). Passed explicitly to the model so
# that its plans and the etas from a pick-up agree even if its own defaults change.
HUB_HANDOVER_MINUTES = 1.0
DOOR_SERVICE_MINUTES = 2.0


def minutes_since(now: datetime, when: datetime) -> float:
    return (when - now).total_seconds() / 60.0


def at(now: datetime, minutes: float) -> datetime:
    return now + timedelta(minutes=minutes)


@dataclass(frozen=True)
class Snapshot:
    round_input: RoundInput
    shipments: dict[str, Shipment]  # by the id the strategy sees
    couriers: dict[str, Courier]


def open_shipments(hub: Hub, now: datetime) -> list[Shipment]:
    """The hub's shipments no courier has picked up: placed, picking or packed (slot ones
    from SLOT_HORIZON before their window), with their units, earliest promise first."""
    return list(
        Shipment.objects.filter(hub=hub, status__in=OPEN_STATUSES)
        .filter(Q(promise_kind=PromiseKind.INSTANT) | Q(promised_from__lte=now + SLOT_HORIZON))
        .select_related("order")
        .annotate(units=Sum("lines__quantity", filter=~Q(lines__status=LineStatus.CANCELLED)))
        .order_by("placed_at", "pk")
    )


def ready_minutes(hub: Hub, shipments: list[Shipment], now: datetime) -> dict[int, float]:
    """When each shipment will be packed, in minutes from now: packed ones now; picking ones
    the pick-and-pack time after picking started; placed ones after the queue ahead of them
    (shared by the pickers), as the checkout's promise counts it: the shipments being picked
    now, then the placed ones before this one."""
    policy = policy_for(hub)
    ready: dict[int, float] = {}
    queue = sum(1 for s in shipments if s.status == S.PICKING)
    for s in shipments:
        if s.status == S.PACKED:
            ready[s.pk] = 0.0
        elif s.status == S.PICKING:
            started = s.picking_started_at or now
            ready[s.pk] = max(0.0, minutes_since(now, started) + hub.prep_minutes)
        else:
            ready[s.pk] = float(
                instant_eta_minutes(
                    queue_length=queue,
                    pickers=policy.pickers,
                    pick_minutes_per_order=policy.pick_minutes_per_order,
                    prep_minutes=hub.prep_minutes,
                    travel_minutes=0,
                )
            )
            queue += 1
    return ready


def _courier_state(
    courier: Courier,
    shift: Shift,
    trips: list[Trip],
    hub_point: Point,
    now: datetime,
    travel: TravelTimeModel,
) -> CourierState:
    """Where the courier is and what they still carry. Riding back from a finished trip
    counts as being at its last stop until the ride back is over."""
    mode = Mode(courier.mode)
    out = next((t for t in trips if t.status == TripStatus.OUT), None)
    carrying: tuple[CarriedStop, ...] = ()
    position = hub_point
    if out is not None:
        stops = sorted(out.stops.all(), key=lambda st: st.sequence)
        carrying = tuple(
            CarriedStop(
                id=str(st.shipment_id),
                drop_off=_drop_off(st.shipment),
                due_by=minutes_since(now, st.shipment.promised_by),
                service_minutes=DOOR_SERVICE_MINUTES,
            )
            for st in stops
            if st.live
        )
        done = [st for st in stops if not st.live and st.done_at is not None]
        if done:
            position = _drop_off(max(done, key=lambda st: st.done_at or now).shipment)
    else:
        last = max(
            (t for t in trips if t.status == TripStatus.DONE and t.finished_at is not None),
            key=lambda t: t.finished_at or now,
            default=None,
        )
        if last is not None:
            stops = [st for st in last.stops.all() if st.done_at is not None]
            if stops:
                end = _drop_off(max(stops, key=lambda st: st.done_at or now).shipment)
                back = float(travel.minutes([end], [hub_point], mode)[0, 0])
                if last.finished_at is not None and at(last.finished_at, back) > now:
                    position = end
    return CourierState(
        id=str(courier.pk),
        mode=mode,
        capacity_items=courier.capacity_items,
        at=position,
        shift_ends_at=minutes_since(now, shift.ends_at),
        carrying=carrying,
    )


def _drop_off(shipment: Shipment) -> Point:
    return Point(shipment.order.delivery_lat, shipment.order.delivery_lng)


def couriers_on_shift(hub: Hub) -> list[tuple[Courier, Shift]]:
    shifts = (
        Shift.objects.filter(
            courier__home_hub=hub,
            courier__is_active=True,
            clocked_in_at__isnull=False,
            clocked_out_at__isnull=True,
        )
        .select_related("courier__user")
        .order_by("courier_id")
    )
    return [(s.courier, s) for s in shifts]


def take_snapshot(hub: Hub, now: datetime, travel: TravelTimeModel) -> Snapshot:
    hub_point = Point(hub.lat, hub.lng)
    shipments = open_shipments(hub, now)
    ready = ready_minutes(hub, shipments, now)
    on_shift = couriers_on_shift(hub)
    recent = now - timedelta(hours=3)
    trips = (
        Trip.objects.filter(courier_id__in=[c.pk for c, _ in on_shift])
        .filter(Q(status=TripStatus.OUT) | Q(status=TripStatus.DONE, finished_at__gte=recent))
        .prefetch_related("stops__shipment__order")
    )
    by_courier: dict[int, list[Trip]] = {}
    for trip in trips:
        by_courier.setdefault(trip.courier_id, []).append(trip)
    states = []
    for courier, shift in on_shift:
        states.append(_courier_state(courier, shift, by_courier.get(courier.pk, []), hub_point, now, travel))
    open_ = tuple(
        OpenShipment(
            id=str(s.pk),
            drop_off=_drop_off(s),
            items=max(1, int(getattr(s, "units", None) or 0)),
            ready_at=ready[s.pk],
            due_by=minutes_since(now, s.promised_by),
            due_from=minutes_since(now, s.promised_from) if s.promise_kind == PromiseKind.SLOT else -math.inf,
            service_minutes=DOOR_SERVICE_MINUTES,
        )
        for s in shipments
    )
    round_input = RoundInput(
        hub_id=str(hub.pk),
        hub=hub_point,
        now=0.0,
        shipments=open_,
        couriers=tuple(states),
        hub_handover_minutes=HUB_HANDOVER_MINUTES,
        time_limit_s=float(settings.DISPATCH_TIME_LIMIT_S),
    )
    return Snapshot(round_input, {str(s.pk): s for s in shipments}, {str(c.pk): c for c, _ in on_shift})


__all__ = [
    "DOOR_SERVICE_MINUTES",
    "HUB_HANDOVER_MINUTES",
    "OPEN_STATUSES",
    "Snapshot",
    "at",
    "minutes_since",
    "open_shipments",
    "ready_minutes",
    "take_snapshot",
]
