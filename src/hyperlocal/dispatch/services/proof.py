"""Proof codes at the door: each try is counted in the database before the code is compared,
so that nobody guesses a four-digit code by trying them all.

A try is taken with one conditional UPDATE (`proof_attempts < MAX_PROOF_ATTEMPTS`) in a
transaction of its own that commits even when the delivery is then refused for a wrong code:
callers run `delivery.deliver` outside a transaction of their own (the API and the courier
page do), else a refused delivery would roll its try back with it. Two tries racing each take
their own count; the database refuses the one past the limit (and a CHECK caps the column).
After the limit the courier delivers with a photo, or the hub's operator resets the count.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hyperlocal.dispatch.errors import ProofCodeLocked
from hyperlocal.dispatch.models import MAX_PROOF_ATTEMPTS, ShipmentDispatch
from hyperlocal.dispatch.services.records import ensure_records
from hyperlocal.errors import NotAllowed
from hyperlocal.hubs.services import can_operate
from hyperlocal.hubs.services.permissions import AnyUser
from hyperlocal.orders.models import Shipment

__all__ = ["MAX_PROOF_ATTEMPTS", "reset_attempts", "take_attempt", "tries_left"]


def take_attempt(shipment_id: int) -> int:
    """Count one proof-code try for the shipment; returns the tries left after it. 409
    proof_code_locked (and nothing counted) when every try is used up."""
    ensure_records([shipment_id])
    with transaction.atomic():
        taken = ShipmentDispatch.objects.filter(
            shipment_id=shipment_id, proof_attempts__lt=MAX_PROOF_ATTEMPTS
        ).update(proof_attempts=F("proof_attempts") + 1)
    if not taken:
        raise ProofCodeLocked()
    return tries_left(shipment_id)


def tries_left(shipment_id: int) -> int:
    used = (
        ShipmentDispatch.objects.filter(shipment_id=shipment_id)
        .values_list("proof_attempts", flat=True)
        .first()
    )
    return MAX_PROOF_ATTEMPTS - (used or 0)


def reset_attempts(actor: AnyUser, shipment: Shipment) -> int:
    """The hub's operator (or a platform admin) gives the courier their tries back, say after
    checking the customer on the phone. 403 for anyone else. Returns the tries left."""
    if not can_operate(actor, shipment.hub):
        raise NotAllowed(
            "only the operators of the shipment's hub may reset its proof-code tries", code="not_hub_operator"
        )
    ShipmentDispatch.objects.filter(shipment_id=shipment.pk).update(
        proof_attempts=0, updated_at=timezone.now()
    )
    return MAX_PROOF_ATTEMPTS
