"""The picking screen: start, picked / short / substitute per line, pack, and the hand-over
buttons; only the hub's operators; refusals change nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from hyperlocal.inventory.models import Stock
from hyperlocal.orders.models import LineStatus, Order, OrderStatus, Shipment
from tests.web.conftest import english
from tests.web.shop_world import CANDY, TANGERINES, Shop, place


def shipment_of(order: Order) -> Shipment:
    return order.shipments.get()


def url(name: str, *args: int) -> str:
    return reverse(f"web:{name}", args=args)


def on_hand(shop: Shop, product_id: int) -> tuple[int, int]:
    stock = Stock.objects.get(hub=shop.hub, product_id=product_id)
    return stock.on_hand, stock.reserved


@pytest.mark.django_db
def test_only_the_hubs_operators_open_a_shipment(shop: Shop, client: Client, shopper: Client) -> None:
    shipment = shipment_of(place(shop, (shop.world.tangerine, 1, "allow")))
    assert client.get(url("shipment", shipment.pk)).status_code == 302
    assert shopper.get(url("shipment", shipment.pk)).status_code == 403
    assert shopper.post(url("shipment_start", shipment.pk)).status_code == 403
    stranger = english(Client(), shop.stranger)
    line = shipment.lines.get()
    assert stranger.post(url("line_pick", shipment.pk, line.pk), {"picked": 1}).status_code == 403
    assert stranger.post(url("shipment_move", shipment.pk), {"to_status": "delivered"}).status_code == 403
    shipment.refresh_from_db()
    assert shipment.status == OrderStatus.PLACED
    assert english(Client(), shop.operator).get(url("shipment", 987654)).status_code == 404


@pytest.mark.django_db
def test_pick_every_line_pack_and_deliver(shop: Shop, operator_client: Client) -> None:
    order = place(shop, (shop.world.tangerine, 2, "allow"), (shop.world.candy, 1, "never"))
    shipment = shipment_of(order)
    page = operator_client.get(url("shipment", shipment.pk))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Start picking" in body
    assert body.index("A-02-1") < body.index("B-01-1")  # walking order
    assert "The customer wants no substitute." in body  # the candy line

    assert operator_client.post(url("shipment_start", shipment.pk)).status_code == 302
    shipment.refresh_from_db()
    assert shipment.status == OrderStatus.PICKING

    # Packing with lines still to pick is refused.
    refused = operator_client.post(url("shipment_pack", shipment.pk))
    assert refused.status_code == 409
    assert "Not done:" in refused.content.decode()

    for line in shipment.lines.all():
        response = operator_client.post(url("line_pick", shipment.pk, line.pk), {"picked": line.quantity})
        assert response.status_code == 302
    assert set(shipment.lines.values_list("status", flat=True)) == {LineStatus.PICKED}
    assert on_hand(shop, shop.world.tangerine.pk) == (TANGERINES - 2, 0)
    assert on_hand(shop, shop.world.candy.pk) == (CANDY - 1, 0)

    assert operator_client.post(url("shipment_pack", shipment.pk)).status_code == 302
    shipment.refresh_from_db()
    assert shipment.status == OrderStatus.PACKED
    assert "Hand to courier" in operator_client.get(url("shipment", shipment.pk)).content.decode()

    for status in (OrderStatus.OUT_FOR_DELIVERY, OrderStatus.DELIVERED):
        assert (
            operator_client.post(url("shipment_move", shipment.pk), {"to_status": status}).status_code == 302
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED


@pytest.mark.django_db
def test_a_short_pick_and_a_substitute(shop: Shop, operator_client: Client) -> None:
    order = place(shop, (shop.world.tangerine, 3, "allow"), (shop.world.candy, 2, "allow"))
    shipment = shipment_of(order)
    tangerines = shipment.lines.get(product=shop.world.tangerine)
    candy = shipment.lines.get(product=shop.world.candy)
    lollipop = Stock.objects.get(hub=shop.hub, product__name_en="Lollipop")
    page = operator_client.get(url("shipment", shipment.pk)).content.decode()
    assert f'<option value="{lollipop.product_id}">' in page  # offered for the candy

    short = operator_client.post(url("line_pick", shipment.pk, tangerines.pk), {"picked": 1})
    assert short.status_code == 302
    tangerines.refresh_from_db()
    assert (tangerines.status, tangerines.picked_quantity, tangerines.charged_won) == (
        LineStatus.SHORT,
        1,
        18_900,
    )

    swap = operator_client.post(
        url("line_pick", shipment.pk, candy.pk),
        {"picked": 0, "substitute": lollipop.product_id, "substitute_quantity": 2},
    )
    assert swap.status_code == 302
    candy.refresh_from_db()
    assert (candy.status, candy.substitute_id, candy.substitute_quantity) == (
        LineStatus.SUBSTITUTED,
        lollipop.product_id,
        2,
    )
    assert on_hand(shop, lollipop.product_id) == (18, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"picked": "all"}, 422),
        ({"picked": -1}, 422),
        ({"picked": 5}, 422),  # more than ordered (2)
        ({"picked": 0, "substitute": 987654, "substitute_quantity": 1}, 422),
        ({"picked": 0, "substitute_quantity": 1, "substitute": ""}, 422),
    ],
)
def test_bad_picks_change_nothing(
    shop: Shop, operator_client: Client, data: dict[str, object], status: int
) -> None:
    shipment = shipment_of(place(shop, (shop.world.tangerine, 2, "allow")))
    line = shipment.lines.get()
    response = operator_client.post(url("line_pick", shipment.pk, line.pk), data)
    assert response.status_code == status
    assert "Not recorded:" in response.content.decode()
    line.refresh_from_db()
    assert line.status == LineStatus.PENDING
    assert on_hand(shop, shop.world.tangerine.pk) == (TANGERINES, 2)


@pytest.mark.django_db
def test_an_invalid_move_is_refused(shop: Shop, operator_client: Client) -> None:
    shipment = shipment_of(place(shop, (shop.world.tangerine, 1, "allow")))
    response = operator_client.post(url("shipment_move", shipment.pk), {"to_status": "delivered"})
    assert response.status_code == 409
    assert "Not done:" in response.content.decode()
    bad = operator_client.post(url("shipment_move", shipment.pk), {"to_status": "teleported"})
    assert bad.status_code == 422
    shipment.refresh_from_db()
    assert shipment.status == OrderStatus.PLACED
