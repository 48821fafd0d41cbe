"""The courier's moves: pick up a planned trip at the hub, deliver a stop with proof (the
customer's code or a photo), or report it failed with a reason. Order states follow through
the orders lifecycle (packed -> out for delivery -> delivered / delivery failed), each move
an event with the courier as its actor.

Locks, in the order every order change takes them: orders by id, then their shipments by id,
then the courier's open shift (pick-up only, as clock-out takes it: shift before trips), then
the trip, then its stops. Nothing is written before every check has passed.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from hyperlocal.accounts.models import User
from hyperlocal.dispatch.errors import NotOnYourRoute, WrongProofCode
from hyperlocal.dispatch.models import Courier, ShipmentDispatch, StopStatus, Trip, TripStatus, TripStop
from hyperlocal.dispatch.services import proof
from hyperlocal.dispatch.services.couriers import courier_of, lock_open_shift
from hyperlocal.dispatch.services.records import LateReason, ensure_records
from hyperlocal.dispatch.services.snapshot import DOOR_SERVICE_MINUTES, HUB_HANDOVER_MINUTES
from hyperlocal.errors import Conflict, InvalidInput, NotAllowed
from hyperlocal.geo import Mode, Point
from hyperlocal.hubs.services.service_area import default_travel_model
from hyperlocal.orders.models import Order, OrderStatus, Shipment
from hyperlocal.orders.services.lifecycle import (
    apply_transition,
    check_allowed,
    lock_order,
    lock_orders,
    refresh_order_status,
    set_estimates,
)

__all__ = ["MAX_PHOTO_BYTES", "PHOTO_FORMATS", "deliver", "deliver_simulated", "fail_delivery", "pick_up"]

S = OrderStatus
MAX_PHOTO_BYTES = 8 * 1024 * 1024
# What Pillow must read the proof photo's bytes as (the client's content type proves nothing).
PHOTO_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})


def _live_stop(courier: Courier, shipment_id: int) -> TripStop:
    stop = (
        TripStop.objects.select_related("trip")
        .filter(shipment_id=shipment_id, live=True, trip__courier=courier)
        .first()
    )
    if stop is None:
        raise NotOnYourRoute()
    return stop


def _etas(
    trip: Trip, stops: Sequence[TripStop], shipments: dict[int, Shipment], depart: datetime
) -> list[datetime]:
    """Arrival at each stop when leaving the hub at `depart`, by the travel-time model."""
    hub = trip.hub
    points = [Point(hub.lat, hub.lng)] + [
        Point(shipments[st.shipment_id].order.delivery_lat, shipments[st.shipment_id].order.delivery_lng)
        for st in stops
    ]
    matrix = default_travel_model().minutes(points, points, Mode(trip.courier.mode))
    minutes = HUB_HANDOVER_MINUTES
    etas = []
    for i in range(1, len(points)):
        minutes += float(matrix[i - 1, i])
        etas.append(depart + timedelta(minutes=minutes))
        minutes += DOOR_SERVICE_MINUTES
    return etas


def pick_up(courier_user: User, shipment: Shipment, *, at: datetime | None = None) -> Trip:
    """Take the planned trip that holds `shipment` out of the hub: every shipment on it goes
    out for delivery and the stops get etas from now. 404 when the shipment is not on this
    courier's route, 409 when not clocked in, already picked up, a shipment is not packed yet,
    or the next round replaced the trip meanwhile (reload the route).

    The open shift is re-checked under its lock inside the transaction: a clock-out racing
    the pick-up either waits for it (and then refuses: still carrying) or goes first (and the
    pick-up refuses: not clocked in); never a picked-up trip deleted under its courier."""
    at = at or timezone.now()
    courier = courier_of(courier_user)
    stop = _live_stop(courier, shipment.pk)
    if stop.trip.status != TripStatus.PLANNED:
        raise Conflict("you have already picked this shipment up", code="already_picked_up")
    trip_id = stop.trip_id
    ids = list(
        TripStop.objects.filter(trip_id=trip_id).order_by("sequence").values_list("shipment_id", flat=True)
    )
    order_ids = Shipment.objects.filter(pk__in=ids).values_list("order_id", flat=True)
    with transaction.atomic():
        orders, locked = lock_orders(order_ids)
        if lock_open_shift(courier) is None:
            raise Conflict("clock in before picking up", code="not_clocked_in")
        trip = (
            Trip.objects.select_for_update(of=("self",))
            .select_related("hub", "courier")
            .filter(pk=trip_id, courier=courier, status=TripStatus.PLANNED)
            .first()
        )
        if trip is None:
            raise Conflict("your route changed meanwhile: reload it", code="route_changed")
        if Trip.objects.filter(courier=courier, status=TripStatus.OUT).exists():
            raise Conflict("finish the trip you are on before picking up the next", code="trip_in_progress")
        by_id = {s.pk: s for s in locked}
        stops = list(trip.stops.select_for_update().order_by("sequence"))
        for st in stops:
            if by_id[st.shipment_id].status != S.PACKED:
                raise Conflict(
                    f"order {by_id[st.shipment_id].order.code} is not packed yet", code="not_packed"
                )
        for st in stops:
            current = by_id[st.shipment_id]
            check_allowed(current, S.OUT_FOR_DELIVERY)
            others = [s for s in locked if s.order_id == current.order_id and s.pk != current.pk]
            apply_transition(
                courier_user,
                orders[current.order_id],
                current,
                S.OUT_FOR_DELIVERY,
                others=others,
                now=at,
                data={"trip": trip.pk, "courier": courier.pk},
            )
        for order in orders.values():
            refresh_order_status(order)
        etas = _etas(trip, stops, by_id, at)
        records = ensure_records(ids)
        for st, eta in zip(stops, etas, strict=True):
            st.eta = eta
            record = records[st.shipment_id]
            record.courier, record.eta, record.updated_at = courier, eta, at
            record.late = eta > by_id[st.shipment_id].promised_by
            record.late_reason = LateReason.COURIER_LATE if record.late else ""
        TripStop.objects.bulk_update(stops, ["eta"])
        ShipmentDispatch.objects.bulk_update(
            list(records.values()), ["courier", "eta", "late", "late_reason", "updated_at"]
        )
        set_estimates({st.shipment_id: eta for st, eta in zip(stops, etas, strict=True)})
        trip.status, trip.picked_up_at = TripStatus.OUT, at
        trip.save(update_fields=["status", "picked_up_at"])
    return trip


def _carried_stop(courier: Courier, shipment_id: int) -> TripStop:
    """The courier's live stop for the shipment on a trip they picked up. Locks the trip, then
    the stop (after the caller's orders and shipments): two stops of one trip closing at once
    queue on the trip row, so that the second sees the first closed and closes the trip."""
    trip_id = (
        TripStop.objects.filter(shipment_id=shipment_id, live=True, trip__courier=courier)
        .values_list("trip_id", flat=True)
        .first()
    )
    trip = (
        Trip.objects.select_for_update(of=("self",))
        .filter(pk=trip_id, courier=courier)
        .order_by("pk")
        .first()
        if trip_id
        else None
    )
    stop = (
        TripStop.objects.select_for_update(of=("self",))
        .select_related("trip")
        .filter(shipment_id=shipment_id, live=True, trip=trip)
        .first()
        if trip is not None
        else None
    )
    if stop is None:
        raise NotOnYourRoute()
    if stop.trip.status != TripStatus.OUT:
        raise Conflict("pick the shipment up at the hub first", code="not_picked_up")
    return stop


def _close_stop(stop: TripStop, status: str, at: datetime, *, reason: str = "") -> None:
    """Close the stop; the trip is done by a conditional UPDATE that finds no live stop left
    (under the trip's lock from _carried_stop, so a concurrent last stop cannot be missed)."""
    stop.status, stop.live, stop.done_at, stop.failure_reason = status, False, at, reason
    stop.save(update_fields=["status", "live", "done_at", "failure_reason", "proof_photo"])
    live = TripStop.objects.filter(trip_id=OuterRef("pk"), live=True)
    Trip.objects.filter(pk=stop.trip_id, status=TripStatus.OUT).exclude(Exists(live)).update(
        status=TripStatus.DONE, finished_at=at
    )


def _check_photo(photo: UploadedFile) -> None:
    """422 unless the bytes are a JPEG, PNG or WebP image that Pillow reads, within the size
    limit (the client's content type and file name prove nothing)."""
    if not photo.size or photo.size > MAX_PHOTO_BYTES:
        raise InvalidInput(
            f"the proof photo must be between 1 byte and {MAX_PHOTO_BYTES // (1024 * 1024)} MB",
            field="photo",
            code="photo_size",
        )
    kind: str | None = None
    try:
        photo.seek(0)
        with Image.open(photo) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        kind = None
    finally:
        photo.seek(0)
    if kind not in PHOTO_FORMATS:
        raise InvalidInput(
            "the proof photo must be a JPEG, PNG or WebP image", field="photo", code="not_an_image"
        )


def _require_no_transaction() -> None:
    """deliver counts a code's try in a transaction of its own that must commit even when the
    delivery is then refused; inside a caller's transaction the try would roll back with the
    refusal (and a guesser would get unlimited tries). Django's durable-block check tells
    (a test case's own wrapping transaction, which stands in for autocommit, passes it)."""
    try:
        with transaction.atomic(durable=True):
            pass
    except RuntimeError:
        raise RuntimeError(
            "delivery.deliver must be called outside a transaction (it runs its own, and a wrong "
            "proof code's try must stay counted): do not wrap it in transaction.atomic()"
        ) from None


def _finish(
    courier_user: User,
    shipment: Shipment,
    to_status: str,
    at: datetime,
    *,
    check: Callable[[TripStop], None],
    note: str = "",
) -> tuple[Order, Shipment, TripStop]:
    """Lock, check (`check(stop)` raises to refuse), move the shipment; the caller closes the stop."""
    courier = courier_of(courier_user)
    order_id = Shipment.objects.filter(pk=shipment.pk).values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotOnYourRoute()
    order, locked = lock_order(order_id)
    current = next(s for s in locked if s.pk == shipment.pk)
    stop = _carried_stop(courier, current.pk)
    check(stop)
    check_allowed(current, to_status)
    others = [s for s in locked if s.pk != current.pk]
    data = {"trip": stop.trip_id, "courier": courier.pk}
    apply_transition(courier_user, order, current, to_status, others=others, note=note, now=at, data=data)
    refresh_order_status(order)
    return order, current, stop


def deliver(
    courier_user: User,
    shipment: Shipment,
    *,
    proof_code: str | None = None,
    photo: UploadedFile | None = None,
    at: datetime | None = None,
) -> Shipment:
    """Hand the shipment over with proof: the customer's code (422 wrong_proof_code when it
    does not match: only the try is counted) or a photo of the door. Captures the payment
    through the lifecycle. 404 for a shipment not on this courier's route, 409 before pick-up,
    409 proof_code_locked once MAX_PROOF_ATTEMPTS codes were tried (a photo still works).

    Call it outside a transaction: it runs its own, and counts a code's try in one of its own
    first (see services.proof), which a caller's transaction would roll back on refusal:
    RuntimeError when called inside one."""
    _require_no_transaction()
    at = at or timezone.now()
    code = (proof_code or "").strip()
    if not code and photo is None:
        raise InvalidInput(
            "give the customer's proof code or a photo", field="proof_code", code="proof_required"
        )
    if photo is not None:
        _check_photo(photo)
    left = 0
    if code:
        # Only the courier carrying it may spend a try (nobody locks others' shipments).
        if _live_stop(courier_of(courier_user), shipment.pk).trip.status != TripStatus.OUT:
            raise Conflict("pick the shipment up at the hub first", code="not_picked_up")
        left = proof.take_attempt(shipment.pk)

    return _hand_over(courier_user, shipment, code=code, photo=photo, left=left, at=at)


def deliver_simulated(courier_user: User, shipment: Shipment, *, at: datetime | None = None) -> Shipment:
    """The demo autopilot's delivery for a simulated courier (no person at the door to guess
    codes): the same checks and moves as `deliver` with the right code, in the caller's
    transaction (the worker's job), without counting a try. 403 not_simulated for any other
    courier: a person always goes through `deliver`."""
    at = at or timezone.now()
    if not courier_of(courier_user).simulated:
        raise NotAllowed("only the demo's simulated couriers deliver this way", code="not_simulated")
    code = ensure_records([shipment.pk])[shipment.pk].proof_code
    return _hand_over(courier_user, shipment, code=code, photo=None, left=0, at=at)


def _hand_over(
    courier_user: User,
    shipment: Shipment,
    *,
    code: str,
    photo: UploadedFile | None,
    left: int,
    at: datetime,
) -> Shipment:
    def check(stop: TripStop) -> None:
        if code:
            expected = ensure_records([stop.shipment_id])[stop.shipment_id].proof_code
            if not secrets.compare_digest(code.encode(), expected.encode()):
                raise WrongProofCode(left)

    with transaction.atomic():
        _order, current, stop = _finish(courier_user, shipment, S.DELIVERED, at, check=check)
        if photo is not None and not code:
            stop.proof_photo.save(photo.name or "proof.jpg", photo, save=False)
        _close_stop(stop, StopStatus.DELIVERED, at)
    return current


def fail_delivery(
    courier_user: User, shipment: Shipment, *, reason: str, at: datetime | None = None
) -> Shipment:
    """Report the stop failed (nobody home, wrong address...): the shipment becomes delivery
    failed with the reason in its event; the hub decides what follows."""
    at = at or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("say why the delivery failed", field="reason", code="reason_required")
    with transaction.atomic():
        _order, current, stop = _finish(
            courier_user, shipment, S.DELIVERY_FAILED, at, check=lambda stop: None, note=reason
        )
        _close_stop(stop, StopStatus.FAILED, at, reason=reason[:300])
    return current
