"""Dispatch API (/api/dispatch): the courier's shift and route with pick-up, delivery with
proof and failed delivery; the hub operator's couriers, rounds on demand and the round log.

Courier operations are for users with a courier profile (403 otherwise); a shipment that is
not on the courier's route answers 404, whoever's it is. Hub operations are for the hub's
operators and platform admins (403 for anyone else).
"""

from __future__ import annotations

from typing import Literal

from django.db import transaction
from django.http import HttpRequest
from ninja import File, P, Router
from ninja.files import UploadedFile
from ninja.params import PathEx, QueryEx

from hyperlocal.accounts.auth import api_auth
from hyperlocal.accounts.auth import signed_in_user as _user
from hyperlocal.accounts.models import User
from hyperlocal.dispatch import selectors
from hyperlocal.dispatch.errors import NotOnYourRoute
from hyperlocal.dispatch.models import MAX_PROOF_ATTEMPTS
from hyperlocal.dispatch.schemas import (
    CourierOut,
    DeliverIn,
    FailIn,
    ProofTriesOut,
    RoundOut,
    RouteOut,
    ShiftOut,
    courier_out,
    round_out,
    route_out,
    shift_ref,
)
from hyperlocal.dispatch.services import delivery, proof, rounds, shifts
from hyperlocal.dispatch.services.couriers import courier_of
from hyperlocal.errors import NotAllowed, NotFound
from hyperlocal.hubs.models import Hub
from hyperlocal.hubs.services import can_operate, get_hub
from hyperlocal.orders.models import Shipment
from hyperlocal.orders.schemas import BIGINT_MAX
from hyperlocal.schemas import with_errors

router = Router(tags=["dispatch"])

ShipmentId = PathEx[int, P(ge=1, le=BIGINT_MAX, description="the shipment's id")]


def _shipment(shipment_id: int) -> Shipment:
    shipment = Shipment.objects.filter(pk=shipment_id).first()
    if shipment is None:
        raise NotOnYourRoute()
    return shipment


def _operated_hub(user: User, slug: str) -> Hub:
    hub = get_hub(slug)
    if not can_operate(user, hub):
        raise NotAllowed(
            f"only the operators of {hub.name} may dispatch its couriers", code="not_hub_operator"
        )
    return hub


def _route(user: User) -> RouteOut:
    return route_out(selectors.courier_route(courier_of(user)))


# --- courier ------------------------------------------------------------------------------


@router.get(
    "/me/shift",
    auth=api_auth,
    tags=["courier"],
    response=with_errors({200: ShiftOut}, 401, 403),
    summary="My shift: the open one, else the next one planned",
)
def my_shift(request: HttpRequest) -> ShiftOut:
    route = selectors.courier_route(courier_of(_user(request)))
    return ShiftOut(clocked_in=route.clocked_in, shift=shift_ref(route.shift))


@router.post(
    "/me/shift/clock-in",
    auth=api_auth,
    tags=["courier"],
    response=with_errors({200: ShiftOut}, 401, 403, 409),
    summary="Clock in to the shift that covers now",
    description="409 no_shift_now without a planned shift now, already_clocked_in when clocked in.",
)
def clock_in(request: HttpRequest) -> ShiftOut:
    courier = courier_of(_user(request))
    with transaction.atomic():
        shift = shifts.clock_in(courier)
    return ShiftOut(clocked_in=True, shift=shift_ref(shift))


@router.post(
    "/me/shift/clock-out",
    auth=api_auth,
    tags=["courier"],
    response=with_errors({200: ShiftOut}, 401, 403, 409),
    summary="Clock out (my planned trip goes back to the next round)",
    description="409 not_clocked_in, or still_carrying while picked-up shipments are not delivered.",
)
def clock_out(request: HttpRequest) -> ShiftOut:
    courier = courier_of(_user(request))
    with transaction.atomic():
        shift = shifts.clock_out(courier)
    return ShiftOut(clocked_in=False, shift=shift_ref(shift))


@router.get(
    "/me/route",
    auth=api_auth,
    tags=["courier"],
    response=with_errors({200: RouteOut}, 401, 403),
    summary="My route: the trip I carry (stops in order, the next stop) and the next trip to pick up",
)
def my_route(request: HttpRequest) -> RouteOut:
    return _route(_user(request))


@router.post(
    "/me/shipments/{shipment_id}/pick-up",
    auth=api_auth,
    tags=["courier"],
    response=with_errors({200: RouteOut}, 401, 403, 404, 409, 422),
    summary="Pick up at the hub the planned trip that holds this shipment",
    description="Every shipment on the trip goes out for delivery. 404: not on my route. 409: not "
    "clocked in, already picked up, a shipment not packed yet, or the route changed meanwhile.",
)
def pick_up(request: HttpRequest, shipment_id: ShipmentId) -> RouteOut:
    user = _user(request)
    with transaction.atomic():
        delivery.pick_up(user, _shipment(shipment_id))
    return _route(user)


@router.post(
    "/me/shipments/{shipment_id}/deliver",
    auth=api_auth,
    tags=["courier"],
    response=with_errors({200: RouteOut}, 401, 402, 403, 404, 409, 422),
    summary="Delivered, with the proof code the customer shows",
    description="422 wrong_proof_code when the code does not match (only the try is counted). 409 "
    f"proof_code_locked after {MAX_PROOF_ATTEMPTS} tries: deliver with a photo, or the hub resets the "
    "tries. 404: not on my route. 409: not picked up yet. 402: the payment could not be captured.",
)
def deliver(request: HttpRequest, shipment_id: ShipmentId, payload: DeliverIn) -> RouteOut:
    user = _user(request)
    # No transaction here: deliver runs its own, and a wrong code's try must stay counted.
    delivery.deliver(user, _shipment(shipment_id), proof_code=payload.proof_code)
    return _route(user)


@router.post(
    "/me/shipments/{shipment_id}/deliver-photo",
    auth=api_auth,
    tags=["courier"],
    response=with_errors({200: RouteOut}, 401, 402, 403, 404, 409, 422),
    summary="Delivered, with a photo as proof (when the customer cannot show the code)",
    description="422 when the file is not an image or too large. 404: not on my route. 409: not "
    "picked up yet.",
)
def deliver_photo(request: HttpRequest, shipment_id: ShipmentId, photo: File[UploadedFile]) -> RouteOut:
    user = _user(request)
    delivery.deliver(user, _shipment(shipment_id), photo=photo)
    return _route(user)


@router.post(
    "/me/shipments/{shipment_id}/fail",
    auth=api_auth,
    tags=["courier"],
    response=with_errors({200: RouteOut}, 401, 403, 404, 409, 422),
    summary="The delivery failed (say why): the shipment goes back to the hub's hands",
)
def fail(request: HttpRequest, shipment_id: ShipmentId, payload: FailIn) -> RouteOut:
    user = _user(request)
    with transaction.atomic():
        delivery.fail_delivery(user, _shipment(shipment_id), reason=payload.reason)
    return _route(user)


# --- hub operator -------------------------------------------------------------------------


@router.get(
    "/hubs/{slug}/couriers",
    auth=api_auth,
    tags=["hub operations"],
    response=with_errors({200: list[CourierOut]}, 401, 403, 404),
    summary="The hub's couriers: off, idle, with a planned trip, or out",
)
def hub_couriers(request: HttpRequest, slug: str) -> list[CourierOut]:
    hub = _operated_hub(_user(request), slug)
    return [courier_out(row) for row in selectors.hub_couriers(hub)]


@router.post(
    "/hubs/{slug}/rounds",
    auth=api_auth,
    tags=["hub operations"],
    response=with_errors({200: RoundOut}, 401, 403, 404, 422, 503),
    summary="Run a dispatch round for the hub now",
    description="Plans every shipment no courier has picked up (the configured strategy unless "
    "one is named). 503 when the travel-time model does not answer (nothing changes).",
)
def run_round(
    request: HttpRequest,
    slug: str,
    strategy: QueryEx[
        Literal["greedy", "optimised"] | None, P(description="default: the configured one")
    ] = None,
) -> RoundOut:
    hub = _operated_hub(_user(request), slug)
    # No transaction here: the round decides outside one and writes in its own.
    outcome = rounds.run_round(hub, strategy=strategy)
    return round_out(outcome.round)


@router.post(
    "/hubs/{slug}/shipments/{shipment_id}/proof-tries/reset",
    auth=api_auth,
    tags=["hub operations"],
    response=with_errors({200: ProofTriesOut}, 401, 403, 404, 422),
    summary="Give the courier their proof-code tries back (after checking with the customer)",
)
def reset_proof_tries(request: HttpRequest, slug: str, shipment_id: ShipmentId) -> ProofTriesOut:
    user = _user(request)
    hub = _operated_hub(user, slug)
    shipment = Shipment.objects.filter(pk=shipment_id, hub=hub).first()
    if shipment is None:
        raise NotFound(f"no shipment {shipment_id} at {hub.name}", field="shipment_id")
    with transaction.atomic():
        left = proof.reset_attempts(user, shipment)
    return ProofTriesOut(shipment_id=shipment.pk, tries_left=left)


@router.get(
    "/hubs/{slug}/rounds",
    auth=api_auth,
    tags=["hub operations"],
    response=with_errors({200: list[RoundOut]}, 401, 403, 404, 422),
    summary="The hub's dispatch rounds, newest first",
)
def hub_rounds(
    request: HttpRequest,
    slug: str,
    limit: QueryEx[int, P(ge=1, le=200, description="at most this many")] = 50,
) -> list[RoundOut]:
    hub = _operated_hub(_user(request), slug)
    return [round_out(r) for r in selectors.hub_rounds(hub, limit=limit)]
