"""The per-shipment dispatch record: made the first time a round sees the shipment (or the
customer's page asks for its proof code), with a short proof code drawn at random."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _

from hyperlocal.dispatch.models import ShipmentDispatch

__all__ = ["LateReason", "ensure_records", "new_proof_code"]

PROOF_DIGITS = 4


class LateReason(models.TextChoices):
    COURIER_LATE = "courier_late", _("the earliest courier arrives after the promise")
    NO_COURIER = "no_courier", _("no courier on shift")
    UNREACHABLE = "unreachable", _("no courier can take it in time")
    WAITING = "waiting", _("waiting for a free courier")


def new_proof_code() -> str:
    """Four digits the customer reads out at the door; secrets, since it stands for a signature."""
    return f"{secrets.randbelow(10**PROOF_DIGITS):0{PROOF_DIGITS}d}"


def ensure_records(shipment_ids: Iterable[int]) -> dict[int, ShipmentDispatch]:
    """The dispatch records of these shipments, made where missing (safe to race: a record
    made meanwhile by someone else is kept, with its code)."""
    ids = sorted(set(shipment_ids))
    have = {r.shipment_id: r for r in ShipmentDispatch.objects.filter(shipment_id__in=ids)}
    missing = [ShipmentDispatch(shipment_id=pk, proof_code=new_proof_code()) for pk in ids if pk not in have]
    if missing:
        ShipmentDispatch.objects.bulk_create(missing, ignore_conflicts=True)
        have = {r.shipment_id: r for r in ShipmentDispatch.objects.filter(shipment_id__in=ids)}
    return have
