"""The order's event log: every state change, payment step and picking decision."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.orders.models import Order, OrderEvent, Shipment


def build_event(
    order: Order,
    kind: str,
    *,
    shipment: Shipment | None = None,
    from_status: str = "",
    to_status: str = "",
    actor: User | None = None,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> OrderEvent:
    """An unsaved event, for `record_events` (several rows in one INSERT)."""
    return OrderEvent(
        order=order,
        shipment=shipment,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor if actor is not None and actor.is_authenticated else None,
        note=note[:300],
        data=dict(data or {}),
        at=at or timezone.now(),
    )


def record_event(
    order: Order,
    kind: str,
    *,
    shipment: Shipment | None = None,
    from_status: str = "",
    to_status: str = "",
    actor: User | None = None,
    note: str = "",
    data: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> OrderEvent:
    """Write one event now (one INSERT)."""
    event = build_event(
        order,
        kind,
        shipment=shipment,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        note=note,
        data=data,
        at=at,
    )
    event.save(force_insert=True)
    return event


def record_events(events: Sequence[OrderEvent]) -> list[OrderEvent]:
    """Write several events built with `build_event` in one INSERT."""
    if not events:
        return []
    return OrderEvent.objects.bulk_create(list(events))
