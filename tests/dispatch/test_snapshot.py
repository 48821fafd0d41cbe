"""What a round sees: the picking queue behind the ready times, the model's minutes."""

from __future__ import annotations

import pytest

from hyperlocal.dispatch.services.snapshot import (
    DOOR_SERVICE_MINUTES,
    HUB_HANDOVER_MINUTES,
    open_shipments,
    ready_minutes,
    take_snapshot,
)
from hyperlocal.hubs.services.service_area import default_travel_model
from hyperlocal.orders.models import FulfilmentPolicy, OrderStatus
from hyperlocal.orders.services.promise import instant_eta_minutes
from tests.dispatch.conftest import FAR, MIDDLE, NEAR, Fleet


def _placed_ready(fleet: Fleet, queue: int) -> float:
    policy = FulfilmentPolicy.objects.get(hub=fleet.hub)
    return float(
        instant_eta_minutes(
            queue_length=queue,
            pickers=policy.pickers,
            pick_minutes_per_order=policy.pick_minutes_per_order,
            prep_minutes=fleet.hub.prep_minutes,
            travel_minutes=0,
        )
    )


def test_placed_shipments_wait_behind_the_ones_being_picked(fleet: Fleet) -> None:
    FulfilmentPolicy.objects.update_or_create(
        hub=fleet.hub, defaults={"pickers": 1, "pick_minutes_per_order": 4}
    )
    placed = fleet.shipment(NEAR, status=OrderStatus.PLACED)
    picking = [fleet.shipment(at, status=OrderStatus.PICKING) for at in (MIDDLE, FAR)]
    packed = fleet.shipment(NEAR)
    shipments = open_shipments(fleet.hub, fleet.now)
    ready = ready_minutes(fleet.hub, shipments, fleet.now)
    assert ready[packed.pk] == 0.0
    # Placed first, yet the two being picked are ahead of it in the pickers' queue.
    assert ready[placed.pk] == _placed_ready(fleet, 2)
    assert ready[placed.pk] > _placed_ready(fleet, 0)
    started = 3  # the fixture started picking three minutes ago
    for s in picking:
        assert ready[s.pk] == pytest.approx(fleet.hub.prep_minutes - started)


def test_the_round_input_carries_the_shared_minutes(fleet: Fleet) -> None:
    fleet.courier("minji")
    fleet.shipment(NEAR)
    snap = take_snapshot(fleet.hub, fleet.now, default_travel_model())
    assert snap.round_input.hub_handover_minutes == HUB_HANDOVER_MINUTES
    assert {s.service_minutes for s in snap.round_input.shipments} == {DOOR_SERVICE_MINUTES}
