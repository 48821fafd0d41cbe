"""The courier's page: clock in, pick up at the hub, deliver with the code the resident's
order page shows (a wrong code changes nothing), fail with a reason; the board shows who
carries what; non-couriers get 403."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hyperlocal.accounts.roles import Role, grant_role
from hyperlocal.dispatch.models import Courier, Shift, ShipmentDispatch
from hyperlocal.dispatch.services.rounds import run_round
from hyperlocal.orders.models import Order, OrderStatus, Shipment
from tests.factories import UserFactory
from tests.web.conftest import english
from tests.web.shop_world import Shop, place


def _courier(shop: Shop, *, clocked_in: bool = True) -> Courier:
    user = UserFactory(username="rider", display_name="Rider Kim")
    courier = Courier.objects.create(user=user, mode="bike", capacity_items=10, home_hub=shop.hub)
    now = timezone.now()
    Shift.objects.create(
        courier=courier,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=6),
        clocked_in_at=now - timedelta(hours=1) if clocked_in else None,
    )
    return courier


def _packed_order(shop: Shop) -> tuple[Order, Shipment]:
    order = place(shop, (shop.world.tangerine, 2, "allow"))
    shipment = order.shipments.get()
    Shipment.objects.filter(pk=shipment.pk).update(status=OrderStatus.PACKED, packed_at=timezone.now())
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PACKED)
    return order, shipment


@pytest.mark.django_db
def test_a_non_courier_gets_403(shop: Shop) -> None:
    assert english(Client(), shop.world.resident).get(reverse("web:courier")).status_code == 403
    assert Client().get(reverse("web:courier")).status_code == 302  # to the login


@pytest.mark.django_db
def test_clock_in_without_a_shift_says_why(shop: Shop) -> None:
    courier = _courier(shop, clocked_in=False)
    Shift.objects.filter(courier=courier).delete()
    page = english(Client(), courier.user)
    assert "No shift planned" in page.get(reverse("web:courier")).content.decode()
    response = page.post(reverse("web:courier_clock"), {"action": "in"})
    assert response.status_code == 409
    assert "you have no shift" in response.content.decode()


@pytest.mark.django_db
def test_clock_in_and_out(shop: Shop) -> None:
    courier = _courier(shop, clocked_in=False)
    page = english(Client(), courier.user)
    assert page.post(reverse("web:courier_clock"), {"action": "in"}).status_code == 302
    assert Shift.objects.get(courier=courier).clocked_in_at is not None
    assert page.post(reverse("web:courier_clock"), {"action": "out"}).status_code == 302
    assert Shift.objects.get(courier=courier).clocked_out_at is not None


@pytest.mark.django_db
def test_pick_up_and_deliver_with_the_code_on_the_residents_page(shop: Shop, shopper: Client) -> None:
    courier = _courier(shop)
    order, shipment = _packed_order(shop)
    run_round(shop.hub, strategy="greedy")
    page = english(Client(), courier.user)
    route = page.get(reverse("web:courier")).content.decode()
    assert order.code in route
    assert 'id="picked-up"' in route

    tracking = shopper.get(reverse("web:order", args=[order.pk])).content.decode()
    code = ShipmentDispatch.objects.get(shipment=shipment).proof_code
    assert "Courier: Rider Kim" in tracking
    assert "Arriving about" in tracking
    assert f'<strong class="proof-code" lang="en">{code}</strong>' in tracking

    board = english(Client(), shop.operator).get(reverse("web:board", args=[shop.hub.slug])).content.decode()
    assert "courier: Rider Kim" in board

    assert page.post(reverse("web:courier_pick_up", args=[shipment.pk])).status_code == 302
    route = page.get(reverse("web:courier")).content.decode()
    assert 'id="next-stop"' in route
    assert 'id="map"' in route

    wrong = f"{(int(code) + 1) % 10000:04d}"
    refused = page.post(reverse("web:courier_deliver", args=[shipment.pk]), {"proof_code": wrong})
    assert refused.status_code == 422
    assert "does not match" in refused.content.decode()
    assert Shipment.objects.get(pk=shipment.pk).status == OrderStatus.OUT_FOR_DELIVERY

    done = page.post(reverse("web:courier_deliver", args=[shipment.pk]), {"proof_code": code})
    assert done.status_code == 302
    assert Shipment.objects.get(pk=shipment.pk).status == OrderStatus.DELIVERED


@pytest.mark.django_db
def test_fail_with_a_reason(shop: Shop) -> None:
    courier = _courier(shop)
    _order, shipment = _packed_order(shop)
    run_round(shop.hub, strategy="greedy")
    page = english(Client(), courier.user)
    page.post(reverse("web:courier_pick_up", args=[shipment.pk]))
    assert page.post(reverse("web:courier_fail", args=[shipment.pk]), {"reason": " "}).status_code == 422
    assert (
        page.post(reverse("web:courier_fail", args=[shipment.pk]), {"reason": "nobody home"}).status_code
        == 302
    )
    assert Shipment.objects.get(pk=shipment.pk).status == OrderStatus.DELIVERY_FAILED


@pytest.mark.django_db
def test_another_couriers_shipment_is_refused(shop: Shop) -> None:
    _courier(shop)
    _order, shipment = _packed_order(shop)
    run_round(shop.hub, strategy="greedy")
    other = Courier.objects.create(
        user=UserFactory(username="other-rider"), mode="bike", capacity_items=5, home_hub=shop.hub
    )
    response = english(Client(), other.user).post(reverse("web:courier_pick_up", args=[shipment.pk]))
    assert response.status_code == 404
    assert Shipment.objects.get(pk=shipment.pk).status == OrderStatus.PACKED


@pytest.mark.django_db
def test_the_courier_page_speaks_korean_by_default(shop: Shop) -> None:
    courier = _courier(shop)
    page = Client()
    page.force_login(courier.user)
    html = page.get(reverse("web:courier")).content.decode()
    assert "내 경로" in html
    assert "퇴근" in html


@pytest.mark.django_db
def test_the_menu_links_couriers_to_their_route_and_the_map_pin_to_the_hub(shop: Shop) -> None:
    courier = _courier(shop)
    order, shipment = _packed_order(shop)
    run_round(shop.hub, strategy="greedy")
    page = english(Client(), courier.user)
    route_url = reverse("web:courier")
    assert f'href="{route_url}"' not in page.get(reverse("web:home")).content.decode()  # not in the group
    grant_role(courier.user, Role.COURIER)
    home = page.get(reverse("web:home")).content.decode()
    assert f'<a href="{route_url}" id="nav-courier"' in home
    resident_home = english(Client(), shop.world.resident).get(reverse("web:home")).content.decode()
    assert 'id="nav-courier"' not in resident_home

    assert page.post(reverse("web:courier_pick_up", args=[shipment.pk])).status_code == 302
    route = page.get(route_url).content.decode()
    assert 'aria-current="page">My route</a>' in route
    hub_url = reverse("web:hub", args=[shop.hub.slug])
    assert f'"url": "{hub_url}"' in route
    assert '"url": "#"' not in route
    assert order.code in route
