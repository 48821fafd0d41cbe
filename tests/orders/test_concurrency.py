"""32 real threads buying the last units of a few products in random baskets: never an
oversell, never a deadlock or "database is locked", every successful order complete.

Runs on PostgreSQL and on SQLite (IMMEDIATE transactions; the test database is a file so
that the threads share it, see tests/settings.py). Each thread uses its own connection and
closes it at the end.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.db.models import Sum

from hyperlocal.accounts.models import User
from hyperlocal.inventory.models import Stock, StockMovement
from hyperlocal.orders.errors import OutOfStock, SlotFull
from hyperlocal.orders.models import Order, OrderEvent, OrderLine, Payment, Shipment
from hyperlocal.orders.services import DeliveryChoice, LineRequest, PlacedOrder, place_order
from hyperlocal.regions.models import Region
from tests.orders.conftest import Shop, build_shop, make_customer

THREADS = 32

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Outcome:
    placed: PlacedOrder | None = None
    error: BaseException | None = None


def _run_all(jobs: list[Callable[[], PlacedOrder]]) -> list[Outcome]:
    outcomes = [Outcome() for _ in jobs]
    start = threading.Barrier(len(jobs))

    def work(i: int) -> None:
        try:
            start.wait(timeout=30)
            outcomes[i].placed = jobs[i]()
        except BaseException as error:
            outcomes[i].error = error
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return outcomes


@pytest.fixture
def scarce(mapo: Region) -> tuple[Shop, list[User]]:
    shop = build_shop(stock=0, products=4, pickers=50)
    levels = {shop.hub_a.pk: [3, 2, 4, 1], shop.hub_b.pk: [2, 3, 1, 2]}
    for hub in (shop.hub_a, shop.hub_b):
        for product, units in zip(shop.products, levels[hub.pk], strict=True):
            shop.set_stock(hub, product, units)
    customers = [make_customer() for _ in range(THREADS)]
    return shop, customers


def test_32_threads_buying_the_last_units_never_oversell(scarce: tuple[Shop, list[User]]) -> None:
    shop, customers = scarce
    rng = random.Random(20240601)
    jobs = []
    for customer in customers:
        basket = rng.sample(shop.products, rng.randint(1, 4))
        if rng.random() < 0.2:  # and one more random line of a product already in (merged)
            basket.append(basket[0])
        lines = [LineRequest(p.pk, rng.randint(1, 2)) for p in basket[:5]]
        slot = rng.random() < 0.25
        choice = DeliveryChoice("slot", shop.slot_a.starts_at) if slot else DeliveryChoice("instant")

        def job(
            customer: User = customer, lines: list[LineRequest] = lines, choice: DeliveryChoice = choice
        ) -> PlacedOrder:
            return place_order(customer, lines, choice, idempotency_key=f"k{customer.pk}", now=shop.now)

        jobs.append(job)

    outcomes = _run_all(jobs)

    failures = [o.error for o in outcomes if o.error is not None]
    for error in failures:
        assert isinstance(error, (OutOfStock, SlotFull)), repr(error)
    placed = [o.placed.order for o in outcomes if o.placed is not None]
    assert placed, "no order went through"
    assert failures, "the stock was meant to run out"

    # No oversell: the database constraint held, and what is reserved is what was sold.
    for on_hand, reserved in Stock.objects.values_list("on_hand", "reserved"):
        assert 0 <= reserved <= on_hand
    sold = OrderLine.objects.aggregate(n=Sum("quantity"))["n"]
    assert Stock.objects.aggregate(n=Sum("reserved"))["n"] == sold
    assert StockMovement.objects.aggregate(n=Sum("reserved_delta"))["n"] == sold
    assert Order.objects.count() == len(placed)

    # Every successful order is complete: lines, shipments, payment, event.
    for order in placed:
        order.refresh_from_db()
        shipments = list(Shipment.objects.filter(order=order))
        lines = list(OrderLine.objects.filter(order=order))
        assert 1 <= len(shipments) <= 2
        assert lines
        assert {ln.shipment_id for ln in lines} == {s.pk for s in shipments}
        assert sum(ln.charged_won for ln in lines) == order.items_won == sum(s.items_won for s in shipments)
        [payment] = Payment.objects.filter(order=order)
        assert payment.authorised_won == order.total_won
        assert OrderEvent.objects.filter(order=order, kind="placed").count() == 1
    # Slot capacity held too.
    for slot in (shop.slot_a, shop.slot_b):
        slot.refresh_from_db()
        assert slot.booked == Shipment.objects.filter(slot=slot).count() <= slot.capacity


def test_the_same_key_from_many_threads_places_one_order(scarce: tuple[Shop, list[User]]) -> None:
    shop, _ = scarce
    lines = [LineRequest(shop.products[0].pk, 1)]

    def job() -> PlacedOrder:
        return place_order(
            shop.customer, lines, DeliveryChoice("instant"), idempotency_key="once", now=shop.now
        )

    outcomes = _run_all([job] * 8)
    errors = [o.error for o in outcomes if o.error is not None]
    assert not errors, errors
    orders = {o.placed.order.pk for o in outcomes if o.placed is not None}
    assert len(orders) == 1
    assert sum(1 for o in outcomes if o.placed is not None and o.placed.created) == 1
    assert Order.objects.count() == 1
    assert Stock.objects.aggregate(n=Sum("reserved"))["n"] == 1
