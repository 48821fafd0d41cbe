"""Shipment and order states: allowed moves, permissions, and what each move does to stock,
delivery slots and the payment."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hyperlocal.errors import InvalidInput, NotAllowed
from hyperlocal.orders.errors import InvalidTransition
from hyperlocal.orders.models import (
    DeliverySlot,
    LineStatus,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
    Shipment,
    Substitution,
)
from hyperlocal.orders.services.lifecycle import (
    ALLOWED,
    cancel_order,
    lock_orders,
    order_status_of,
    set_estimates,
    transition,
)
from hyperlocal.orders.services.picking import pack, record_pick
from hyperlocal.regions.models import Region
from tests.factories import UserFactory
from tests.orders.lifecycle_fixtures import FEE, NOW, World, build_world, payment

S = OrderStatus
T = timedelta(minutes=1)


@pytest.fixture
def world(mapo: Region) -> World:
    return build_world()


def shipment_of(order: Order, world: World | None = None) -> Shipment:
    shipments = Shipment.objects.filter(order=order).order_by("pk")
    return shipments.get(hub=world.hub) if world is not None else shipments.get()


def pick_all(world: World, shipment: Shipment) -> None:
    for line in OrderLine.objects.filter(shipment=shipment):
        record_pick(world.operator, line, picked=line.quantity, now=NOW)


def walk(world: World, shipment: Shipment, *statuses: str) -> Shipment:
    """Move the shipment through `statuses` the way the hub does (picking lines first)."""
    for i, status in enumerate(statuses, start=1):
        if status == S.PACKED:
            pick_all(world, shipment)
            shipment = pack(world.operator, shipment, now=NOW + i * T)
        else:
            note = "nobody home" if status == S.DELIVERY_FAILED else ""
            shipment = transition(world.operator, shipment, status, note=note, now=NOW + i * T)
    return shipment


def test_allowed_moves_are_the_contract() -> None:
    assert {k: set(v) for k, v in ALLOWED.items() if v} == {
        "placed": {"picking", "cancelled"},
        "picking": {"packed", "cancelled"},
        "packed": {"out_for_delivery", "cancelled"},
        "out_for_delivery": {"delivered", "delivery_failed"},
        "delivery_failed": {"out_for_delivery", "returned"},
        "delivered": {"returned"},
        "returned": {"refunded"},
    }
    assert ALLOWED["cancelled"] == frozenset()
    assert ALLOWED["refunded"] == frozenset()


@pytest.mark.parametrize(
    ("statuses", "stamp"),
    [
        ((S.PICKING,), "picking_started_at"),
        ((S.PICKING, S.PACKED), "packed_at"),
        ((S.PICKING, S.PACKED, S.OUT_FOR_DELIVERY), "out_for_delivery_at"),
        ((S.PICKING, S.PACKED, S.OUT_FOR_DELIVERY, S.DELIVERED), "delivered_at"),
        ((S.PICKING, S.PACKED, S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED), None),
        (
            (S.PICKING, S.PACKED, S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED, S.OUT_FOR_DELIVERY),
            "out_for_delivery_at",
        ),
        ((S.PICKING, S.PACKED, S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED, S.RETURNED), "closed_at"),
        ((S.PICKING, S.PACKED, S.OUT_FOR_DELIVERY, S.DELIVERED, S.RETURNED), "closed_at"),
        ((S.PICKING, S.PACKED, S.OUT_FOR_DELIVERY, S.DELIVERED, S.RETURNED, S.REFUNDED), "closed_at"),
        ((S.CANCELLED,), "closed_at"),
        ((S.PICKING, S.CANCELLED), "closed_at"),
        ((S.PICKING, S.PACKED, S.CANCELLED), "closed_at"),
    ],
)
def test_every_allowed_move_stamps_logs_and_sets_the_order(
    world: World, statuses: tuple[str, ...], stamp: str | None
) -> None:
    order = world.order()
    shipment = walk(world, shipment_of(order), *statuses)
    shipment.refresh_from_db()
    order.refresh_from_db()
    assert shipment.status == statuses[-1]
    assert order.status == statuses[-1]  # one shipment: the order follows it
    if stamp:
        assert getattr(shipment, stamp) == NOW + len(statuses) * T
    moves = list(
        OrderEvent.objects.filter(order=order, kind="transition").values_list(
            "from_status", "to_status", "actor"
        )
    )
    assert [m[1] for m in moves] == list(statuses)
    assert [m[0] for m in moves] == ["placed", *statuses[:-1]]
    assert {m[2] for m in moves} == {world.operator.pk}


@pytest.mark.parametrize(
    ("statuses", "target"),
    [
        ((), S.PACKED),
        ((), S.DELIVERED),
        ((), S.REFUNDED),
        ((S.PICKING,), S.PLACED),
        ((S.PICKING,), S.OUT_FOR_DELIVERY),
        ((S.PICKING, S.PACKED), S.PICKING),
        ((S.PICKING, S.PACKED, S.OUT_FOR_DELIVERY), S.CANCELLED),
        ((S.PICKING, S.PACKED, S.OUT_FOR_DELIVERY, S.DELIVERED), S.CANCELLED),
        ((S.PICKING, S.PACKED, S.OUT_FOR_DELIVERY, S.DELIVERED), S.REFUNDED),
        ((S.CANCELLED,), S.PICKING),
        ((S.CANCELLED,), S.CANCELLED),
    ],
)
def test_forbidden_moves_are_409_and_change_nothing(
    world: World, statuses: tuple[str, ...], target: str
) -> None:
    order = world.order()
    shipment = walk(world, shipment_of(order), *statuses)
    before_events = OrderEvent.objects.count()
    before_payment = payment(order).authorised_won, payment(order).captured_won
    with pytest.raises(InvalidTransition) as caught:
        transition(world.operator, shipment, target, now=NOW + timedelta(hours=1))
    assert caught.value.status_code == 409
    assert caught.value.code == "invalid_transition"
    current = statuses[-1] if statuses else S.PLACED
    assert f"cannot go from {current} to {target}" in caught.value.message
    shipment.refresh_from_db()
    assert shipment.status == current
    assert OrderEvent.objects.count() == before_events
    assert (payment(order).authorised_won, payment(order).captured_won) == before_payment


def test_packed_to_picking_message(world: World) -> None:
    shipment = walk(world, shipment_of(world.order()), S.PICKING, S.PACKED)
    with pytest.raises(InvalidTransition, match="cannot go from packed to picking"):
        transition(world.operator, shipment, S.PICKING)


def test_unknown_status_is_422(world: World) -> None:
    shipment = shipment_of(world.order())
    with pytest.raises(InvalidInput) as caught:
        transition(world.operator, shipment, "teleported")
    assert caught.value.status_code == 422
    assert caught.value.field == "status"


@pytest.mark.parametrize("who", ["other_operator", "customer", "stranger"])
def test_only_the_hubs_operators_move_shipments(world: World, who: str) -> None:
    order = world.order()
    shipment = shipment_of(order)
    with pytest.raises(NotAllowed) as caught:
        transition(getattr(world, who), shipment, S.PICKING, now=NOW)
    assert caught.value.status_code == 403
    shipment.refresh_from_db()
    assert shipment.status == S.PLACED
    assert shipment.picking_started_at is None
    assert not OrderEvent.objects.filter(order=order).exists()


def test_a_platform_admin_may_move_any_shipment(world: World) -> None:
    admin = UserFactory(username="root", is_superuser=True)
    shipment = transition(admin, shipment_of(world.order()), S.PICKING, now=NOW)
    assert shipment.status == S.PICKING
    assert OrderEvent.objects.get(kind="transition").actor == admin


def test_failed_delivery_needs_a_reason(world: World) -> None:
    shipment = walk(world, shipment_of(world.order()), S.PICKING, S.PACKED, S.OUT_FOR_DELIVERY)
    with pytest.raises(InvalidInput) as caught:
        transition(world.operator, shipment, S.DELIVERY_FAILED, note="  ")
    assert caught.value.code == "reason_required"
    shipment.refresh_from_db()
    assert shipment.status == S.OUT_FOR_DELIVERY
    transition(world.operator, shipment, S.DELIVERY_FAILED, note="nobody home, door locked")
    assert OrderEvent.objects.get(to_status=S.DELIVERY_FAILED).note == "nobody home, door locked"


def test_delivery_captures_the_shipment_with_the_fee(world: World) -> None:
    order = world.order([(world.apple, 3, Substitution.ALLOW), (world.pear, 1, Substitution.ALLOW)])
    assert payment(order).authorised_won == 5000 + FEE
    walk(world, shipment_of(order), S.PICKING, S.PACKED, S.OUT_FOR_DELIVERY, S.DELIVERED)
    pay = payment(order)
    assert (pay.status, pay.authorised_won, pay.captured_won) == ("captured", 5000 + FEE, 5000 + FEE)
    assert OrderEvent.objects.get(to_status=S.DELIVERED).data["captured_won"] == 5000 + FEE


def test_failed_then_returned_puts_goods_back_and_voids_the_payment(world: World) -> None:
    order = world.order([(world.apple, 3, Substitution.ALLOW)])
    assert world.stock(world.apple) == (10, 3)
    shipment = walk(world, shipment_of(order), S.PICKING, S.PACKED, S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED)
    assert world.stock(world.apple) == (7, 0)  # picked: the units left the shelf
    walk(world, shipment, S.RETURNED)
    assert world.stock(world.apple) == (10, 0)
    pay = payment(order)
    assert (pay.status, pay.captured_won) == (Payment.Status.VOIDED, 0)
    order.refresh_from_db()
    assert order.status == S.RETURNED
    # Nothing was captured, so the refund step refunds nothing.
    transition(world.operator, shipment, S.REFUNDED)
    pay.refresh_from_db()
    assert (pay.status, pay.refunded_won) == (Payment.Status.VOIDED, 0)


def test_return_after_delivery_then_refund(world: World) -> None:
    order = world.order([(world.apple, 2, Substitution.ALLOW)])
    shipment = walk(world, shipment_of(order), S.PICKING, S.PACKED, S.OUT_FOR_DELIVERY, S.DELIVERED)
    assert world.stock(world.apple) == (8, 0)
    transition(world.operator, shipment, S.RETURNED, note="wrong size")
    assert world.stock(world.apple) == (10, 0)
    assert payment(order).refunded_won == 0  # the refund is its own step
    transition(world.operator, shipment, S.REFUNDED)
    pay = payment(order)
    assert (pay.status, pay.captured_won, pay.refunded_won) == (
        Payment.Status.REFUNDED,
        2000 + FEE,
        2000 + FEE,
    )
    order.refresh_from_db()
    assert order.status == S.REFUNDED


def test_customer_cancels_a_placed_order(world: World) -> None:
    order = world.order(
        [(world.apple, 3, Substitution.ALLOW), (world.pear, 2, Substitution.NEVER)], slot=True
    )
    slot = DeliverySlot.objects.get(hub=world.hub)
    assert (world.stock(world.apple), world.stock(world.pear), slot.booked) == ((10, 3), (10, 2), 1)
    cancelled = cancel_order(world.customer, order, reason="changed my mind", now=NOW + T)
    assert cancelled.status == S.CANCELLED
    order.refresh_from_db()
    assert order.status == S.CANCELLED
    assert (world.stock(world.apple), world.stock(world.pear)) == ((10, 0), (10, 0))
    slot.refresh_from_db()
    assert slot.booked == 0
    pay = payment(order)
    assert (pay.status, pay.captured_won) == (Payment.Status.VOIDED, 0)
    assert set(OrderLine.objects.filter(order=order).values_list("status", "charged_won")) == {
        (LineStatus.CANCELLED, 0)
    }
    ev = OrderEvent.objects.get(order=order, kind="transition")
    assert (ev.actor, ev.note, ev.from_status, ev.to_status, ev.at) == (
        world.customer,
        "changed my mind",
        S.PLACED,
        S.CANCELLED,
        NOW + T,
    )
    assert shipment_of(order).closed_at == NOW + T


def test_customer_cannot_cancel_once_picking_started(world: World) -> None:
    order = world.order()
    walk(world, shipment_of(order), S.PICKING)
    with pytest.raises(InvalidTransition) as caught:
        cancel_order(world.customer, order, reason="too slow")
    assert caught.value.status_code == 409
    assert caught.value.code == "too_late_to_cancel"
    order.refresh_from_db()
    assert order.status == S.PICKING
    assert payment(order).status == Payment.Status.AUTHORISED
    assert world.stock(world.apple) == (10, 3)


def test_cancelling_needs_a_reason_and_a_right(world: World) -> None:
    order = world.order()
    with pytest.raises(InvalidInput):
        cancel_order(world.customer, order, reason=" ")
    with pytest.raises(NotAllowed):
        cancel_order(world.stranger, order, reason="mischief")
    with pytest.raises(NotAllowed):  # an operator of another hub
        cancel_order(world.other_operator, order, reason="mischief")
    order.refresh_from_db()
    assert order.status == S.PLACED
    assert world.stock(world.apple) == (10, 3)


def test_operator_cancels_during_picking_returns_picked_units(world: World) -> None:
    order = world.order([(world.apple, 3, Substitution.ALLOW), (world.pear, 2, Substitution.ALLOW)])
    shipment = shipment_of(order)
    apple_line = OrderLine.objects.get(order=order, product=world.apple)
    record_pick(world.operator, apple_line, picked=3, now=NOW)
    assert (world.stock(world.apple), world.stock(world.pear)) == ((7, 0), (10, 2))
    cancel_order(world.operator, order, reason="hub flooded", now=NOW + T)
    assert (world.stock(world.apple), world.stock(world.pear)) == ((10, 0), (10, 0))
    shipment.refresh_from_db()
    assert shipment.status == S.CANCELLED
    assert payment(order).status == Payment.Status.VOIDED


def test_operator_cannot_cancel_once_out_for_delivery(world: World) -> None:
    order = world.order()
    walk(world, shipment_of(order), S.PICKING, S.PACKED, S.OUT_FOR_DELIVERY)
    with pytest.raises(InvalidTransition, match="cannot go from out_for_delivery to cancelled"):
        cancel_order(world.operator, order, reason="late")


def test_split_order_one_hub_cancels_its_part(world: World) -> None:
    order = world.order([(world.apple, 2, Substitution.ALLOW)], split=[(world.pear, 1, Substitution.ALLOW)])
    assert payment(order).authorised_won == 2000 + 2000 + FEE
    mine = shipment_of(order, world)
    theirs = Shipment.objects.get(order=order, hub=world.other_hub)
    walk(world, mine, S.PICKING)
    # The other hub's operator cancels only the shipment of the hub they run.
    cancel_order(world.other_operator, order, reason="out of pears", now=NOW + T)
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert (mine.status, theirs.status) == (S.PICKING, S.CANCELLED)
    assert world.stock(world.pear, world.other_hub) == (10, 0)
    order.refresh_from_db()
    assert order.status == S.PICKING  # the least advanced live shipment
    pay = payment(order)
    assert (pay.status, pay.authorised_won) == (Payment.Status.AUTHORISED, 2000 + FEE)
    walk(world, mine, S.PACKED, S.OUT_FOR_DELIVERY, S.DELIVERED)
    pay.refresh_from_db()
    assert (pay.captured_won, pay.authorised_won) == (2000 + FEE, 2000 + FEE)
    order.refresh_from_db()
    assert order.status == S.DELIVERED


def test_split_order_status_is_the_least_advanced_live_shipment(world: World) -> None:
    order = world.order([(world.apple, 1, Substitution.ALLOW)], split=[(world.pear, 1, Substitution.ALLOW)])
    mine = shipment_of(order, world)
    theirs = Shipment.objects.get(order=order, hub=world.other_hub)
    walk(world, mine, S.PICKING, S.PACKED, S.OUT_FOR_DELIVERY, S.DELIVERED)
    order.refresh_from_db()
    assert order.status == S.PLACED
    for line in OrderLine.objects.filter(shipment=theirs):
        record_pick(world.other_operator, line, picked=line.quantity)
    pack(world.other_operator, theirs)
    transition(world.other_operator, theirs, S.OUT_FOR_DELIVERY)
    transition(world.other_operator, theirs, S.DELIVERY_FAILED, note="wrong door code")
    order.refresh_from_db()
    assert order.status == S.DELIVERY_FAILED
    # The fee went with the first delivery; the failed shipment's return releases only its part.
    transition(world.other_operator, theirs, S.RETURNED)
    pay = payment(order)
    assert (pay.status, pay.authorised_won, pay.captured_won) == (
        Payment.Status.CAPTURED,
        1000 + FEE,
        1000 + FEE,
    )
    order.refresh_from_db()
    assert order.status == S.DELIVERED


def test_customer_cancel_of_split_order_cancels_both(world: World) -> None:
    order = world.order([(world.apple, 1, Substitution.ALLOW)], split=[(world.pear, 1, Substitution.ALLOW)])
    cancel_order(world.customer, order, reason="ordered twice")
    assert set(Shipment.objects.filter(order=order).values_list("status", flat=True)) == {S.CANCELLED}
    assert payment(order).status == Payment.Status.VOIDED
    assert (world.stock(world.apple), world.stock(world.pear, world.other_hub)) == ((10, 0), (10, 0))
    with pytest.raises(InvalidTransition):
        cancel_order(world.customer, order, reason="again")


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["cancelled", "cancelled"], "cancelled"),
        (["placed"], "placed"),
        (["cancelled", "packed"], "packed"),
        (["picking", "out_for_delivery"], "picking"),
        (["delivered", "delivery_failed"], "delivery_failed"),
        (["out_for_delivery", "delivery_failed"], "delivery_failed"),
        (["delivered", "refunded"], "delivered"),
        (["returned", "refunded"], "returned"),
    ],
)
def test_order_status_rule(statuses: list[str], expected: str) -> None:
    assert order_status_of(statuses) == expected


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_racing_cancellations_never_deadlock_and_restock_exactly(mapo: Region) -> None:
    """Per order, the customer and the operator cancel at the same moment, while other orders
    with the same products (picked, substituted, pending) are cancelled in other threads:
    one cancellation wins per order, the loser gets a clear 409, and every unit is back."""
    import random
    import threading

    from django.db import connection, transaction

    from hyperlocal.errors import DomainError
    from hyperlocal.inventory.models import Stock

    if connection.vendor != "postgresql":
        reason = "needs PostgreSQL (set DATABASE_URL=postgres://...)"
        pytest.skip(reason)

    world = build_world()
    Stock.objects.all().update(on_hand=200)
    rng = random.Random(7)
    products = [world.apple, world.pear, world.cheap, world.dear]
    orders = []
    for _ in range(12):
        chosen = rng.sample(products, 3)
        order = world.order([(p, rng.randint(1, 3), Substitution.ALLOW) for p in chosen])
        if rng.random() < 0.6:  # picking started: some lines picked, short or substituted
            lines = list(OrderLine.objects.filter(order=order).order_by("pk"))
            record_pick(world.operator, lines[0], picked=lines[0].quantity)
            spare = next(p for p in products if p not in chosen)
            record_pick(world.operator, lines[1], picked=0, substitute_id=spare.pk, substitute_quantity=2)
        orders.append(order)

    barrier = threading.Barrier(len(orders) * 2)
    lock = threading.Lock()
    wins: dict[int, int] = {}
    refusals: list[str] = []
    errors: list[BaseException] = []

    def cancel(order: Order, actor_name: str) -> None:
        actor = getattr(world, actor_name)
        try:
            barrier.wait()
            with transaction.atomic():
                cancel_order(actor, order, reason=f"race {actor_name}")
            with lock:
                wins[order.pk] = wins.get(order.pk, 0) + 1
        except DomainError as exc:
            with lock:
                refusals.append(exc.code)
        except BaseException as exc:  # a deadlock would surface here
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=cancel, args=(order, who))
        for order in orders
        for who in ("customer", "operator")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert wins == {order.pk: 1 for order in orders}
    assert len(refusals) == len(orders)
    assert set(refusals) <= {"invalid_transition", "too_late_to_cancel"}
    assert set(Stock.objects.values_list("on_hand", "reserved")) == {(200, 0)}
    assert set(Order.objects.values_list("status", flat=True)) == {S.CANCELLED}
    assert set(Payment.objects.values_list("status", flat=True)) == {Payment.Status.VOIDED}


def test_lock_orders_returns_the_orders_and_all_their_shipments_in_id_order(world: World) -> None:
    first = world.order([(world.apple, 1, Substitution.ALLOW)], split=[(world.pear, 1, Substitution.ALLOW)])
    second = world.order([(world.apple, 1, Substitution.ALLOW)])
    world.order([(world.apple, 1, Substitution.ALLOW)])  # not asked for
    orders, shipments = lock_orders([second.pk, first.pk, second.pk])
    assert sorted(orders) == [first.pk, second.pk]
    assert [s.pk for s in shipments] == sorted(
        Shipment.objects.filter(order__in=[first, second]).values_list("pk", flat=True)
    )
    assert {s.order_id for s in shipments} == {first.pk, second.pk}
    assert lock_orders([]) == ({}, [])


def test_set_estimates_moves_the_estimate_never_the_promise(world: World) -> None:
    one = shipment_of(world.order([(world.apple, 1, Substitution.ALLOW)]))
    two = shipment_of(world.order([(world.apple, 1, Substitution.ALLOW)]))
    Shipment.objects.filter(pk=two.pk).update(estimated_at=NOW)
    promised = {s.pk: (s.promised_from, s.promised_by) for s in (one, two)}
    later = NOW + 50 * T
    assert set_estimates({one.pk: later, two.pk: None}) == 2
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.estimated_at, two.estimated_at) == (later, None)
    assert {s.pk: (s.promised_from, s.promised_by) for s in (one, two)} == promised
    assert set_estimates({}) == 0


def test_set_estimates_refuses_a_naive_time_and_writes_nothing(world: World) -> None:
    one = shipment_of(world.order([(world.apple, 1, Substitution.ALLOW)]))
    two = shipment_of(world.order([(world.apple, 1, Substitution.ALLOW)]))
    with pytest.raises(InvalidInput, match="time zone"):
        set_estimates({one.pk: NOW, two.pk: NOW.replace(tzinfo=None)})
    assert not Shipment.objects.filter(pk__in=[one.pk, two.pk], estimated_at__isnull=False).exists()
