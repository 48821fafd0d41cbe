"""Proof-code tries at the door: counted in the database, at most MAX_PROOF_ATTEMPTS per
shipment, then 409 proof_code_locked until a photo or the hub's reset; only the courier
carrying the shipment spends its tries."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from hyperlocal.dispatch.models import MAX_PROOF_ATTEMPTS, Courier, ShipmentDispatch
from hyperlocal.dispatch.services import delivery, proof
from hyperlocal.dispatch.services.rounds import run_round
from hyperlocal.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from hyperlocal.orders.models import OrderStatus, Shipment
from tests.dispatch.conftest import NEAR, Fleet, photo
from tests.dispatch.test_api import client_for, post


def _carried(fleet: Fleet) -> tuple[Courier, Shipment, str]:
    courier = fleet.courier("minji")
    shipment = fleet.shipment(NEAR)
    run_round(fleet.hub, now=fleet.now, strategy="greedy")
    delivery.pick_up(courier.user, shipment, at=fleet.now)
    code = ShipmentDispatch.objects.get(shipment=shipment).proof_code
    return courier, shipment, code


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10000:04d}"


def _tries(shipment: Shipment) -> int:
    return ShipmentDispatch.objects.get(shipment=shipment).proof_attempts


def _status(shipment: Shipment) -> str:
    shipment.refresh_from_db()
    return shipment.status


def test_after_the_last_wrong_try_even_the_right_code_is_refused(fleet: Fleet) -> None:
    courier, shipment, code = _carried(fleet)
    for n in range(1, MAX_PROOF_ATTEMPTS + 1):
        with pytest.raises(InvalidInput) as wrong:
            delivery.deliver(courier.user, shipment, proof_code=_wrong(code), at=fleet.now)
        assert wrong.value.code == "wrong_proof_code"
        left = MAX_PROOF_ATTEMPTS - n
        assert f"({left} {'try' if left == 1 else 'tries'} left)" in wrong.value.message
        assert _tries(shipment) == n
    with pytest.raises(Conflict) as locked:
        delivery.deliver(courier.user, shipment, proof_code=code, at=fleet.now)
    assert (locked.value.code, locked.value.status_code) == ("proof_code_locked", 409)
    assert _tries(shipment) == MAX_PROOF_ATTEMPTS
    assert _status(shipment) == OrderStatus.OUT_FOR_DELIVERY

    delivery.deliver(courier.user, shipment, photo=photo(), at=fleet.now)
    assert _status(shipment) == OrderStatus.DELIVERED


def test_the_hubs_operator_resets_the_tries(fleet: Fleet) -> None:
    courier, shipment, code = _carried(fleet)
    ShipmentDispatch.objects.filter(shipment=shipment).update(proof_attempts=MAX_PROOF_ATTEMPTS)
    with pytest.raises(NotAllowed):
        proof.reset_attempts(courier.user, shipment)
    assert _tries(shipment) == MAX_PROOF_ATTEMPTS
    assert proof.reset_attempts(fleet.world.operator, shipment) == MAX_PROOF_ATTEMPTS
    assert _tries(shipment) == 0
    delivery.deliver(courier.user, shipment, proof_code=code, at=fleet.now)
    assert _status(shipment) == OrderStatus.DELIVERED


def test_only_the_carrying_courier_spends_tries(fleet: Fleet) -> None:
    _courier, shipment, code = _carried(fleet)
    other = fleet.courier("jisoo")
    with pytest.raises(NotFound):
        delivery.deliver(other.user, shipment, proof_code=_wrong(code), at=fleet.now)
    assert _tries(shipment) == 0


def test_the_database_caps_the_count(fleet: Fleet) -> None:
    _courier, shipment, _code = _carried(fleet)
    with pytest.raises(IntegrityError), transaction.atomic():
        ShipmentDispatch.objects.filter(shipment=shipment).update(proof_attempts=MAX_PROOF_ATTEMPTS + 1)


def test_api_counts_tries_answers_409_and_the_operator_resets(live_fleet: Fleet) -> None:
    courier = live_fleet.courier("minji")
    shipment = live_fleet.shipment(NEAR)
    run_round(live_fleet.hub, strategy="greedy")
    api = client_for(courier.user)
    assert post(api, f"/me/shipments/{shipment.pk}/pick-up").status_code == 200
    code = ShipmentDispatch.objects.get(shipment=shipment).proof_code
    for _ in range(MAX_PROOF_ATTEMPTS):
        response = post(api, f"/me/shipments/{shipment.pk}/deliver", {"proof_code": _wrong(code)})
        assert response.status_code == 422
    locked = post(api, f"/me/shipments/{shipment.pk}/deliver", {"proof_code": code})
    assert locked.status_code == 409
    assert locked.json()["code"] == "proof_code_locked"

    reset = f"/hubs/{live_fleet.hub.slug}/shipments/{shipment.pk}/proof-tries/reset"
    assert post(api, reset).status_code == 403
    assert (
        post(
            client_for(live_fleet.world.operator), "/hubs/x-no-hub/shipments/1/proof-tries/reset"
        ).status_code
        == 404
    )
    done = post(client_for(live_fleet.world.operator), reset)
    assert done.status_code == 200, done.content
    assert done.json() == {"shipment_id": shipment.pk, "tries_left": MAX_PROOF_ATTEMPTS}
    assert post(api, f"/me/shipments/{shipment.pk}/deliver", {"proof_code": code}).status_code == 200
    assert _status(shipment) == OrderStatus.DELIVERED


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_racing_wrong_codes_count_exactly_up_to_the_limit(fleet: Fleet) -> None:
    """Real threads on PostgreSQL, each a request of its own (no outer transaction, as the
    edges call deliver): eight wrong codes at once, five counted, three refused as locked."""
    courier, shipment, code = _carried(fleet)
    start = threading.Barrier(8)
    codes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def guess() -> None:
        try:
            start.wait(timeout=30)
            delivery.deliver(courier.user, shipment, proof_code=_wrong(code), at=fleet.now)
        except DomainError as exc:
            with lock:
                codes.append(exc.code)
        except BaseException as exc:  # a broken CHECK or a deadlock lands here
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(codes) == ["proof_code_locked"] * 3 + ["wrong_proof_code"] * MAX_PROOF_ATTEMPTS
    assert _tries(shipment) == MAX_PROOF_ATTEMPTS
    assert _status(shipment) == OrderStatus.OUT_FOR_DELIVERY
