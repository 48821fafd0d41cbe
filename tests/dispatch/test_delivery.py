from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from hyperlocal.dispatch.models import Courier, ShipmentDispatch, Trip, TripStop
from hyperlocal.dispatch.services import delivery
from hyperlocal.dispatch.services.records import LateReason
from hyperlocal.dispatch.services.rounds import run_round
from hyperlocal.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from hyperlocal.orders.models import Order, OrderEvent, OrderStatus, Payment, Shipment
from tests.dispatch.conftest import NEAR, Fleet, photo


def _planned(fleet: Fleet) -> tuple[Courier, Shipment]:
    courier = fleet.courier("minji")
    shipment = fleet.shipment(NEAR)
    run_round(fleet.hub, now=fleet.now, strategy="greedy")
    return courier, shipment


def _state(shipment: Shipment) -> tuple[object, ...]:
    shipment.refresh_from_db()
    return (
        shipment.status,
        Order.objects.get(pk=shipment.order_id).status,
        OrderEvent.objects.filter(order_id=shipment.order_id).count(),
        list(TripStop.objects.values_list("status", "live")),
        list(Trip.objects.values_list("status", flat=True)),
        Payment.objects.get(order_id=shipment.order_id).captured_won,
    )


def test_pick_up_then_deliver_with_the_code(fleet: Fleet) -> None:
    courier, shipment = _planned(fleet)
    trip = delivery.pick_up(courier.user, shipment, at=fleet.now)
    assert trip.status == "out"
    shipment.refresh_from_db()
    assert shipment.status == OrderStatus.OUT_FOR_DELIVERY
    assert shipment.out_for_delivery_at == fleet.now
    code = ShipmentDispatch.objects.get(shipment=shipment).proof_code
    delivery.deliver(courier.user, shipment, proof_code=code, at=fleet.now + timedelta(minutes=9))
    shipment.refresh_from_db()
    assert shipment.status == OrderStatus.DELIVERED
    assert Order.objects.get(pk=shipment.order_id).status == OrderStatus.DELIVERED
    assert Payment.objects.get(order_id=shipment.order_id).captured_won > 0
    trip.refresh_from_db()
    assert trip.status == "done"
    events = OrderEvent.objects.filter(order_id=shipment.order_id, kind="transition").order_by("at", "pk")
    assert [(e.to_status, e.actor_id) for e in events] == [
        (OrderStatus.OUT_FOR_DELIVERY, courier.user_id),
        (OrderStatus.DELIVERED, courier.user_id),
    ]


def test_a_wrong_proof_code_changes_nothing(fleet: Fleet) -> None:
    courier, shipment = _planned(fleet)
    delivery.pick_up(courier.user, shipment, at=fleet.now)
    code = ShipmentDispatch.objects.get(shipment=shipment).proof_code
    wrong = f"{(int(code) + 1) % 10000:04d}"
    before = _state(shipment)
    with pytest.raises(InvalidInput) as caught:
        delivery.deliver(courier.user, shipment, proof_code=wrong, at=fleet.now)
    assert caught.value.code == "wrong_proof_code"
    assert caught.value.status_code == 422
    assert _state(shipment) == before


def test_delivery_needs_a_code_or_a_photo(fleet: Fleet) -> None:
    courier, shipment = _planned(fleet)
    delivery.pick_up(courier.user, shipment, at=fleet.now)
    with pytest.raises(InvalidInput) as caught:
        delivery.deliver(courier.user, shipment, proof_code="  ", at=fleet.now)
    assert caught.value.code == "proof_required"


def test_a_photo_is_proof_too_but_only_an_image(fleet: Fleet) -> None:
    courier, shipment = _planned(fleet)
    delivery.pick_up(courier.user, shipment, at=fleet.now)
    text = SimpleUploadedFile("door.txt", b"not an image", content_type="text/plain")
    with pytest.raises(InvalidInput):
        delivery.deliver(courier.user, shipment, photo=text, at=fleet.now)
    delivery.deliver(courier.user, shipment, photo=photo(), at=fleet.now)
    stop = TripStop.objects.get(shipment=shipment)
    assert stop.status == "delivered"
    assert stop.proof_photo.name.startswith("proofs/")


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        # Claims to be a JPEG (name and content type), is not one: the bytes decide.
        (
            SimpleUploadedFile("door.jpg", b"\xff\xd8\xff\xe0fakejpeg", content_type="image/jpeg"),
            "not_an_image",
        ),
        (SimpleUploadedFile("door.png", b"\x89PNG\r\n\x1a\nfake", content_type="image/png"), "not_an_image"),
        # A real image in a format the proof does not take.
        (photo("door.bmp", kind="BMP", content_type="image/bmp"), "not_an_image"),
        (SimpleUploadedFile("door.jpg", b"", content_type="image/jpeg"), "photo_size"),
    ],
)
def test_a_photo_is_checked_by_its_bytes(fleet: Fleet, upload: SimpleUploadedFile, code: str) -> None:
    courier, shipment = _planned(fleet)
    delivery.pick_up(courier.user, shipment, at=fleet.now)
    before = _state(shipment)
    with pytest.raises(InvalidInput) as caught:
        delivery.deliver(courier.user, shipment, photo=upload, at=fleet.now)
    assert (caught.value.code, caught.value.status_code) == (code, 422)
    assert _state(shipment) == before
    assert not TripStop.objects.get(shipment=shipment).proof_photo


def test_a_photo_over_the_size_limit_is_422(fleet: Fleet, monkeypatch: pytest.MonkeyPatch) -> None:
    courier, shipment = _planned(fleet)
    delivery.pick_up(courier.user, shipment, at=fleet.now)
    door = photo()
    monkeypatch.setattr(delivery, "MAX_PHOTO_BYTES", door.size - 1)
    with pytest.raises(InvalidInput) as caught:
        delivery.deliver(courier.user, shipment, photo=door, at=fleet.now)
    assert caught.value.code == "photo_size"
    assert Shipment.objects.get(pk=shipment.pk).status == OrderStatus.OUT_FOR_DELIVERY


def test_deliver_refuses_to_run_inside_a_transaction(fleet: Fleet) -> None:
    courier, shipment = _planned(fleet)
    delivery.pick_up(courier.user, shipment, at=fleet.now)
    code = ShipmentDispatch.objects.get(shipment=shipment).proof_code
    with transaction.atomic(), pytest.raises(RuntimeError, match="outside a transaction"):
        delivery.deliver(courier.user, shipment, proof_code=code, at=fleet.now)
    record = ShipmentDispatch.objects.get(shipment=shipment)
    assert record.proof_attempts == 0
    assert Shipment.objects.get(pk=shipment.pk).status == OrderStatus.OUT_FOR_DELIVERY


def test_a_late_pick_up_is_flagged_courier_late(fleet: Fleet) -> None:
    courier, shipment = _planned(fleet)
    picked = fleet.now + timedelta(minutes=60)  # past the 45-minute promise before leaving
    delivery.pick_up(courier.user, shipment, at=picked)
    record = ShipmentDispatch.objects.get(shipment=shipment)
    assert (record.late, record.late_reason) == (True, LateReason.COURIER_LATE)
    shipment.refresh_from_db()
    assert shipment.estimated_at == record.eta == TripStop.objects.get(shipment=shipment).eta
    assert shipment.estimated_at is not None
    assert shipment.estimated_at > shipment.promised_by


def test_only_simulated_couriers_deliver_without_a_code(fleet: Fleet) -> None:
    courier, shipment = _planned(fleet)
    delivery.pick_up(courier.user, shipment, at=fleet.now)
    before = _state(shipment)
    with pytest.raises(NotAllowed) as caught:
        delivery.deliver_simulated(courier.user, shipment, at=fleet.now)
    assert caught.value.code == "not_simulated"
    assert _state(shipment) == before
    Courier.objects.filter(pk=courier.pk).update(simulated=True)
    with transaction.atomic():  # the worker's job transaction
        delivery.deliver_simulated(courier.user, shipment, at=fleet.now)
    assert Shipment.objects.get(pk=shipment.pk).status == OrderStatus.DELIVERED
    assert ShipmentDispatch.objects.get(shipment=shipment).proof_attempts == 0


def test_another_couriers_shipment_is_refused(fleet: Fleet) -> None:
    courier, shipment = _planned(fleet)
    other = fleet.courier("jisoo")
    before = _state(shipment)
    with pytest.raises(NotFound):
        delivery.pick_up(other.user, shipment, at=fleet.now)
    delivery.pick_up(courier.user, shipment, at=fleet.now)
    before = _state(shipment)
    code = ShipmentDispatch.objects.get(shipment=shipment).proof_code
    with pytest.raises(NotFound):
        delivery.deliver(other.user, shipment, proof_code=code, at=fleet.now)
    with pytest.raises(NotFound):
        delivery.fail_delivery(other.user, shipment, reason="nobody home", at=fleet.now)
    assert _state(shipment) == before


def test_a_user_who_is_not_a_courier_is_refused(fleet: Fleet) -> None:
    _courier, shipment = _planned(fleet)
    with pytest.raises(NotAllowed):
        delivery.pick_up(fleet.world.customer, shipment, at=fleet.now)


def test_deliver_before_pick_up_is_a_conflict(fleet: Fleet) -> None:
    courier, shipment = _planned(fleet)
    code = ShipmentDispatch.objects.get(shipment=shipment).proof_code
    with pytest.raises(Conflict) as caught:
        delivery.deliver(courier.user, shipment, proof_code=code, at=fleet.now)
    assert caught.value.code == "not_picked_up"


def test_pick_up_twice_is_a_conflict(fleet: Fleet) -> None:
    courier, shipment = _planned(fleet)
    delivery.pick_up(courier.user, shipment, at=fleet.now)
    with pytest.raises(Conflict):
        delivery.pick_up(courier.user, shipment, at=fleet.now)


def test_pick_up_refuses_a_trip_with_an_unpacked_shipment(fleet: Fleet) -> None:
    courier, shipment = _planned(fleet)
    Shipment.objects.filter(pk=shipment.pk).update(status=OrderStatus.PICKING)
    with pytest.raises(Conflict) as caught:
        delivery.pick_up(courier.user, shipment, at=fleet.now)
    assert caught.value.code == "not_packed"
    assert Trip.objects.get().status == "planned"


def test_failed_delivery_needs_a_reason_and_records_it(fleet: Fleet) -> None:
    courier, shipment = _planned(fleet)
    delivery.pick_up(courier.user, shipment, at=fleet.now)
    with pytest.raises(DomainError):
        delivery.fail_delivery(courier.user, shipment, reason=" ", at=fleet.now)
    delivery.fail_delivery(courier.user, shipment, reason="nobody home", at=fleet.now)
    shipment.refresh_from_db()
    assert shipment.status == OrderStatus.DELIVERY_FAILED
    event = OrderEvent.objects.filter(shipment=shipment, to_status=OrderStatus.DELIVERY_FAILED).get()
    assert event.note == "nobody home"
    assert event.actor_id == courier.user_id
    stop = TripStop.objects.get(shipment=shipment)
    assert (stop.status, stop.live, stop.failure_reason) == ("failed", False, "nobody home")
    assert Trip.objects.get().status == "done"
