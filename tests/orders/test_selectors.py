"""Pick list, hub board, a customer's orders and the tracking timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Model
from django.utils import translation

from hyperlocal.errors import NotAllowed, NotFound
from hyperlocal.orders.models import OrderLine, OrderStatus, PromiseKind, Shipment, Substitution
from hyperlocal.orders.services.lifecycle import transition
from hyperlocal.orders.services.picking import answer_substitution, pack, record_pick
from hyperlocal.orders.services.selectors import (
    customer_orders,
    get_customer_order,
    get_hub_shipment,
    hub_board,
    order_timeline,
    pick_list,
)
from hyperlocal.regions.models import Region
from tests.orders.lifecycle_fixtures import NOW, World, build_world

S = OrderStatus
A = Substitution.ALLOW
ASK = Substitution.ASK


@pytest.fixture
def world(mapo: Region) -> World:
    return build_world()


def shipment_at(order: Model, world: World) -> Shipment:
    return Shipment.objects.get(order=order, hub=world.hub)


def test_pick_list_walks_zones_and_bins_then_promises(world: World, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    # Zones: "A dry" holds pear (bin 12) and dear (02); "B chilled" apple (07) and cheap (08).
    early = world.order([(world.apple, 2, A), (world.pear, 1, ASK)], now=NOW)
    late = world.order([(world.apple, 1, A), (world.dear, 1, A)], now=NOW + timedelta(minutes=5))
    elsewhere = world.order([(world.apple, 1, A)], split=[(world.cheap, 1, A)])
    done = world.order([(world.cheap, 1, A)])
    record_pick(world.operator, OrderLine.objects.get(order=done), picked=1)
    pack(world.operator, shipment_at(done, world))
    # A line already picked leaves the list; its shipment's other lines stay.
    record_pick(world.operator, OrderLine.objects.get(order=late, product=world.dear), picked=1)

    with django_assert_max_num_queries(1):
        entries = pick_list(world.hub)
    got = [(e.order_code, e.product_name, e.zone, e.bin, e.quantity) for e in entries]
    assert got == [
        (early.code, "배", "A dry", "12", 1),
        (early.code, "사과", "B chilled", "07", 2),
        (elsewhere.code, "사과", "B chilled", "07", 1),
        (late.code, "사과", "B chilled", "07", 1),
    ]
    first = entries[0]
    assert (first.substitution, first.status, first.promised_by) == (
        ASK,
        "pending",
        NOW + timedelta(minutes=30),
    )
    assert first.shipment.hub_id == world.hub.pk
    assert first.line.product_id == world.pear.pk
    # The other hub sees only its own line.
    assert [(e.order_code, e.product_name) for e in pick_list(world.other_hub)] == [
        (elsewhere.code, "작은 사과")
    ]


def test_pick_list_without_a_place_sorts_last(world: World) -> None:
    from hyperlocal.inventory.models import Stock

    Stock.objects.filter(hub=world.hub, product=world.pear).update(zone=None, bin="")
    order = world.order([(world.pear, 1, A), (world.apple, 1, A)])
    entries = pick_list(world.hub)
    assert [(e.product_name, e.zone, e.bin) for e in entries] == [("사과", "B chilled", "07"), ("배", "", "")]
    assert all(e.order_code == order.code for e in entries)


def test_hub_board_columns_countdown_and_flags(world: World, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    waiting = world.order([(world.apple, 3, ASK)], now=NOW)  # promised by NOW + 30
    fresh = world.order([(world.pear, 2, A), (world.cheap, 1, A)], now=NOW + timedelta(minutes=20))
    record_pick(
        world.operator,
        OrderLine.objects.get(order=waiting),
        picked=1,
        substitute_id=world.cheap.pk,
        substitute_quantity=1,
    )
    delivered = world.order([(world.dear, 1, A)], now=NOW)
    s = shipment_at(delivered, world)
    record_pick(world.operator, OrderLine.objects.get(order=delivered), picked=1)
    pack(world.operator, s)
    transition(world.operator, s, S.OUT_FOR_DELIVERY, now=NOW + timedelta(minutes=10))
    transition(world.operator, s, S.DELIVERED, now=NOW + timedelta(minutes=25))
    old = world.order([(world.dear, 1, A)], now=NOW - timedelta(days=1))
    o = shipment_at(old, world)
    record_pick(world.operator, OrderLine.objects.get(order=old), picked=1)
    pack(world.operator, o)
    transition(world.operator, o, S.OUT_FOR_DELIVERY, now=NOW - timedelta(days=1))
    transition(world.operator, o, S.DELIVERED, now=NOW - timedelta(days=1))
    split = world.order([(world.apple, 1, A)], split=[(world.pear, 1, A)], now=NOW + timedelta(minutes=30))

    now = NOW + timedelta(minutes=40)
    with django_assert_max_num_queries(1):
        board = hub_board(world.hub, now=now)
    assert [c.status for c in board.columns] == [
        "placed",
        "picking",
        "packed",
        "out_for_delivery",
        "delivery_failed",
        "delivered",
    ]
    (picking,) = board.column("picking").cards
    assert (
        picking.order_code,
        picking.items,
        picking.minutes_left,
        picking.late,
        picking.awaiting_answer,
    ) == (
        waiting.code,
        3,
        -10,
        True,
        True,
    )
    placed = board.column("placed").cards
    assert [c.order_code for c in placed] == [fresh.code, split.code]
    assert (placed[0].items, placed[0].minutes_left, placed[0].late, placed[0].promise_kind) == (
        3,
        10,
        False,
        PromiseKind.INSTANT,
    )
    (done,) = board.column("delivered").cards  # yesterday's delivery is not shown
    assert (done.order_code, done.late) == (delivered.code, False)
    assert board.late_count == 1
    assert [c.order_code for c in hub_board(world.other_hub, now=now).column("placed").cards] == [split.code]


def test_customer_sees_only_own_orders(world: World) -> None:
    mine = world.order()
    theirs = world.order(customer=world.stranger)
    assert list(customer_orders(world.customer)) == [mine]
    assert get_customer_order(world.customer, mine.pk) == mine
    for bad in (theirs.pk, 10**9, -1, 0, "abc", "1; drop table", None, True):
        with pytest.raises(NotFound) as caught:
            get_customer_order(world.customer, bad)  # type: ignore[arg-type]
        assert caught.value.status_code == 404
        assert "no such order" in caught.value.message
    from django.contrib.auth.models import AnonymousUser

    assert list(customer_orders(AnonymousUser())) == []


def test_hub_shipment_for_its_operators_only(world: World) -> None:
    order = world.order()
    shipment = shipment_at(order, world)
    assert get_hub_shipment(world.operator, shipment.pk) == shipment
    with pytest.raises(NotAllowed):
        get_hub_shipment(world.other_operator, shipment.pk)
    with pytest.raises(NotAllowed):
        get_hub_shipment(world.customer, shipment.pk)
    with pytest.raises(NotFound):
        get_hub_shipment(world.operator, 10**9)


def test_timeline_labels_times_and_actors(world: World) -> None:
    order = world.order([(world.apple, 3, ASK), (world.pear, 2, A)])
    shipment = shipment_at(order, world)
    apple = OrderLine.objects.get(order=order, product=world.apple)
    pear = OrderLine.objects.get(order=order, product=world.pear)
    record_pick(
        world.operator,
        apple,
        picked=1,
        substitute_id=world.cheap.pk,
        substitute_quantity=2,
        now=NOW + timedelta(minutes=1),
    )
    record_pick(world.operator, pear, picked=1, now=NOW + timedelta(minutes=2))
    answer_substitution(world.customer, apple, accept=True, now=NOW + timedelta(minutes=3))
    pack(world.operator, shipment, now=NOW + timedelta(minutes=4))
    transition(world.operator, shipment, S.OUT_FOR_DELIVERY, now=NOW + timedelta(minutes=5))
    transition(
        world.operator, shipment, S.DELIVERY_FAILED, note="nobody home", now=NOW + timedelta(minutes=6)
    )

    with translation.override("en"):  # the site's default language is Korean
        timeline = [(e.label, e.actor) for e in order_timeline(order)]
    assert timeline == [
        ("picking (first pick)", "picker"),
        ("사과 is missing: 작은 사과 proposed instead, your answer is needed", "picker"),
        ("amount to pay lowered by 2,000 won", "picker"),
        ("found 1 of 2 x 배", "picker"),
        ("amount to pay lowered by 1,000 won", "Jiwoo"),
        ("substitute 작은 사과 accepted", "Jiwoo"),
        ("packed", "picker"),
        ("out for delivery", "picker"),
        ("delivery failed (nobody home)", "picker"),
    ]
    times = [e.at for e in order_timeline(order)]
    assert times == sorted(times)


def test_timeline_of_a_split_order_names_the_hubs(world: World) -> None:
    order = world.order([(world.apple, 1, A)], split=[(world.pear, 1, A)])
    transition(world.operator, shipment_at(order, world), S.PICKING, now=NOW)
    with translation.override("en"):
        labels = [e.label for e in order_timeline(order)]
    assert labels == ["Mapo Office Hub: picking"]
