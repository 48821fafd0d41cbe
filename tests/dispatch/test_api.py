"""The dispatch API as a courier and a hub operator use it, and its refusals."""

from __future__ import annotations

from typing import Any

from django.test import Client

from hyperlocal.accounts.models import User
from hyperlocal.dispatch.models import DispatchRound, Shift, ShipmentDispatch, TripStop
from hyperlocal.dispatch.services.rounds import run_round
from hyperlocal.orders.models import OrderStatus, Shipment
from tests.dispatch.conftest import FAR, NEAR, Fleet, photo

BASE = "/api/dispatch"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{BASE}{path}", body or {}, content_type="application/json")


def test_shift_clock_in_and_out(live_fleet: Fleet) -> None:
    courier = live_fleet.courier("minji", clocked_in=False)
    api = client_for(courier.user)
    shift = api.get(f"{BASE}/me/shift").json()
    assert shift["clocked_in"] is False
    assert shift["shift"]["id"] == Shift.objects.get(courier=courier).pk
    response = post(api, "/me/shift/clock-in")
    assert response.status_code == 200, response.content
    assert response.json()["clocked_in"] is True
    again = post(api, "/me/shift/clock-in")
    assert again.status_code == 409
    assert again.json()["code"] == "already_clocked_in"
    assert post(api, "/me/shift/clock-out").status_code == 200
    assert post(api, "/me/shift/clock-out").json()["code"] == "not_clocked_in"


def test_clock_in_without_a_shift_is_409(live_fleet: Fleet) -> None:
    courier = live_fleet.courier("minji", clocked_in=False)
    Shift.objects.filter(courier=courier).delete()
    response = post(client_for(courier.user), "/me/shift/clock-in")
    assert response.status_code == 409
    assert response.json()["code"] == "no_shift_now"
    assert response.json()["detail"].startswith("you have no shift")


def test_not_a_courier_gets_403_and_anonymous_401(live_fleet: Fleet) -> None:
    assert client_for(live_fleet.world.customer).get(f"{BASE}/me/route").status_code == 403
    assert Client().get(f"{BASE}/me/route").status_code == 401


def test_route_pick_up_deliver_with_code(live_fleet: Fleet) -> None:
    courier = live_fleet.courier("minji")
    near, far = live_fleet.shipment(NEAR), live_fleet.shipment(FAR)
    run_round(live_fleet.hub, strategy="optimised")
    api = client_for(courier.user)
    route = api.get(f"{BASE}/me/route").json()
    assert {s["shipment_id"] for s in route["planned"]} == {near.pk, far.pk}
    assert route["next_stop"] is None
    first = route["planned"][0]
    response = post(api, f"/me/shipments/{first['shipment_id']}/pick-up")
    assert response.status_code == 200, response.content
    route = response.json()
    assert [s["sequence"] for s in route["carrying"]] == [1, 2]
    assert route["next_stop"]["shipment_id"] == first["shipment_id"]
    assert route["planned"] == []
    assert set(Shipment.objects.values_list("status", flat=True)) == {OrderStatus.OUT_FOR_DELIVERY}

    target = route["next_stop"]["shipment_id"]
    code = ShipmentDispatch.objects.get(shipment_id=target).proof_code
    wrong = post(api, f"/me/shipments/{target}/deliver", {"proof_code": "x" + code})
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "wrong_proof_code"
    assert Shipment.objects.get(pk=target).status == OrderStatus.OUT_FOR_DELIVERY
    done = post(api, f"/me/shipments/{target}/deliver", {"proof_code": code})
    assert done.status_code == 200, done.content
    assert Shipment.objects.get(pk=target).status == OrderStatus.DELIVERED
    assert done.json()["next_stop"]["shipment_id"] != target

    other = done.json()["next_stop"]["shipment_id"]
    door = photo("door.png", kind="PNG", content_type="image/png")
    response = api.post(f"{BASE}/me/shipments/{other}/deliver-photo", {"photo": door})
    assert response.status_code == 200, response.content
    assert TripStop.objects.get(shipment_id=other).proof_photo.name


def test_fail_needs_a_reason(live_fleet: Fleet) -> None:
    courier = live_fleet.courier("minji")
    shipment = live_fleet.shipment(NEAR)
    run_round(live_fleet.hub, strategy="greedy")
    api = client_for(courier.user)
    assert post(api, f"/me/shipments/{shipment.pk}/pick-up").status_code == 200
    assert post(api, f"/me/shipments/{shipment.pk}/fail", {"reason": ""}).status_code == 422
    response = post(api, f"/me/shipments/{shipment.pk}/fail", {"reason": "nobody home"})
    assert response.status_code == 200, response.content
    assert Shipment.objects.get(pk=shipment.pk).status == OrderStatus.DELIVERY_FAILED


def test_someone_elses_or_unknown_shipment_is_404(live_fleet: Fleet) -> None:
    live_fleet.courier("minji")
    other = live_fleet.courier("jisoo", hub=live_fleet.world.other_hub)
    shipment = live_fleet.shipment(NEAR)
    run_round(live_fleet.hub, strategy="greedy")
    api = client_for(other.user)
    for path in (f"/me/shipments/{shipment.pk}/pick-up", "/me/shipments/999999/pick-up"):
        response = post(api, path)
        assert response.status_code == 404
        assert response.json()["code"] == "not_on_your_route"
    assert post(api, f"/me/shipments/{shipment.pk}/deliver", {"proof_code": "0000"}).status_code == 404
    assert Shipment.objects.get(pk=shipment.pk).status == OrderStatus.PACKED


def test_operator_couriers_round_and_log(live_fleet: Fleet) -> None:
    live_fleet.courier("minji")
    live_fleet.courier("jisoo", clocked_in=False)
    live_fleet.shipment(NEAR)
    api = client_for(live_fleet.world.operator)
    slug = live_fleet.hub.slug
    response = post(api, f"/hubs/{slug}/rounds?strategy=greedy")
    assert response.status_code == 200, response.content
    assert response.json()["assigned"] == 1
    assert response.json()["strategy"] == "greedy"
    rows = {r["name"]: r["state"] for r in api.get(f"{BASE}/hubs/{slug}/couriers").json()}
    assert rows == {"Minji": "planned", "Jisoo": "off"}
    log = api.get(f"{BASE}/hubs/{slug}/rounds").json()
    assert [r["id"] for r in log] == list(DispatchRound.objects.values_list("pk", flat=True))


def test_operator_of_another_hub_is_refused(live_fleet: Fleet) -> None:
    api = client_for(live_fleet.world.other_operator)
    slug = live_fleet.hub.slug
    assert post(api, f"/hubs/{slug}/rounds").status_code == 403
    assert api.get(f"{BASE}/hubs/{slug}/couriers").status_code == 403
    assert api.get(f"{BASE}/hubs/{slug}/rounds").status_code == 403
    assert post(api, "/hubs/no-such-hub/rounds").status_code == 404
    assert not DispatchRound.objects.exists()
    assert (
        post(client_for(live_fleet.world.operator), f"/hubs/{slug}/rounds?strategy=magic").status_code == 422
    )
