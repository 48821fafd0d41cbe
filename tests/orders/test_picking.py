"""Picking: picked, short and substituted lines, the customer's substitution answers and
packing, with stock counters and payment amounts before and after."""

from __future__ import annotations

import pytest

from hyperlocal.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hyperlocal.inventory.models import MovementKind, Stock, StockMovement
from hyperlocal.orders.errors import InvalidTransition
from hyperlocal.orders.models import (
    LineStatus,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Shipment,
    Substitution,
)
from hyperlocal.orders.services.lifecycle import transition
from hyperlocal.orders.services.picking import (
    answer_substitution,
    line_charge,
    pack,
    record_pick,
    start_picking,
)
from hyperlocal.regions.models import Region
from tests.orders.lifecycle_fixtures import FEE, NOW, World, build_world, payment

S = OrderStatus
A = Substitution.ALLOW
ASK = Substitution.ASK
NEVER = Substitution.NEVER


@pytest.fixture
def world(mapo: Region) -> World:
    return build_world()


def line_of(order: Order, product_id: int | None = None) -> OrderLine:
    lines = OrderLine.objects.filter(order=order)
    return lines.get(product_id=product_id) if product_id else lines.get()


def authorised(order: Order) -> int:
    return payment(order).authorised_won


def test_full_pick_takes_the_reserved_units_and_starts_picking(world: World) -> None:
    order = world.order([(world.apple, 3, A)])
    assert world.stock(world.apple) == (10, 3)
    line = record_pick(world.operator, line_of(order), picked=3, now=NOW)
    assert (line.status, line.picked_quantity, line.charged_won) == (LineStatus.PICKED, 3, 3000)
    assert world.stock(world.apple) == (7, 0)
    shipment = Shipment.objects.get(order=order)
    assert (shipment.status, shipment.picking_started_at) == (S.PICKING, NOW)
    order.refresh_from_db()
    assert order.status == S.PICKING
    assert authorised(order) == 3000 + FEE
    kinds = list(OrderEvent.objects.filter(order=order).values_list("kind", "actor"))
    assert kinds == [("transition", world.operator.pk), ("line_picked", world.operator.pk)]
    move = StockMovement.objects.get(kind=MovementKind.PICK)
    assert (move.on_hand_delta, move.reserved_delta, move.order_id) == (-3, -3, order.pk)


def test_short_pick_releases_the_rest_and_lowers_the_payment(world: World) -> None:
    order = world.order([(world.apple, 3, NEVER), (world.pear, 1, A)])
    assert authorised(order) == 5000 + FEE
    line = record_pick(world.operator, line_of(order, world.apple.pk), picked=1, now=NOW)
    assert (line.status, line.picked_quantity, line.charged_won) == (LineStatus.SHORT, 1, 1000)
    assert world.stock(world.apple) == (9, 0)  # one left the shelf, two back to available
    assert world.stock(world.pear) == (10, 1)  # untouched
    assert authorised(order) == 3000 + FEE
    ev = OrderEvent.objects.get(kind="line_short")
    assert ev.actor == world.operator
    assert (ev.data["picked"], ev.data["quantity"], ev.data["charged_won"], ev.data["reduced_won"]) == (
        1,
        3,
        1000,
        2000,
    )


def test_nothing_found_is_short_with_no_charge(world: World) -> None:
    order = world.order([(world.apple, 2, ASK), (world.pear, 1, A)])
    line = record_pick(world.operator, line_of(order, world.apple.pk), picked=0)
    assert (line.status, line.charged_won) == (LineStatus.SHORT, 0)
    assert world.stock(world.apple) == (10, 0)
    assert authorised(order) == 2000 + FEE


def test_cheaper_substitute_is_charged_and_settled(world: World) -> None:
    order = world.order([(world.apple, 3, A)])
    line = record_pick(
        world.operator, line_of(order), picked=1, substitute_id=world.cheap.pk, substitute_quantity=2, now=NOW
    )
    # 1 apple (1,000) + 2 small apples (500 each) = 2,000 instead of 3,000.
    assert (line.status, line.substitute_id, line.substitute_quantity) == (
        LineStatus.SUBSTITUTED,
        world.cheap.pk,
        2,
    )
    assert line.charged_won == 2000
    assert authorised(order) == 2000 + FEE
    assert world.stock(world.apple) == (9, 0)
    assert world.stock(world.cheap) == (8, 0)
    assert OrderEvent.objects.get(kind="line_substituted").data["reduced_won"] == 1000


def test_dearer_substitute_never_costs_more_than_the_order(world: World) -> None:
    order = world.order([(world.apple, 3, A)])
    line = record_pick(
        world.operator, line_of(order), picked=1, substitute_id=world.dear.pk, substitute_quantity=2
    )
    # 1,000 + 2 x 3,000 = 7,000, capped at the 3,000 ordered.
    assert (line.status, line.charged_won) == (LineStatus.SUBSTITUTED, 3000)
    assert authorised(order) == 3000 + FEE
    assert world.stock(world.dear) == (8, 0)


def test_line_charge_rule(world: World) -> None:
    line = OrderLine(quantity=4, unit_price_won=1500)
    assert line_charge(line, picked=4) == 6000
    assert line_charge(line, picked=1) == 1500
    assert line_charge(line, picked=1, substitute_price_won=1000, substitute_quantity=3) == 4500
    assert line_charge(line, picked=2, substitute_price_won=5000, substitute_quantity=2) == 6000


def test_ask_proposes_and_takes_nothing_until_accepted(world: World) -> None:
    order = world.order([(world.apple, 3, ASK)])
    line = record_pick(
        world.operator, line_of(order), picked=1, substitute_id=world.cheap.pk, substitute_quantity=2
    )
    assert line.status == LineStatus.PROPOSED
    assert (world.stock(world.apple), world.stock(world.cheap)) == ((10, 3), (10, 0))
    assert authorised(order) == 3000 + FEE
    accepted = answer_substitution(world.customer, line, accept=True, now=NOW)
    assert (accepted.status, accepted.charged_won) == (LineStatus.SUBSTITUTED, 2000)
    assert (world.stock(world.apple), world.stock(world.cheap)) == ((9, 0), (8, 0))
    assert authorised(order) == 2000 + FEE
    ev = OrderEvent.objects.get(kind="substitute_accepted")
    assert (ev.actor, ev.at) == (world.customer, NOW)
    with pytest.raises(Conflict) as caught:
        answer_substitution(world.customer, line, accept=False)
    assert caught.value.code == "no_substitute_proposed"


def test_declined_substitute_makes_the_line_short(world: World) -> None:
    order = world.order([(world.apple, 3, ASK)])
    line = record_pick(
        world.operator, line_of(order), picked=2, substitute_id=world.dear.pk, substitute_quantity=1
    )
    declined = answer_substitution(world.customer, line, accept=False)
    assert (declined.status, declined.charged_won, declined.substitute_id) == (LineStatus.SHORT, 2000, None)
    assert (world.stock(world.apple), world.stock(world.dear)) == ((8, 0), (10, 0))
    assert authorised(order) == 2000 + FEE
    assert OrderEvent.objects.get(kind="substitute_declined").actor == world.customer


def test_only_the_customer_answers(world: World) -> None:
    order = world.order([(world.apple, 3, ASK)])
    line = record_pick(
        world.operator, line_of(order), picked=1, substitute_id=world.cheap.pk, substitute_quantity=2
    )
    for someone in (world.stranger, world.operator):
        with pytest.raises(NotFound):
            answer_substitution(someone, line, accept=True)
    assert line_of(order).status == LineStatus.PROPOSED
    assert world.stock(world.cheap) == (10, 0)


def test_accepting_a_sold_out_substitute_changes_nothing(world: World) -> None:
    order = world.order([(world.apple, 3, ASK)])
    line = record_pick(
        world.operator, line_of(order), picked=1, substitute_id=world.cheap.pk, substitute_quantity=2
    )
    Stock.objects.filter(hub=world.hub, product=world.cheap).update(reserved=9)  # someone else's order
    with pytest.raises(Conflict) as caught:
        answer_substitution(world.customer, line, accept=True)
    assert caught.value.code == "substitute_out_of_stock"
    assert line_of(order).status == LineStatus.PROPOSED
    assert (world.stock(world.apple), world.stock(world.cheap)) == ((10, 3), (10, 9))
    assert authorised(order) == 3000 + FEE


def test_packing_declines_unanswered_proposals(world: World) -> None:
    order = world.order([(world.apple, 3, ASK), (world.pear, 1, A)])
    record_pick(
        world.operator,
        line_of(order, world.apple.pk),
        picked=1,
        substitute_id=world.cheap.pk,
        substitute_quantity=2,
    )
    record_pick(world.operator, line_of(order, world.pear.pk), picked=1)
    shipment = pack(world.operator, Shipment.objects.get(order=order), now=NOW)
    assert (shipment.status, shipment.packed_at) == (S.PACKED, NOW)
    apple = line_of(order, world.apple.pk)
    assert (apple.status, apple.charged_won, apple.substitute_id) == (LineStatus.SHORT, 1000, None)
    assert (world.stock(world.apple), world.stock(world.cheap)) == ((9, 0), (10, 0))
    assert authorised(order) == 3000 + FEE
    ev = OrderEvent.objects.get(kind="substitute_declined")
    assert (ev.actor, ev.note) == (world.operator, "no answer before packing")


def test_never_substitute_is_refused_and_changes_nothing(world: World) -> None:
    order = world.order([(world.apple, 3, NEVER)])
    with pytest.raises(InvalidInput) as caught:
        record_pick(
            world.operator, line_of(order), picked=1, substitute_id=world.cheap.pk, substitute_quantity=2
        )
    assert caught.value.status_code == 422
    assert caught.value.code == "substitution_not_allowed"
    assert line_of(order).status == LineStatus.PENDING
    assert Shipment.objects.get(order=order).status == S.PLACED  # the auto-start rolled back too
    assert (world.stock(world.apple), world.stock(world.cheap)) == ((10, 3), (10, 0))
    assert not OrderEvent.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "error", "code"),
    [
        ({"picked": 4}, InvalidInput, None),
        ({"picked": -1}, InvalidInput, None),
        ({"picked": "2"}, InvalidInput, None),
        ({"picked": 3, "substitute_id": "cheap", "substitute_quantity": 1}, InvalidInput, None),
        ({"picked": 1, "substitute_quantity": 2}, InvalidInput, None),
        ({"picked": 1, "substitute_id": "cheap", "substitute_quantity": 0}, InvalidInput, None),
        ({"picked": 1, "substitute_id": "apple", "substitute_quantity": 1}, InvalidInput, None),
        (
            {"picked": 1, "substitute_id": "inactive", "substitute_quantity": 1},
            InvalidInput,
            "unknown_product",
        ),
        ({"picked": 1, "substitute_id": 0, "substitute_quantity": 1}, InvalidInput, "unknown_product"),
        (
            {"picked": 1, "substitute_id": "cheap", "substitute_quantity": 11},
            Conflict,
            "substitute_out_of_stock",
        ),
        (
            {"picked": 1, "substitute_id": "unstocked", "substitute_quantity": 1},
            Conflict,
            "substitute_out_of_stock",
        ),
    ],
)
def test_bad_picks_change_nothing(
    world: World, kwargs: dict[str, object], error: type, code: str | None
) -> None:
    from tests.factories import ProductFactory

    ids = {
        "cheap": world.cheap.pk,
        "apple": world.apple.pk,
        "inactive": ProductFactory(is_active=False).pk,
        "unstocked": ProductFactory().pk,
    }
    if isinstance(kwargs.get("substitute_id"), str):
        kwargs = {**kwargs, "substitute_id": ids[str(kwargs["substitute_id"])]}
    order = world.order([(world.apple, 3, A)])
    with pytest.raises(error) as caught:
        record_pick(world.operator, line_of(order), **kwargs)  # type: ignore[arg-type]
    if code:
        assert caught.value.code == code
    assert line_of(order).status == LineStatus.PENDING
    assert (world.stock(world.apple), world.stock(world.cheap)) == ((10, 3), (10, 0))
    assert authorised(order) == 3000 + FEE
    assert not OrderEvent.objects.exists()


@pytest.mark.parametrize("who", ["other_operator", "customer"])
def test_only_the_hubs_operators_pick(world: World, who: str) -> None:
    order = world.order([(world.apple, 3, A)])
    with pytest.raises(NotAllowed):
        record_pick(getattr(world, who), line_of(order), picked=3)
    with pytest.raises(NotAllowed):
        pack(getattr(world, who), Shipment.objects.get(order=order))
    assert world.stock(world.apple) == (10, 3)
    assert line_of(order).status == LineStatus.PENDING


def test_a_decided_line_cannot_be_picked_again(world: World) -> None:
    order = world.order([(world.apple, 3, A)])
    record_pick(world.operator, line_of(order), picked=2)
    with pytest.raises(Conflict) as caught:
        record_pick(world.operator, line_of(order), picked=3)
    assert caught.value.code == "line_already_picked"
    assert world.stock(world.apple) == (8, 0)


def test_lines_are_picked_only_while_picking(world: World) -> None:
    order = world.order([(world.apple, 3, A), (world.pear, 1, A)])
    shipment = Shipment.objects.get(order=order)
    record_pick(world.operator, line_of(order, world.apple.pk), picked=3)
    with pytest.raises(Conflict) as caught:  # the pear is still to pick
        pack(world.operator, shipment)
    assert caught.value.code == "lines_to_pick"
    record_pick(world.operator, line_of(order, world.pear.pk), picked=1)
    assert pack(world.operator, shipment).status == S.PACKED
    assert (world.stock(world.apple), world.stock(world.pear)) == ((7, 0), (9, 0))
    transition(world.operator, shipment, S.CANCELLED, note="customer called")
    assert (world.stock(world.apple), world.stock(world.pear)) == ((10, 0), (10, 0))
    assert payment(order).status == "voided"
    with pytest.raises(Conflict, match="already cancelled"):
        record_pick(world.operator, line_of(order, world.pear.pk), picked=1)


def test_pick_on_a_packed_shipment_is_refused(world: World) -> None:
    order = world.order([(world.apple, 3, A), (world.pear, 1, A)])
    shipment = Shipment.objects.get(order=order)
    record_pick(world.operator, line_of(order, world.apple.pk), picked=3)
    record_pick(world.operator, line_of(order, world.pear.pk), picked=1)
    pack(world.operator, shipment)
    OrderLine.objects.filter(order=order, product=world.pear).update(status=LineStatus.PENDING)
    with pytest.raises(InvalidTransition, match="packed"):
        record_pick(world.operator, line_of(order, world.pear.pk), picked=1)


def test_nothing_found_cannot_be_packed(world: World) -> None:
    order = world.order([(world.apple, 3, A)])
    shipment = start_picking(world.operator, Shipment.objects.get(order=order), now=NOW)
    assert shipment.status == S.PICKING
    record_pick(world.operator, line_of(order), picked=0)
    with pytest.raises(Conflict) as caught:
        pack(world.operator, shipment)
    assert caught.value.code == "nothing_to_pack"
    shipment.refresh_from_db()
    assert shipment.status == S.PICKING
    # Cancelling is the way out: nothing is left to pay, so the payment is voided.
    transition(world.operator, shipment, S.CANCELLED, note="nothing in stock")
    assert payment(order).status == "voided"


def test_transition_to_packed_goes_through_pack(world: World) -> None:
    order = world.order([(world.apple, 3, A)])
    shipment = start_picking(world.operator, Shipment.objects.get(order=order))
    with pytest.raises(Conflict) as caught:
        transition(world.operator, shipment, S.PACKED)
    assert caught.value.code == "lines_to_pick"
